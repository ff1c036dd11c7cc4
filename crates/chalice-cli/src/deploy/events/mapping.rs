//! `on_sqs_message`, `on_kinesis_record`, `on_dynamodb_record`: an event source mapping from
//! the queue or stream to the function, known by its UUID.
//!
//! Created once, then updated in place when its settings change (a mapping's source and a
//! stream mapping's starting position can't change: either new is a new mapping, the old
//! one deleted first). `FunctionResponseTypes` says
//! `ReportBatchItemFailures` when the handler reports its failed records (Chalice never
//! sets it: aws/chalice#884), and is emptied again when it no longer does. Lambda refuses
//! an update while the mapping is still being created or updated (`ResourceInUseException`):
//! the call is retried for a while, as Chalice does.

use std::time::Duration;

use aws_sdk_lambda::types::{EventSourcePosition, FunctionResponseType, ScalingConfig};

use super::spec::{EventSourceSpec, MappingSpec, Place, Settings};
use crate::deploy::aws::Aws;
use crate::deploy::errors::{Failure, explain};
use crate::deploy::execute::{Executor, tolerate_missing};
use crate::deploy::state::{MappingRecord, Record};

/// How long an update waits for a mapping that is busy.
const BUSY_PATIENCE: Duration = Duration::from_secs(120);

/// The mapping's settings as the SDK takes them.
impl MappingSpec {
    fn response_types(&self) -> Vec<FunctionResponseType> {
        if self.report_batch_item_failures {
            vec![FunctionResponseType::ReportBatchItemFailures]
        } else {
            Vec::new()
        }
    }

    /// The batching window when the app sets one: Lambda's default is the same 0 seconds,
    /// and a FIFO queue takes none at all (`crate::validate` refuses one for it).
    fn window_when_set(&self) -> Option<i32> {
        (self.maximum_batching_window_in_seconds > 0)
            .then(|| to_i32(self.maximum_batching_window_in_seconds))
    }

    /// The batching window an update sends: also 0, which puts back Lambda's default when
    /// the app no longer sets one; never for a FIFO queue.
    fn window_to_update(&self) -> Option<i32> {
        (!self.is_fifo()).then(|| to_i32(self.maximum_batching_window_in_seconds))
    }

    fn scaling(&self) -> Option<ScalingConfig> {
        self.maximum_concurrency.map(|limit| {
            ScalingConfig::builder()
                .maximum_concurrency(i32::try_from(limit).unwrap_or(i32::MAX))
                .build()
        })
    }
}

