//! `on_sns_message`: the function subscribed to a topic (named, or given by ARN), with the
//! permission for `sns.amazonaws.com` to invoke it. `Subscribe` answers the existing
//! subscription when there is one, so putting it again changes nothing.

use super::spec::{EventSourceSpec, Place, SnsSpec, statement_id};
use crate::deploy::aws::Aws;
use crate::deploy::errors::{Failure, explain};
use crate::deploy::execute::{Executor, tolerate_missing};
use crate::deploy::state::{Record, SnsEventRecord};

impl Executor<'_> {
    pub(super) async fn put_sns(
        &mut self,
        spec: &EventSourceSpec,
        sns: &SnsSpec,
        lambda_arn: &str,
    ) -> anyhow::Result<Record> {
        let topic_arn = Place::of(lambda_arn)?.arn("sns", &sns.topic);
        self.output.status(
            "Subscribing",
            format!("{} to topic {}", spec.function_name, sns.topic),
        );
        self.allow_invoke(
            lambda_arn,
            &spec.statement_id(),
            "sns.amazonaws.com",
            &topic_arn,
            None,
        )
        .await?;
        let subscribed = self
            .aws
            .sns
            .subscribe()
            .topic_arn(&topic_arn)
            .protocol("lambda")
            .endpoint(lambda_arn)
            .return_subscription_arn(true)
            .send()
            .await
            .map_err(|error| {
                explain(
                    &format!("subscribing {} to topic {topic_arn}", spec.function_name),
                    &error,
                )
            })?;
        let subscription_arn = subscribed
            .subscription_arn()
            .ok_or_else(|| anyhow::anyhow!("Subscribe answered without the subscription's ARN"))?
            .to_owned();
        Ok(Record::SnsEvent(SnsEventRecord {
            name: spec.key.clone(),
            topic: sns.topic.clone(),
            topic_arn,
            subscription_arn,
            lambda_arn: lambda_arn.to_owned(),
            config_hash: spec.config_hash(),
        }))
    }

    pub(super) async fn delete_sns(&self, record: &SnsEventRecord) -> anyhow::Result<()> {
        let result = self
            .aws
            .sns
            .unsubscribe()
            .subscription_arn(&record.subscription_arn)
            .send()
            .await;
        tolerate_missing(
            result,
            &format!("unsubscribing from topic {}", record.topic_arn),
        )?;
        self.revoke_invoke(&record.lambda_arn, &statement_id(&record.name))
            .await
    }
}

/// The subscription as SNS has it: gone (the record goes, and the plan subscribes again), or
/// there.
pub(super) async fn refresh(aws: &Aws, record: &SnsEventRecord) -> anyhow::Result<Option<Record>> {
    let result = aws
        .sns
        .get_subscription_attributes()
        .subscription_arn(&record.subscription_arn)
        .send()
        .await;
    match result {
        Ok(_) => Ok(Some(Record::SnsEvent(record.clone()))),
        Err(error) => {
            let failure = Failure::of(&error);
            if failure.is_not_found() {
                Ok(None)
            } else {
                Err(failure.explain(&format!("reading subscription {}", record.subscription_arn)))
            }
        }
    }
}
