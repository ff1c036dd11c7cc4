//! Event sources: what invokes an event handler once its function is deployed, as
//! resources of the graph, planned and carried out like the others.
//!
//! Each source is one kind of [`Trigger`], with Chalice's names and records:
//!
//! | source | resource (record name) | AWS calls | record |
//! |---|---|---|---|
//! | `schedule`, `on_cw_event` | rule `{app}-{stage}-{name}-event` (`{name}-event`) | `PutRule`, `PutTargets` (Id `1`), `AddPermission` | `cloudwatch_event`: `rule_name` |
//! | `on_s3_event` | bucket notification (`{name}-s3event`) | `AddPermission`, `GetBucketNotificationConfiguration`, `PutBucketNotificationConfiguration` (the bucket's other notifications kept) | `s3_event`: `bucket`, `lambda_arn` |
//! | `on_sns_message` | subscription (`{name}-sns-subscription`) | `AddPermission`, `Subscribe` | `sns_event`: `topic`, `topic_arn`, `subscription_arn` |
//! | `on_sqs_message`, `on_kinesis_record`, `on_dynamodb_record` | event source mapping (`{name}-sqs-event-source`, ...) | `CreateEventSourceMapping`, `UpdateEventSourceMapping` | `sqs_event` / `kinesis_event` / `dynamodb_event`: `event_uuid` and the source's ARN |
//!
//! A pure function (`lambda_function`) has no trigger: its function is all there is.
//!
//! Unlike Chalice, a redeploy with nothing changed makes no call that changes anything:
//! each record keeps the hash of the spec it was made from, and the refresh (read calls
//! only) drops or marks stale the records whose resource someone removed or changed (a
//! subscription deleted, the bucket's notification overwritten), which the plan then puts
//! back. Mappings say `FunctionResponseTypes: [ReportBatchItemFailures]` when the handler
//! reports its failed records (Chalice can't: aws/chalice#884).

mod mapping;
mod permission;
mod rule;
mod s3;
mod sns;

use std::fmt;

use chalice_manifest::{DEFAULT_EVENT_BUS, EventSource, FunctionManifest};
use serde::Serialize;

use super::aws::Aws;
use super::execute::Executor;
use super::graph::hash;
use super::plan::Step;
use super::state::{DeployedState, Record};

/// What invokes one function, as the graph wants it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct EventSourceSpec {
    /// The record's name (Chalice's resource name: `{name}-event`, `{name}-s3event`, ...).
    pub(crate) key: String,
    /// The key of the function it invokes (the handler's name).
    pub(crate) function: String,
    /// That function's name on Lambda.
    pub(crate) function_name: String,
    pub(crate) trigger: Trigger,
}

impl EventSourceSpec {
    /// The hash its record keeps: a redeploy whose hash is unchanged makes no call.
    pub(crate) fn config_hash(&self) -> String {
        hash(&serde_json::to_value(self).expect("a spec always serializes"))
    }

    /// The statement of the function's resource policy that lets the source invoke it.
    pub(crate) fn statement_id(&self) -> String {
        statement_id(&self.key)
    }
}

/// The statement id of the permission of the source recorded as `key`.
fn statement_id(key: &str) -> String {
    format!("chalice-{key}")
}

/// The kinds of trigger, each with its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Trigger {
    /// An EventBridge rule, on a schedule or an event pattern.
    Rule(rule::RuleSpec),
    /// A notification of a bucket.
    S3(s3::S3Spec),
    /// A subscription to a topic.
    Sns(sns::SnsSpec),
    /// An event source mapping from a queue or a stream.
    Mapping(mapping::MappingSpec),
}

