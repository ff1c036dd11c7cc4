//! The event sources as the graph wants them: one [`EventSourceSpec`] per event handler,
//! its [`Trigger`] one kind's settings, and how people read them.

use std::fmt;

use chalice_manifest::{DEFAULT_EVENT_BUS, EventSource, FunctionManifest};
use serde::Serialize;

use crate::deploy::hash::hash;
use crate::deploy::state::{MappingRecord, Record, RuleRecord};

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
pub(super) fn statement_id(key: &str) -> String {
    format!("chalice-{key}")
}

/// The kinds of trigger, each with its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Trigger {
    /// An EventBridge rule, on a schedule or an event pattern.
    Rule(RuleSpec),
    /// A notification of a bucket.
    S3(S3Spec),
    /// A subscription to a topic.
    Sns(SnsSpec),
    /// An event source mapping from a queue or a stream.
    Mapping(MappingSpec),
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
            Trigger::Rule(RuleSpec {
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
            Trigger::Rule(RuleSpec {
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
            Trigger::S3(S3Spec {
                bucket: bucket.clone(),
                events: events.clone(),
                prefix: prefix.clone(),
                suffix: suffix.clone(),
            }),
        ),
        EventSource::Sns { topic } => (
            "sns-subscription",
            Trigger::Sns(SnsSpec {
                topic: topic.clone(),
            }),
        ),
        source @ (EventSource::Sqs { .. }
        | EventSource::Kinesis { .. }
        | EventSource::Dynamodb { .. }) => {
            let spec = MappingSpec::of(source)?;
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
                "{} event source mapping from {} ({})",
                mapping.kind.label(),
                mapping.source,
                Settings(mapping)
            )?,
        }
        write!(f, " for function {}", spec.function_name)
    }
}

/// A mapping's settings for people: `batch size 10`, and where a stream's starts reading
/// (it is why a mapping is deleted and created again).
pub(super) struct Settings<'a>(pub(super) &'a MappingSpec);

impl fmt::Display for Settings<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "batch size {}", self.0.batch_size)?;
        if let Some(position) = &self.0.starting_position {
            write!(f, ", starting at {position}")?;
        }
        Ok(())
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

// The kinds of trigger.

/// An EventBridge rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RuleSpec {
    pub(crate) rule_name: String,
    /// `rate(...)` or `cron(...)` (a schedule), or
    pub(crate) schedule_expression: Option<String>,
    /// an event pattern, as JSON text.
    pub(crate) event_pattern: Option<String>,
    pub(crate) description: String,
    pub(crate) event_bus: String,
}

impl RuleSpec {
    /// Whether `record` is this rule (same name, same bus).
    pub(super) fn same(&self, record: &RuleRecord) -> bool {
        self.rule_name == record.rule_name && self.event_bus == record.event_bus
    }
}

/// A bucket's notification of the function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct S3Spec {
    pub(crate) bucket: String,
    pub(crate) events: Vec<String>,
    pub(crate) prefix: Option<String>,
    pub(crate) suffix: Option<String>,
}

/// A subscription to a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct SnsSpec {
    /// The topic's name (in the function's account and region) or ARN.
    pub(crate) topic: String,
}

/// The sources a mapping reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum MappingKind {
    Sqs,
    Kinesis,
    Dynamodb,
}

impl MappingKind {
    /// The suffix of Chalice's resource name (`<name>-sqs-event-source`).
    pub(super) fn suffix(self) -> &'static str {
        match self {
            MappingKind::Sqs => "sqs-event-source",
            MappingKind::Kinesis => "kinesis-event-source",
            MappingKind::Dynamodb => "dynamodb-event-source",
        }
    }

    /// Its name for people.
    pub(super) fn label(self) -> &'static str {
        match self {
            MappingKind::Sqs => "SQS",
            MappingKind::Kinesis => "Kinesis",
            MappingKind::Dynamodb => "DynamoDB",
        }
    }
}

/// An event source mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct MappingSpec {
    pub(crate) kind: MappingKind,
    /// As the app names it: a queue's name or ARN, a Kinesis stream's name, a DynamoDB
    /// stream's ARN.
    pub(crate) source: String,
    pub(crate) batch_size: u32,
    pub(crate) maximum_batching_window_in_seconds: u32,
    /// SQS only.
    pub(crate) maximum_concurrency: Option<u32>,
    /// Streams only (`LATEST`, `TRIM_HORIZON`).
    pub(crate) starting_position: Option<String>,
    pub(crate) report_batch_item_failures: bool,
}

