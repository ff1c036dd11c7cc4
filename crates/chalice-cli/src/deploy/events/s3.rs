//! `on_s3_event`: the function's entry in its bucket's notification configuration.
//!
//! A bucket has one configuration, shared with whatever else it notifies (another app, a
//! queue, EventBridge): it is read, the entry for the function's ARN replaced, and put
//! back whole, so the bucket's other notifications survive (Chalice merges the same way).
//! Filter rule names are written in lowercase (`prefix`, `suffix`), as S3 documents them
//! and moto requires.

use aws_sdk_s3::operation::get_bucket_notification_configuration::GetBucketNotificationConfigurationOutput;
use aws_sdk_s3::types::{
    Event, FilterRule, FilterRuleName, LambdaFunctionConfiguration, NotificationConfiguration,
    NotificationConfigurationFilter, S3KeyFilter,
};

use super::spec::{EventSourceSpec, Place, S3Spec, statement_id};
use crate::deploy::aws::Aws;
use crate::deploy::errors::{Failure, explain};
use crate::deploy::execute::Executor;
use crate::deploy::state::{Record, S3EventRecord};

impl S3Spec {
    /// The configuration entry that notifies `lambda_arn`.
    fn entry(&self, lambda_arn: &str) -> LambdaFunctionConfiguration {
        let rules: Vec<FilterRule> = [
            (FilterRuleName::Prefix, &self.prefix),
            (FilterRuleName::Suffix, &self.suffix),
        ]
        .into_iter()
        .filter_map(|(name, value)| {
            value
                .as_ref()
                .map(|value| FilterRule::builder().name(name).value(value).build())
        })
        .collect();
        let filter = (!rules.is_empty()).then(|| {
            NotificationConfigurationFilter::builder()
                .key(S3KeyFilter::builder().set_filter_rules(Some(rules)).build())
                .build()
        });
        LambdaFunctionConfiguration::builder()
            .lambda_function_arn(lambda_arn)
            .set_events(Some(
                self.events
                    .iter()
                    .map(|e| Event::from(e.as_str()))
                    .collect(),
            ))
            .set_filter(filter)
            .build()
            .expect("the ARN and events are set")
    }
}

/// The bucket's configuration `current` with the entries of `lambda_arn` replaced by
/// `entry` (or removed, when `None`), everything else as it was.
pub(crate) fn merged(
    current: &GetBucketNotificationConfigurationOutput,
    lambda_arn: &str,
    entry: Option<LambdaFunctionConfiguration>,
) -> NotificationConfiguration {
    let mut lambdas: Vec<LambdaFunctionConfiguration> = current
        .lambda_function_configurations()
        .iter()
        .filter(|existing| existing.lambda_function_arn() != lambda_arn)
        .cloned()
        .collect();
    lambdas.extend(entry);
    NotificationConfiguration::builder()
        .set_topic_configurations(Some(current.topic_configurations().to_vec()))
        .set_queue_configurations(Some(current.queue_configurations().to_vec()))
        .set_lambda_function_configurations(Some(lambdas))
        .set_event_bridge_configuration(current.event_bridge_configuration().cloned())
        .build()
}

impl Executor<'_> {
    pub(super) async fn put_s3(
        &mut self,
        spec: &EventSourceSpec,
        s3: &S3Spec,
        lambda_arn: &str,
    ) -> anyhow::Result<Record> {
        let bucket = &s3.bucket;
        self.output.status(
            "Notifying",
            format!("{} of bucket {bucket}", spec.function_name),
        );
        let place = Place::of(lambda_arn)?;
        // S3 checks, when the configuration is put, that it may invoke the function.
        self.allow_invoke(
            lambda_arn,
            &spec.statement_id(),
            "s3.amazonaws.com",
            &format!("arn:{}:s3:::{bucket}", place.partition),
            Some(place.account),
        )
        .await?;
        let doing = format!(
            "notifying function {} of bucket {bucket}",
            spec.function_name
        );
        let current = self
            .aws
            .s3
            .get_bucket_notification_configuration()
            .bucket(bucket)
            .send()
            .await
            .map_err(|error| explain(&doing, &error))?;
        self.aws
            .s3
            .put_bucket_notification_configuration()
            .bucket(bucket)
            .notification_configuration(merged(&current, lambda_arn, Some(s3.entry(lambda_arn))))
            .send()
            .await
            .map_err(|error| explain(&doing, &error))?;
        Ok(Record::S3Event(S3EventRecord {
            name: spec.key.clone(),
            bucket: bucket.clone(),
            lambda_arn: lambda_arn.to_owned(),
            config_hash: spec.config_hash(),
        }))
    }

    /// Only the function's entries go; the bucket's other notifications stay.
    pub(super) async fn delete_s3(&self, record: &S3EventRecord) -> anyhow::Result<()> {
        let bucket = &record.bucket;
        let doing = format!("removing the notification of bucket {bucket}");
        let current = self
            .aws
            .s3
            .get_bucket_notification_configuration()
            .bucket(bucket)
            .send()
            .await;
        let current = match current {
            Ok(current) => Some(current),
            Err(error) if Failure::of(&error).is(&["NoSuchBucket"]) => None,
            Err(error) => return Err(explain(&doing, &error)),
        };
        if let Some(current) = current.filter(|current| {
            current
                .lambda_function_configurations()
                .iter()
                .any(|entry| entry.lambda_function_arn() == record.lambda_arn)
        }) {
            self.aws
                .s3
                .put_bucket_notification_configuration()
                .bucket(bucket)
                .notification_configuration(merged(&current, &record.lambda_arn, None))
                .send()
                .await
                .map_err(|error| explain(&doing, &error))?;
        }
        self.revoke_invoke(&record.lambda_arn, &statement_id(&record.name))
            .await
    }
}

