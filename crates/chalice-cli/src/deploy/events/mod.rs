//! Event sources: what invokes an event handler once its function is deployed, as
//! resources of the graph, planned and carried out like the others.
//!
//! Each source is one kind of [`Trigger`](spec::Trigger), with Chalice's names and records:
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
//!
//! Split by the deployer's layers: [`spec`] (the graph's), [`plan`] (the planner's), and
//! [`run`] with a file per kind (the executor's calls, and the refresh's).

mod mapping;
mod permission;
pub(crate) mod plan;
mod rule;
pub(crate) mod run;
mod s3;
mod sns;
pub(crate) mod spec;
