//! The app's functions besides its API: event handlers (a schedule, EventBridge, S3, SNS,
//! SQS, Kinesis, DynamoDB streams) and pure Lambda functions, each with its source and the
//! source's settings, under Chalice's names and defaults.
//!
//! Every one of them is the app's one `bootstrap` binary, deployed as its own Lambda
//! function with [`HANDLER_ENV`](crate::HANDLER_ENV) set to its [`FunctionManifest::name`].

use serde::{Deserialize, Serialize};

/// Chalice's default `events` of `on_s3_event`.
pub const DEFAULT_S3_EVENTS: [&str; 1] = ["s3:ObjectCreated:*"];
/// Chalice's default `batch_size` of `on_sqs_message`.
pub const DEFAULT_SQS_BATCH_SIZE: u32 = 1;
/// Chalice's default `batch_size` of `on_kinesis_record` and `on_dynamodb_record`.
pub const DEFAULT_STREAM_BATCH_SIZE: u32 = 100;
/// The event bus EventBridge rules are on unless told otherwise.
pub const DEFAULT_EVENT_BUS: &str = "default";

/// One function of the app other than the API handler and the built-in authorizers (which
/// [`Manifest::authorizers`](crate::Manifest::authorizers) lists).
///
/// The wire form is flat: the name, `source` naming the kind, then the source's settings.
///
/// ```
/// use chalice_manifest::{EventSource, FunctionManifest};
///
/// let function = FunctionManifest::new("worker", EventSource::sqs_queue("jobs"));
/// assert_eq!(
///     serde_json::to_value(&function).unwrap(),
///     serde_json::json!({
///         "name": "worker", "source": "sqs", "queue": "jobs", "queue_arn": null,
///         "batch_size": 1, "maximum_batching_window_in_seconds": 0,
///         "maximum_concurrency": null, "report_batch_item_failures": false
///     })
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FunctionManifest {
    /// The handler's name: unique among the app's functions (authorizers included), the
    /// value of [`HANDLER_ENV`](crate::HANDLER_ENV) on its Lambda function, and the suffix of
    /// its function name (`<app>-<stage>-<name>`).
    pub name: String,
    /// What invokes it, and how.
    #[serde(flatten)]
    pub source: EventSource,
}

impl FunctionManifest {
    /// The function `name`, invoked by `source`.
    pub fn new(name: impl Into<String>, source: EventSource) -> Self {
        FunctionManifest {
            name: name.into(),
            source,
        }
    }
}

/// What invokes a function, with the settings its trigger needs (Chalice's
/// `ScheduledEventConfig`, `CloudWatchEventConfig`, `S3EventConfig`, `SNSEventConfig`,
/// `SQSEventConfig`, `KinesisEventConfig`, `DynamoDBEventConfig`, and pure functions).
///
/// Exhaustive on purpose, like [`AuthorizerKind`](crate::AuthorizerKind): a new source
/// changes what the packager and the deployer must create, so it should not compile until
/// each handles it. A manifest naming a source this crate does not know fails to
/// deserialize (and [`MANIFEST_VERSION`](crate::MANIFEST_VERSION) asks for a newer CLI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum EventSource {
    /// `lambda_function`: a pure function, invoked directly (no trigger).
    LambdaFunction,
    /// `schedule`: an EventBridge rule with a schedule expression.
    Schedule {
        /// `rate(...)` or `cron(...)`, as EventBridge reads it (already validated).
        expression: String,
        /// The rule's description (Chalice's default: empty).
        description: String,
    },
    /// `on_cw_event`: an EventBridge rule with an event pattern.
    CwEvent {
        /// The event pattern, as EventBridge reads it.
        event_pattern: serde_json::Value,
        /// The event bus the rule is on ([`DEFAULT_EVENT_BUS`] unless set).
        event_bus: String,
    },
    /// `on_s3_event`: a bucket notification.
    S3 {
        /// The bucket's name.
        bucket: String,
        /// The events notified (default [`DEFAULT_S3_EVENTS`]).
        events: Vec<String>,
        /// Only keys starting with this.
        prefix: Option<String>,
        /// Only keys ending with this.
        suffix: Option<String>,
    },
    /// `on_sns_message`: a topic subscription.
    Sns {
        /// The topic's name or ARN.
        topic: String,
    },
    /// `on_sqs_message`: an event source mapping from a queue.
    Sqs {
        /// The queue's name (exactly one of `queue` and `queue_arn` is set).
        queue: Option<String>,
        /// The queue's ARN.
        queue_arn: Option<String>,
        /// Messages per invocation (default [`DEFAULT_SQS_BATCH_SIZE`]).
        batch_size: u32,
        /// How long Lambda gathers a batch, in seconds (default 0).
        maximum_batching_window_in_seconds: u32,
        /// How many invocations the mapping runs at once (default: Lambda's).
        maximum_concurrency: Option<u32>,
        /// Whether the handler reports failed messages
        /// (`FunctionResponseTypes: [ReportBatchItemFailures]`).
        report_batch_item_failures: bool,
    },
    /// `on_kinesis_record`: an event source mapping from a Kinesis stream.
    Kinesis {
        /// The stream's name.
        stream: String,
        /// Records per invocation (default [`DEFAULT_STREAM_BATCH_SIZE`]).
        batch_size: u32,
        /// Where a new mapping starts reading.
        starting_position: StartingPosition,
        /// How long Lambda gathers a batch, in seconds (default 0).
        maximum_batching_window_in_seconds: u32,
        /// Whether the handler reports failed records
        /// (`FunctionResponseTypes: [ReportBatchItemFailures]`).
        report_batch_item_failures: bool,
    },
    /// `on_dynamodb_record`: an event source mapping from a DynamoDB stream.
    Dynamodb {
        /// The stream's ARN.
        stream_arn: String,
        /// Records per invocation (default [`DEFAULT_STREAM_BATCH_SIZE`]).
        batch_size: u32,
        /// Where a new mapping starts reading.
        starting_position: StartingPosition,
        /// How long Lambda gathers a batch, in seconds (default 0).
        maximum_batching_window_in_seconds: u32,
        /// Whether the handler reports failed records
        /// (`FunctionResponseTypes: [ReportBatchItemFailures]`).
        report_batch_item_failures: bool,
    },
}

