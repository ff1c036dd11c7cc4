//! `schedule` and `on_cw_event`: an EventBridge rule `{app}-{stage}-{name}-event` (on the
//! app's bus, `default` unless it names one) whose one target (Id `1`, as Chalice's) is the
//! function, which lets `events.amazonaws.com` invoke it from the rule.

use aws_sdk_eventbridge::types::{RuleState, Target};
use chalice_manifest::DEFAULT_EVENT_BUS;

use super::spec::{EventSourceSpec, RuleSpec, statement_id};
use crate::deploy::aws::Aws;
use crate::deploy::errors::{Failure, explain};
use crate::deploy::execute::{Executor, tolerate_missing};
use crate::deploy::state::{Record, RuleRecord};

/// The rule's target id (Chalice's).
const TARGET_ID: &str = "1";

impl RuleSpec {
    /// The bus to name in calls: none for the default one.
    fn bus(&self) -> Option<String> {
        bus(&self.event_bus)
    }
}

fn bus(name: &str) -> Option<String> {
    (name != DEFAULT_EVENT_BUS).then(|| name.to_owned())
}

impl Executor<'_> {
    pub(super) async fn put_rule(
        &mut self,
        spec: &EventSourceSpec,
        rule: &RuleSpec,
        lambda_arn: &str,
    ) -> anyhow::Result<Record> {
        let name = &rule.rule_name;
        let verb = if rule.schedule_expression.is_some() {
            "Scheduling"
        } else {
            "Routing"
        };
        self.output
            .status(verb, format!("rule {name} to {}", spec.function_name));
        let doing = format!("putting rule {name}");
        let put = self
            .aws
            .events
            .put_rule()
            .name(name)
            .set_schedule_expression(rule.schedule_expression.clone())
            .set_event_pattern(rule.event_pattern.clone())
            .description(&rule.description)
            .set_event_bus_name(rule.bus())
            .state(RuleState::Enabled)
            .send()
            .await
            .map_err(|error| explain(&doing, &error))?;
        let rule_arn = put
            .rule_arn()
            .ok_or_else(|| anyhow::anyhow!("{doing}: PutRule answered without the rule's ARN"))?
            .to_owned();
        let target = Target::builder()
            .id(TARGET_ID)
            .arn(lambda_arn)
            .build()
            .expect("id and ARN are set");
        let targets = self
            .aws
            .events
            .put_targets()
            .rule(name)
            .set_event_bus_name(rule.bus())
            .targets(target)
            .send()
            .await
            .map_err(|error| explain(&format!("targeting rule {name}"), &error))?;
        if let Some(failed) = targets.failed_entries().first() {
            anyhow::bail!(
                "targeting rule {name} at {lambda_arn}: {} {}",
                failed.error_code().unwrap_or("failed"),
                failed.error_message().unwrap_or_default()
            );
        }
        self.allow_invoke(
            lambda_arn,
            &spec.statement_id(),
            "events.amazonaws.com",
            &rule_arn,
            None,
        )
        .await?;
        Ok(Record::CloudwatchEvent(RuleRecord {
            name: spec.key.clone(),
            rule_name: name.clone(),
            event_bus: rule.event_bus.clone(),
            lambda_arn: lambda_arn.to_owned(),
            config_hash: spec.config_hash(),
        }))
    }

    /// Chalice's order: the targets, then the rule, then the permission.
    pub(super) async fn delete_rule(&self, record: &RuleRecord) -> anyhow::Result<()> {
        let name = &record.rule_name;
        let removed = self
            .aws
            .events
            .remove_targets()
            .rule(name)
            .set_event_bus_name(bus(&record.event_bus))
            .ids(TARGET_ID)
            .send()
            .await;
        tolerate_missing(removed, &format!("removing the target of rule {name}"))?;
        let deleted = self
            .aws
            .events
            .delete_rule()
            .name(name)
            .set_event_bus_name(bus(&record.event_bus))
            .send()
            .await;
        tolerate_missing(deleted, &format!("deleting rule {name}"))?;
        self.revoke_invoke(&record.lambda_arn, &statement_id(&record.name))
            .await
    }
}

/// The rule as EventBridge has it: gone, or there with its target (else put again).
pub(super) async fn refresh(aws: &Aws, record: &RuleRecord) -> anyhow::Result<Option<Record>> {
    let name = &record.rule_name;
    let described = aws
        .events
        .describe_rule()
        .name(name)
        .set_event_bus_name(bus(&record.event_bus))
        .send()
        .await;
    if let Err(error) = described {
        let failure = Failure::of(&error);
        if failure.is_not_found() {
            return Ok(None);
        }
        return Err(failure.explain(&format!("reading rule {name}")));
    }
    let targets = aws
        .events
        .list_targets_by_rule()
        .rule(name)
        .set_event_bus_name(bus(&record.event_bus))
        .send()
        .await
        .map_err(|error| explain(&format!("reading the targets of rule {name}"), &error))?;
    let targeted = targets
        .targets()
        .iter()
        .any(|target| target.id() == TARGET_ID && target.arn() == record.lambda_arn);
    let mut fresh = record.clone();
    if !targeted {
        fresh.config_hash.clear();
    }
    Ok(Some(Record::CloudwatchEvent(fresh)))
}