/// The trigger of `function` (deployed as `function_name`), or none for a pure function.
pub(crate) fn trigger(
    base_name: &str,
    function: &FunctionManifest,
    function_name: &str,
) -> Option<EventSourceSpec> {
    let name = &function.name;
    let (suffix, trigger) = match &function.source {
        EventSource::LambdaFunction => return None,
        EventSource::Schedule {
            expression,
            description,
        } => (
            "event",
            Trigger::Rule(rule::RuleSpec {
                rule_name: format!("{base_name}-{name}-event"),
                schedule_expression: Some(expression.clone()),
                event_pattern: None,
                description: description.clone(),
                event_bus: DEFAULT_EVENT_BUS.to_owned(),
            }),
        ),
        EventSource::CwEvent {
            event_pattern,
            event_bus,
        } => (
            "event",
            Trigger::Rule(rule::RuleSpec {
                rule_name: format!("{base_name}-{name}-event"),
                schedule_expression: None,
                event_pattern: Some(event_pattern.to_string()),
                description: String::new(),
                event_bus: event_bus.clone(),
            }),
        ),
        EventSource::S3 {
            bucket,
            events,
            prefix,
            suffix,
        } => (
            "s3event",
            Trigger::S3(s3::S3Spec {
                bucket: bucket.clone(),
                events: events.clone(),
                prefix: prefix.clone(),
                suffix: suffix.clone(),
            }),
        ),
        EventSource::Sns { topic } => (
            "sns-subscription",
            Trigger::Sns(sns::SnsSpec {
                topic: topic.clone(),
            }),
        ),
        source @ (EventSource::Sqs { .. }
        | EventSource::Kinesis { .. }
        | EventSource::Dynamodb { .. }) => {
            let spec = mapping::MappingSpec::of(source)?;
            (spec.kind.suffix(), Trigger::Mapping(spec))
        }
    };
    Some(EventSourceSpec {
        key: format!("{name}-{suffix}"),
        function: name.clone(),
        function_name: function_name.to_owned(),
        trigger,
    })
}

/// An ARN's parts: partition, region and account, read from a function's ARN
/// (`arn:aws:lambda:us-east-1:123456789012:function:name`), to name the sources the app
/// gives by name in the same account and region, as Chalice does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place<'a> {
    pub(crate) partition: &'a str,
    pub(crate) region: &'a str,
    pub(crate) account: &'a str,
}

impl<'a> Place<'a> {
    /// The place of the function whose ARN is `lambda_arn`.
    pub(crate) fn of(lambda_arn: &'a str) -> anyhow::Result<Place<'a>> {
        match lambda_arn.split(':').collect::<Vec<_>>().as_slice() {
            ["arn", partition, "lambda", region, account, ..] => Ok(Place {
                partition,
                region,
                account,
            }),
            _ => anyhow::bail!("{lambda_arn} is not a Lambda function ARN"),
        }
    }

    /// `name` as an ARN of `service` here, unless it already is one.
    pub(crate) fn arn(&self, service: &str, name: &str) -> String {
        if name.starts_with("arn:") {
            name.to_owned()
        } else {
            format!(
                "arn:{}:{service}:{}:{}:{name}",
                self.partition, self.region, self.account
            )
        }
    }
}

/// Plans the source `spec`: created when it has no record, put again when its spec
/// changed or its function was just created (a new function has no permission, and a
/// mapping or subscription points at the old one).
pub(crate) fn plan(
    spec: &EventSourceSpec,
    state: &DeployedState,
    created_functions: &[String],
    steps: &mut Vec<Step>,
) {
    match config_hash(state.get(&spec.key)) {
        None => steps.push(Step::CreateEventSource(spec.clone())),
        Some(recorded)
            if recorded != spec.config_hash() || created_functions.contains(&spec.function) =>
        {
            steps.push(Step::UpdateEventSource(spec.clone()));
        }
        Some(_) => {}
    }
}

/// Whether `record` describes the source `spec` wants, on AWS: the same rule, bucket,
/// topic or mapped source (a mapping's source can't change, a notification moves with its
/// bucket). When not, the record is deleted before the new one is created.
pub(crate) fn same_resource(spec: &EventSourceSpec, record: &Record) -> bool {
    match (&spec.trigger, record) {
        (Trigger::Rule(rule), Record::CloudwatchEvent(recorded)) => rule.same(recorded),
        (Trigger::S3(s3), Record::S3Event(recorded)) => s3.bucket == recorded.bucket,
        (Trigger::Sns(sns), Record::SnsEvent(recorded)) => sns.topic == recorded.topic,
        (Trigger::Mapping(mapping), record) => mapping.same(record),
        _ => false,
    }
}

/// The spec hash an event source's record keeps.
fn config_hash(record: Option<&Record>) -> Option<&str> {
    match record? {
        Record::CloudwatchEvent(rule) => Some(&rule.config_hash),
        Record::S3Event(s3) => Some(&s3.config_hash),
        Record::SnsEvent(sns) => Some(&sns.config_hash),
        Record::SqsEvent(mapping)
        | Record::KinesisEvent(mapping)
        | Record::DynamodbEvent(mapping) => Some(&mapping.config_hash),
        _ => None,
    }
}

/// One line for people: what the source is (`schedule rule x`, `S3 notification of bucket
/// b`), and the function it invokes.
pub(crate) struct Describe<'a>(pub(crate) &'a EventSourceSpec);