impl MappingSpec {
    /// The mapping of a queue or stream source; `None` for other sources.
    pub(super) fn of(source: &EventSource) -> Option<MappingSpec> {
        let reports = source.reports_batch_item_failures();
        match source {
            EventSource::Sqs {
                queue,
                queue_arn,
                batch_size,
                maximum_batching_window_in_seconds,
                maximum_concurrency,
                ..
            } => Some(MappingSpec {
                kind: MappingKind::Sqs,
                source: queue_arn.clone().or_else(|| queue.clone())?,
                batch_size: *batch_size,
                maximum_batching_window_in_seconds: *maximum_batching_window_in_seconds,
                maximum_concurrency: *maximum_concurrency,
                starting_position: None,
                report_batch_item_failures: reports,
            }),
            EventSource::Kinesis {
                stream,
                batch_size,
                starting_position,
                maximum_batching_window_in_seconds,
                ..
            } => Some(MappingSpec {
                kind: MappingKind::Kinesis,
                source: stream.clone(),
                batch_size: *batch_size,
                maximum_batching_window_in_seconds: *maximum_batching_window_in_seconds,
                maximum_concurrency: None,
                starting_position: Some(starting_position.as_str().to_owned()),
                report_batch_item_failures: reports,
            }),
            EventSource::Dynamodb {
                stream_arn,
                batch_size,
                starting_position,
                maximum_batching_window_in_seconds,
                ..
            } => Some(MappingSpec {
                kind: MappingKind::Dynamodb,
                source: stream_arn.clone(),
                batch_size: *batch_size,
                maximum_batching_window_in_seconds: *maximum_batching_window_in_seconds,
                maximum_concurrency: None,
                starting_position: Some(starting_position.as_str().to_owned()),
                report_batch_item_failures: reports,
            }),
            _ => None,
        }
    }

    /// Whether the source is a FIFO queue (SQS requires their names to end in `.fifo`).
    pub(crate) fn is_fifo(&self) -> bool {
        self.kind == MappingKind::Sqs && self.source.ends_with(".fifo")
    }

    /// The source's ARN, a name taken in the function's account and region.
    pub(crate) fn source_arn(&self, place: Place<'_>) -> String {
        match self.kind {
            MappingKind::Sqs => place.arn("sqs", &self.source),
            MappingKind::Kinesis if self.source.starts_with("arn:") => self.source.clone(),
            MappingKind::Kinesis => place.arn("kinesis", &format!("stream/{}", self.source)),
            MappingKind::Dynamodb => self.source.clone(),
        }
    }

    /// Whether `record` is a mapping of this kind from this source, starting where this one
    /// starts: Lambda's `UpdateEventSourceMapping` takes no `StartingPosition`, so a stream
    /// mapping that must start elsewhere is deleted and created again (a record that does
    /// not know its position is taken as it is).
    pub(super) fn same(&self, record: &Record) -> bool {
        let ((MappingKind::Sqs, Record::SqsEvent(recorded))
        | (MappingKind::Kinesis, Record::KinesisEvent(recorded))
        | (MappingKind::Dynamodb, Record::DynamodbEvent(recorded))) = (self.kind, record)
        else {
            return false;
        };
        if let (Some(wanted), Some(recorded)) =
            (&self.starting_position, &recorded.starting_position)
            && wanted != recorded
        {
            return false;
        }
        match Place::of(&recorded.lambda_arn) {
            Ok(place) => self.source_arn(place) == recorded.source_arn(),
            // A record without the function's ARN (Chalice's are complete): by name.
            Err(_) => [
                &recorded.queue,
                &recorded.queue_arn,
                &recorded.stream,
                &recorded.stream_arn,
            ]
            .into_iter()
            .any(|name| name.as_deref() == Some(self.source.as_str())),
        }
    }

    /// The record of the mapping `uuid` from `source_arn`, with Chalice's fields.
    pub(crate) fn record(
        &self,
        spec: &EventSourceSpec,
        uuid: String,
        source_arn: String,
        lambda_arn: &str,
    ) -> Record {
        let mut record = MappingRecord {
            name: spec.key.clone(),
            event_uuid: uuid,
            queue: None,
            queue_arn: None,
            stream: None,
            stream_arn: None,
            starting_position: self.starting_position.clone(),
            lambda_arn: lambda_arn.to_owned(),
            config_hash: spec.config_hash(),
        };
        match self.kind {
            MappingKind::Sqs => {
                record.queue = Some(source_arn.rsplit(':').next().unwrap_or_default().to_owned());
                record.queue_arn = Some(source_arn);
                Record::SqsEvent(record)
            }
            MappingKind::Kinesis => {
                record.stream = Some(
                    source_arn
                        .rsplit_once(":stream/")
                        .map_or(self.source.as_str(), |(_, name)| name)
                        .to_owned(),
                );
                record.stream_arn = Some(source_arn);
                Record::KinesisEvent(record)
            }
            MappingKind::Dynamodb => {
                record.stream_arn = Some(source_arn);
                Record::DynamodbEvent(record)
            }
        }
    }
}