impl EventSource {
    /// A schedule with no description.
    pub fn schedule(expression: impl Into<String>) -> Self {
        EventSource::Schedule {
            expression: expression.into(),
            description: String::new(),
        }
    }

    /// An EventBridge pattern on the default bus.
    pub fn cw_event(event_pattern: serde_json::Value) -> Self {
        EventSource::CwEvent {
            event_pattern,
            event_bus: DEFAULT_EVENT_BUS.to_owned(),
        }
    }

    /// Notifications of objects created in `bucket`, with no filter.
    pub fn s3(bucket: impl Into<String>) -> Self {
        EventSource::S3 {
            bucket: bucket.into(),
            events: DEFAULT_S3_EVENTS.map(str::to_owned).to_vec(),
            prefix: None,
            suffix: None,
        }
    }

    /// Messages of the SQS queue named `queue`, with Chalice's defaults.
    pub fn sqs_queue(queue: impl Into<String>) -> Self {
        EventSource::Sqs {
            queue: Some(queue.into()),
            queue_arn: None,
            batch_size: DEFAULT_SQS_BATCH_SIZE,
            maximum_batching_window_in_seconds: 0,
            maximum_concurrency: None,
            report_batch_item_failures: false,
        }
    }

    /// Records of the Kinesis stream `stream`, with Chalice's defaults.
    pub fn kinesis(stream: impl Into<String>) -> Self {
        EventSource::Kinesis {
            stream: stream.into(),
            batch_size: DEFAULT_STREAM_BATCH_SIZE,
            starting_position: StartingPosition::Latest,
            maximum_batching_window_in_seconds: 0,
            report_batch_item_failures: false,
        }
    }

    /// Records of the DynamoDB stream `stream_arn`, with Chalice's defaults.
    pub fn dynamodb(stream_arn: impl Into<String>) -> Self {
        EventSource::Dynamodb {
            stream_arn: stream_arn.into(),
            batch_size: DEFAULT_STREAM_BATCH_SIZE,
            starting_position: StartingPosition::Latest,
            maximum_batching_window_in_seconds: 0,
            report_batch_item_failures: false,
        }
    }