fn to_i32(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

impl Executor<'_> {
    pub(super) async fn put_mapping(
        &mut self,
        spec: &EventSourceSpec,
        mapping: &MappingSpec,
        lambda_arn: &str,
    ) -> anyhow::Result<Record> {
        let source_arn = mapping.source_arn(Place::of(lambda_arn)?);
        let recorded = self
            .state
            .get(&spec.key)
            .filter(|record| mapping.same(record))
            .and_then(|record| match record {
                Record::SqsEvent(recorded)
                | Record::KinesisEvent(recorded)
                | Record::DynamodbEvent(recorded) => Some(recorded.event_uuid.clone()),
                _ => None,
            });
        let uuid = match recorded {
            Some(uuid) => {
                self.output.status(
                    "Updating",
                    format!(
                        "{} event source mapping {uuid} ({})",
                        mapping.kind.label(),
                        Settings(mapping)
                    ),
                );
                self.update_mapping(&uuid, mapping, lambda_arn).await?;
                uuid
            }
            None => {
                self.create_mapping(spec, mapping, &source_arn, lambda_arn)
                    .await?
            }
        };
        Ok(mapping.record(spec, uuid, source_arn, lambda_arn))
    }

    async fn create_mapping(
        &mut self,
        spec: &EventSourceSpec,
        mapping: &MappingSpec,
        source_arn: &str,
        lambda_arn: &str,
    ) -> anyhow::Result<String> {
        self.output.status(
            "Mapping",
            format!(
                "{} {} to {} ({})",
                mapping.kind.label(),
                mapping.source,
                spec.function_name,
                Settings(mapping)
            ),
        );
        let doing = format!(
            "creating the event source mapping from {source_arn} to {}",
            spec.function_name
        );
        let deadline = tokio::time::Instant::now() + BUSY_PATIENCE;
        loop {
            let created = self
                .aws
                .lambda
                .create_event_source_mapping()
                .event_source_arn(source_arn)
                .function_name(lambda_arn)
                .batch_size(to_i32(mapping.batch_size))
                .set_maximum_batching_window_in_seconds(mapping.window_when_set())
                .set_starting_position(
                    mapping
                        .starting_position
                        .as_deref()
                        .map(EventSourcePosition::from),
                )
                .set_scaling_config(mapping.scaling())
                .set_function_response_types(Some(mapping.response_types()))
                .send()
                .await;
            let error = match created {
                Ok(created) => {
                    return created.uuid().map(str::to_owned).ok_or_else(|| {
                        anyhow::anyhow!("{doing}: Lambda answered without its UUID")
                    });
                }
                Err(error) if Failure::of(&error).is(&["ResourceConflictException"]) => error,
                Err(error) => return Err(explain(&doing, &error)),
            };
            // A mapping from this source to this function is there already: one a deploy
            // made but was cut before it recorded, adopted and updated; or the one this
            // deploy just deleted to start elsewhere, which Lambda deletes in the
            // background (state `Deleting`): waited for.
            let listed = self
                .aws
                .lambda
                .list_event_source_mappings()
                .event_source_arn(source_arn)
                .function_name(lambda_arn)
                .send()
                .await
                .map_err(|error| explain(&doing, &error))?;
            let found = listed.event_source_mappings();
            if let Some(uuid) = found
                .iter()
                .filter(|found| found.state() != Some("Deleting"))
                .find_map(|found| found.uuid())
            {
                let uuid = uuid.to_owned();
                self.update_mapping(&uuid, mapping, lambda_arn).await?;
                return Ok(uuid);
            }
            if found.is_empty() || tokio::time::Instant::now() >= deadline {
                return Err(Failure::of(&error).explain(&doing));
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    }

    async fn update_mapping(
        &self,
        uuid: &str,
        mapping: &MappingSpec,
        lambda_arn: &str,
    ) -> anyhow::Result<()> {
        let doing = format!("updating event source mapping {uuid}");
        let deadline = tokio::time::Instant::now() + BUSY_PATIENCE;
        loop {
            let updated = self
                .aws
                .lambda
                .update_event_source_mapping()
                .uuid(uuid)
                .function_name(lambda_arn)
                .batch_size(to_i32(mapping.batch_size))
                .set_maximum_batching_window_in_seconds(mapping.window_to_update())
                .set_scaling_config(mapping.scaling())
                .set_function_response_types(Some(mapping.response_types()))
                .send()
                .await;
            match updated {
                Ok(_) => return Ok(()),
                Err(error)
                    if Failure::of(&error).is(&["ResourceInUseException"])
                        && tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                Err(error) => return Err(explain(&doing, &error)),
            }
        }
    }

    pub(super) async fn delete_mapping(&self, record: &MappingRecord) -> anyhow::Result<()> {
        let result = self
            .aws
            .lambda
            .delete_event_source_mapping()
            .uuid(&record.event_uuid)
            .send()
            .await;
        tolerate_missing(
            result,
            &format!("deleting event source mapping {}", record.event_uuid),
        )
    }
}

/// The mapping as Lambda has it: `None` when it is gone, else `record` with the position
/// Lambda says a stream's mapping started from (a record written by Chalice, or by an
/// older chalice, does not know it; the plan compares it with the app's).
pub(super) async fn refresh(aws: &Aws, record: &Record) -> anyhow::Result<Option<Record>> {
    let (Record::SqsEvent(mapping)
    | Record::KinesisEvent(mapping)
    | Record::DynamodbEvent(mapping)) = record
    else {
        return Ok(Some(record.clone()));
    };
    let result = aws
        .lambda
        .get_event_source_mapping()
        .uuid(&mapping.event_uuid)
        .send()
        .await;
    let found = match result {
        Ok(found) => found,
        Err(error) => {
            let failure = Failure::of(&error);
            if failure.is_not_found() {
                return Ok(None);
            }
            return Err(failure.explain(&format!(
                "reading event source mapping {}",
                mapping.event_uuid
            )));
        }
    };
    let mut refreshed = mapping.clone();
    if let Some(position) = found.starting_position() {
        refreshed.starting_position = Some(position.as_str().to_owned());
    }
    Ok(Some(match record {
        Record::SqsEvent(_) => Record::SqsEvent(refreshed),
        Record::KinesisEvent(_) => Record::KinesisEvent(refreshed),
        _ => Record::DynamodbEvent(refreshed),
    }))
}