impl fmt::Display for Describe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let spec = self.0;
        match &spec.trigger {
            Trigger::Rule(rule) => write!(
                f,
                "{} rule {}",
                if rule.schedule_expression.is_some() {
                    "schedule"
                } else {
                    "EventBridge"
                },
                rule.rule_name
            )?,
            Trigger::S3(s3) => write!(f, "S3 notification of bucket {}", s3.bucket)?,
            Trigger::Sns(sns) => write!(f, "SNS subscription to topic {}", sns.topic)?,
            Trigger::Mapping(mapping) => write!(
                f,
                "{} event source mapping from {} (batch size {})",
                mapping.kind.label(),
                mapping.source,
                mapping.batch_size
            )?,
        }
        write!(f, " for function {}", spec.function_name)
    }
}

/// What a deletion step removes, for people.
pub(crate) fn describe_record(record: &Record) -> String {
    match record {
        Record::CloudwatchEvent(rule) => format!("rule {}", rule.rule_name),
        Record::S3Event(s3) => format!("S3 notification of bucket {}", s3.bucket),
        Record::SnsEvent(sns) => format!("SNS subscription to topic {}", sns.topic),
        Record::SqsEvent(mapping)
        | Record::KinesisEvent(mapping)
        | Record::DynamodbEvent(mapping) => {
            format!("event source mapping {}", mapping.event_uuid)
        }
        other => other.name().to_owned(),
    }
}

impl Executor<'_> {
    /// Creates or puts again the source `spec` (the same calls: each is idempotent).
    pub(crate) async fn put_event_source(&mut self, spec: &EventSourceSpec) -> anyhow::Result<()> {
        let lambda_arn = self
            .state
            .function(&spec.function)
            .map(|record| record.lambda_arn.clone())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "function {} is not deployed before its trigger",
                    spec.function
                )
            })?;
        let record = match &spec.trigger {
            Trigger::Rule(rule) => self.put_rule(spec, rule, &lambda_arn).await?,
            Trigger::S3(s3) => self.put_s3(spec, s3, &lambda_arn).await?,
            Trigger::Sns(sns) => self.put_sns(spec, sns, &lambda_arn).await?,
            Trigger::Mapping(mapping) => self.put_mapping(spec, mapping, &lambda_arn).await?,
        };
        self.state.put(record);
        Ok(())
    }

    /// Removes the source `record` describes, and forgets it.
    pub(crate) async fn delete_event_source(&mut self, record: &Record) -> anyhow::Result<()> {
        self.output.status("Deleting", describe_record(record));
        match record {
            Record::CloudwatchEvent(rule) => self.delete_rule(rule).await?,
            Record::S3Event(s3) => self.delete_s3(s3).await?,
            Record::SnsEvent(sns) => self.delete_sns(sns).await?,
            Record::SqsEvent(mapping)
            | Record::KinesisEvent(mapping)
            | Record::DynamodbEvent(mapping) => {
                self.delete_mapping(mapping).await?;
            }
            _ => {}
        }
        if self.state.get(record.name()) == Some(record) {
            self.state.forget(record.name());
        }
        Ok(())
    }
}

/// `record` (an event source's) as AWS has it: `None` when the resource is gone, the record
/// with an emptied hash when it is there but not as recorded (so the plan puts it again).
pub(crate) async fn refresh(aws: &Aws, record: &Record) -> anyhow::Result<Option<Record>> {
    match record {
        Record::CloudwatchEvent(rule) => rule::refresh(aws, rule).await,
        Record::S3Event(s3) => s3::refresh(aws, s3).await,
        Record::SnsEvent(sns) => sns::refresh(aws, sns).await,
        Record::SqsEvent(mapping)
        | Record::KinesisEvent(mapping)
        | Record::DynamodbEvent(mapping) => {
            if mapping::exists(aws, mapping).await? {
                Ok(Some(record.clone()))
            } else {
                Ok(None)
            }
        }
        other => Ok(Some(other.clone())),
    }
}