    /// Chalice's decorator for the source (`schedule`, `on_sqs_message`, ...), for messages
    /// Chalice users recognize.
    pub fn chalice_name(&self) -> &'static str {
        match self {
            EventSource::LambdaFunction => "lambda_function",
            EventSource::Schedule { .. } => "schedule",
            EventSource::CwEvent { .. } => "on_cw_event",
            EventSource::S3 { .. } => "on_s3_event",
            EventSource::Sns { .. } => "on_sns_message",
            EventSource::Sqs { .. } => "on_sqs_message",
            EventSource::Kinesis { .. } => "on_kinesis_record",
            EventSource::Dynamodb { .. } => "on_dynamodb_record",
        }
    }

    /// Whether the function answers with the records that failed
    /// (`{"batchItemFailures": [...]}`), so that its event source mapping must say
    /// `FunctionResponseTypes: ["ReportBatchItemFailures"]`.
    pub fn reports_batch_item_failures(&self) -> bool {
        match self {
            EventSource::Sqs {
                report_batch_item_failures,
                ..
            }
            | EventSource::Kinesis {
                report_batch_item_failures,
                ..
            }
            | EventSource::Dynamodb {
                report_batch_item_failures,
                ..
            } => *report_batch_item_failures,
            _ => false,
        }
    }
}

/// Where a new stream mapping starts reading (Chalice's `starting_position`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StartingPosition {
    /// Only records added after the mapping is created (Chalice's default).
    #[default]
    Latest,
    /// Every record the stream still holds.
    TrimHorizon,
}

impl StartingPosition {
    /// The name Lambda's API uses (`LATEST`, `TRIM_HORIZON`).
    pub fn as_str(self) -> &'static str {
        match self {
            StartingPosition::Latest => "LATEST",
            StartingPosition::TrimHorizon => "TRIM_HORIZON",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_source_has_its_wire_form() {
        let cases = [
            (
                EventSource::LambdaFunction,
                json!({"name": "f", "source": "lambda_function"}),
            ),
            (
                EventSource::schedule("rate(5 minutes)"),
                json!({"name": "f", "source": "schedule", "expression": "rate(5 minutes)",
                       "description": ""}),
            ),
            (
                EventSource::cw_event(json!({"source": ["aws.ec2"]})),
                json!({"name": "f", "source": "cw_event", "event_pattern": {"source": ["aws.ec2"]},
                       "event_bus": "default"}),
            ),
            (
                EventSource::s3("b"),
                json!({"name": "f", "source": "s3", "bucket": "b",
                       "events": ["s3:ObjectCreated:*"], "prefix": null, "suffix": null}),
            ),
            (
                EventSource::Sns {
                    topic: "t".to_owned(),
                },
                json!({"name": "f", "source": "sns", "topic": "t"}),
            ),
            (
                EventSource::kinesis("s"),
                json!({"name": "f", "source": "kinesis", "stream": "s", "batch_size": 100,
                       "starting_position": "LATEST", "maximum_batching_window_in_seconds": 0,
                       "report_batch_item_failures": false}),
            ),
            (
                EventSource::Dynamodb {
                    stream_arn: "arn:s".to_owned(),
                    batch_size: 10,
                    starting_position: StartingPosition::TrimHorizon,
                    maximum_batching_window_in_seconds: 5,
                    report_batch_item_failures: true,
                },
                json!({"name": "f", "source": "dynamodb", "stream_arn": "arn:s", "batch_size": 10,
                       "starting_position": "TRIM_HORIZON",
                       "maximum_batching_window_in_seconds": 5,
                       "report_batch_item_failures": true}),
            ),
        ];
        for (source, wire) in cases {
            let function = FunctionManifest::new("f", source);
            assert_eq!(serde_json::to_value(&function).ok(), Some(wire.clone()));
            let read: FunctionManifest =
                serde_json::from_value(wire).expect("the wire form reads back");
            assert_eq!(read, function);
        }
    }

    #[test]
    fn only_batch_sources_report_failures() {
        let mut sqs = EventSource::sqs_queue("q");
        assert!(!sqs.reports_batch_item_failures());
        if let EventSource::Sqs {
            report_batch_item_failures,
            ..
        } = &mut sqs
        {
            *report_batch_item_failures = true;
        }
        assert!(sqs.reports_batch_item_failures());
        assert!(!EventSource::s3("b").reports_batch_item_failures());
    }

    #[test]
    fn an_unknown_source_is_refused() {
        let error = serde_json::from_value::<FunctionManifest>(
            json!({"name": "f", "source": "kafka", "topic": "t"}),
        )
        .expect_err("not a source this crate knows");
        assert!(
            error.to_string().starts_with("unknown variant `kafka`"),
            "{error}"
        );
    }
}