/// The notification as S3 has it: the bucket gone (the record goes), the function's entry
/// missing (put again), or there.
pub(super) async fn refresh(aws: &Aws, record: &S3EventRecord) -> anyhow::Result<Option<Record>> {
    let current = aws
        .s3
        .get_bucket_notification_configuration()
        .bucket(&record.bucket)
        .send()
        .await;
    let current = match current {
        Ok(current) => current,
        Err(error) => {
            let failure = Failure::of(&error);
            if failure.is(&["NoSuchBucket"]) {
                return Ok(None);
            }
            return Err(failure.explain(&format!(
                "reading the notifications of bucket {}",
                record.bucket
            )));
        }
    };
    let mut fresh = record.clone();
    if !current
        .lambda_function_configurations()
        .iter()
        .any(|entry| entry.lambda_function_arn() == record.lambda_arn)
    {
        fresh.config_hash.clear();
    }
    Ok(Some(Record::S3Event(fresh)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::types::{QueueConfiguration, TopicConfiguration};

    const OURS: &str = "arn:aws:lambda:us-east-1:123456789012:function:events-dev-on_upload";
    const OTHER: &str = "arn:aws:lambda:us-east-1:123456789012:function:someone-else";

    fn lambda(arn: &str, event: &str) -> LambdaFunctionConfiguration {
        LambdaFunctionConfiguration::builder()
            .lambda_function_arn(arn)
            .events(Event::from(event))
            .build()
            .expect("valid")
    }

    /// (lambda ARN, events, filter rules) of a configuration's Lambda entries.
    fn lambdas(config: &NotificationConfiguration) -> Vec<(String, Vec<String>, Vec<String>)> {
        config
            .lambda_function_configurations()
            .iter()
            .map(|entry| {
                (
                    entry.lambda_function_arn().to_owned(),
                    entry
                        .events()
                        .iter()
                        .map(|e| e.as_str().to_owned())
                        .collect(),
                    entry
                        .filter()
                        .and_then(|f| f.key())
                        .map(|k| k.filter_rules())
                        .unwrap_or_default()
                        .iter()
                        .map(|r| {
                            format!(
                                "{}={}",
                                r.name().map(|n| n.as_str()).unwrap_or_default(),
                                r.value().unwrap_or_default()
                            )
                        })
                        .collect(),
                )
            })
            .collect()
    }

    #[test]
    fn the_buckets_other_notifications_are_kept() {
        let spec = S3Spec {
            bucket: "uploads".to_owned(),
            events: vec!["s3:ObjectCreated:*".to_owned()],
            prefix: Some("incoming/".to_owned()),
            suffix: Some(".csv".to_owned()),
        };
        let current = GetBucketNotificationConfigurationOutput::builder()
            .lambda_function_configurations(lambda(OTHER, "s3:ObjectRemoved:*"))
            .lambda_function_configurations(lambda(OURS, "s3:ObjectCreated:Put"))
            .queue_configurations(
                QueueConfiguration::builder()
                    .queue_arn("arn:aws:sqs:us-east-1:123456789012:q")
                    .events(Event::from("s3:ObjectCreated:*"))
                    .build()
                    .expect("valid"),
            )
            .topic_configurations(
                TopicConfiguration::builder()
                    .topic_arn("arn:aws:sns:us-east-1:123456789012:t")
                    .events(Event::from("s3:ObjectCreated:*"))
                    .build()
                    .expect("valid"),
            )
            .build();
        let other = (
            OTHER.to_owned(),
            vec!["s3:ObjectRemoved:*".to_owned()],
            vec![],
        );
        let cases = [
            (
                Some(spec.entry(OURS)),
                vec![
                    other.clone(),
                    (
                        OURS.to_owned(),
                        vec!["s3:ObjectCreated:*".to_owned()],
                        vec!["prefix=incoming/".to_owned(), "suffix=.csv".to_owned()],
                    ),
                ],
            ),
            (None, vec![other]),
        ];
        for (entry, expected) in cases {
            let config = merged(&current, OURS, entry);
            assert_eq!(lambdas(&config), expected);
            assert_eq!(config.queue_configurations().len(), 1);
            assert_eq!(config.topic_configurations().len(), 1);
        }
    }
}
