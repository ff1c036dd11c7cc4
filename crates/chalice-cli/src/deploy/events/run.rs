//! The executor's calls for the event sources, and their refresh; each kind's are in its
//! own file.

use super::spec::{EventSourceSpec, Trigger, describe_record};
use super::{mapping, rule, s3, sns};
use crate::deploy::aws::Aws;
use crate::deploy::execute::Executor;
use crate::deploy::state::Record;

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
        Record::SqsEvent(_) | Record::KinesisEvent(_) | Record::DynamodbEvent(_) => {
            mapping::refresh(aws, record).await
        }
        other => Ok(Some(other.clone())),
    }
}
