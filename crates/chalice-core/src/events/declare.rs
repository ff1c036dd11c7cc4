//! Declaring event handlers and pure functions: what each declaration keeps, the builders
//! that set a source's parameters after the call (Chalice's keyword arguments), and the
//! checks made when the app is built.

use std::panic::Location;
use std::sync::Arc;

use chalice_manifest::{EventSource, FunctionManifest, StartingPosition};
use serde_json::Value;

use super::cloudwatch::CloudWatchEvent;
use super::dynamodb::DynamoDbEvent;
use super::event::{Event, LambdaFunctionEvent};
use super::handler::ErasedHandler;
use super::kinesis::KinesisEvent;
use super::s3::S3Event;
use super::schedule::ScheduleExpression;
use super::sns::SnsEvent;
use super::sqs::SqsEvent;
use crate::definition_error::{DefinitionError, DefinitionErrorKind};

/// Reads an event of the function's source from its JSON text.
pub(crate) type Decoder = fn(&str) -> Result<Event, serde_json::Error>;

/// One declared function: its name, source and parameters, handler, and where it was
/// declared.
#[derive(Clone)]
pub(crate) struct FunctionDecl {
    /// The name given with `.name(..)`, else the function's own (`None` for a closure).
    pub(crate) name: Option<String>,
    pub(crate) source: EventSource,
    pub(crate) decode: Decoder,
    pub(crate) handler: Arc<ErasedHandler>,
    pub(crate) location: &'static Location<'static>,
}

impl FunctionDecl {
    pub(crate) fn new<H>(
        source: EventSource,
        decode: Decoder,
        handler: ErasedHandler,
        location: &'static Location<'static>,
    ) -> Self {
        FunctionDecl {
            name: default_name::<H>(),
            source,
            decode,
            handler: Arc::new(handler),
            location,
        }
    }

    /// The name, as messages and the handler table use it.
    pub(crate) fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }

    pub(crate) fn manifest(&self) -> FunctionManifest {
        FunctionManifest::new(self.name(), self.source.clone())
    }

    /// The mistakes in the declaration itself (names are compared across the app by
    /// [`check_names`]).
    pub(crate) fn check(&self, errors: &mut Vec<DefinitionError>) {
        let decorator = self.source.chalice_name();
        let Some(name) = &self.name else {
            let kind = DefinitionErrorKind::UnnamedHandler { decorator };
            errors.push(DefinitionError::new(kind, self.location));
            return;
        };
        if let Some(reason) = name_problem(name) {
            let kind = DefinitionErrorKind::InvalidFunctionName {
                name: name.clone(),
                reason,
            };
            errors.push(DefinitionError::new(kind, self.location));
        }
        let mut bad = |parameter: &'static str, reason: String| {
            let kind = DefinitionErrorKind::InvalidEventSource {
                name: name.clone(),
                decorator,
                parameter,
                reason,
            };
            errors.push(DefinitionError::new(kind, self.location));
        };
        match &self.source {
            EventSource::LambdaFunction => {}
            EventSource::Schedule { expression, .. } => {
                if let Err(reason) = ScheduleExpression::from(expression.as_str()).parse() {
                    let kind = DefinitionErrorKind::InvalidSchedule {
                        name: name.clone(),
                        expression: expression.clone(),
                        reason,
                    };
                    errors.push(DefinitionError::new(kind, self.location));
                }
            }
            EventSource::CwEvent {
                event_pattern,
                event_bus,
            } => {
                if event_pattern
                    .as_object()
                    .is_none_or(serde_json::Map::is_empty)
                {
                    bad(
                        "event_pattern",
                        format!(
                            "an event pattern is a JSON object with at least one field, such as \
                             {{\"source\": [\"aws.ec2\"]}}, not {event_pattern}"
                        ),
                    );
                }
                if event_bus.is_empty() {
                    bad("event_bus", "the event bus's name is empty".to_owned());
                }
            }
            EventSource::S3 { bucket, events, .. } => {
                if bucket.is_empty() {
                    bad("bucket", "the bucket's name is empty".to_owned());
                }
                if events.is_empty() {
                    bad(
                        "events",
                        "no events listed: S3 would notify nothing".to_owned(),
                    );
                }
                for event in events.iter().filter(|e| !e.starts_with("s3:")) {
                    bad(
                        "events",
                        format!(
                            "{event:?} is not an S3 event type (such as \"s3:ObjectCreated:*\")"
                        ),
                    );
                }
            }
            EventSource::Sns { topic } => {
                if topic.is_empty() {
                    bad("topic", "the topic's name or ARN is empty".to_owned());
                }
            }
            EventSource::Sqs {
                queue,
                queue_arn,
                batch_size,
                maximum_batching_window_in_seconds,
                maximum_concurrency,
                ..
            } => {
                match (queue, queue_arn) {
                    // Chalice's wording (chalice/deploy/validate.py).
                    (Some(queue), _)
                        if queue.starts_with("https:") || queue.starts_with("arn:") =>
                    {
                        bad(
                            "queue",
                            format!(
                                "The 'queue' parameter for the '@app.on_sqs_message()' handler must \
                             be the name of the queue, not the queue URL or the queue ARN.  \
                             Invalid value: {queue}"
                            ),
                        );
                    }
                    (Some(queue), _) if queue.is_empty() => {
                        bad("queue", "the queue's name is empty".to_owned());
                    }
                    (None, Some(arn)) if !arn.starts_with("arn:") => bad(
                        "queue_arn",
                        format!("the queue's ARN starts with arn:, this is {arn:?}"),
                    ),
                    _ => {}
                }
                // Lambda's limits (CreateEventSourceMapping).
                if !(1..=10_000).contains(batch_size) {
                    bad("batch_size", format!("{batch_size} is not 1 to 10000"));
                } else if *batch_size > 10 && *maximum_batching_window_in_seconds == 0 {
                    bad(
                        "batch_size",
                        format!(
                            "a batch of more than 10 messages ({batch_size}) needs a \
                             maximum_batching_window_in_seconds of at least 1"
                        ),
                    );
                }
                check_window(*maximum_batching_window_in_seconds, &mut bad);
                if let Some(concurrency) = maximum_concurrency
                    && !(2..=1000).contains(concurrency)
                {
                    bad(
                        "maximum_concurrency",
                        format!("{concurrency} is not 2 to 1000"),
                    );
                }
            }
            EventSource::Kinesis {
                stream,
                batch_size,
                maximum_batching_window_in_seconds,
                ..
            } => {
                if stream.is_empty() {
                    bad("stream", "the stream's name is empty".to_owned());
                }
                check_batch(*batch_size, &mut bad);
                check_window(*maximum_batching_window_in_seconds, &mut bad);
            }
            EventSource::Dynamodb {
                stream_arn,
                batch_size,
                maximum_batching_window_in_seconds,
                ..
            } => {
                if !stream_arn.starts_with("arn:") {
                    bad(
                        "stream_arn",
                        format!("the stream's ARN starts with arn:, this is {stream_arn:?}"),
                    );
                }
                check_batch(*batch_size, &mut bad);
                check_window(*maximum_batching_window_in_seconds, &mut bad);
            }
        }
    }
}

fn check_batch(batch_size: u32, bad: &mut impl FnMut(&'static str, String)) {
    if !(1..=10_000).contains(&batch_size) {
        bad("batch_size", format!("{batch_size} is not 1 to 10000"));
    }
}

fn check_window(seconds: u32, bad: &mut impl FnMut(&'static str, String)) {
    if seconds > 300 {
        bad(
            "maximum_batching_window_in_seconds",
            format!("{seconds} is more than 300"),
        );
    }
}

/// The name the API handler's function has in the deployment (Chalice's), which no other
/// function may take.
const API_HANDLER: &str = "api_handler";

/// Why `name` cannot name a Lambda function of the app, if it cannot.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".to_owned());
    }
    if name == API_HANDLER {
        return Some("it is the API handler's".to_owned());
    }
    name.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        .map(|c| {
            format!("{c:?} is not allowed: Lambda function names take letters, digits, '-' and '_'")
        })
}

/// Duplicate names among the app's functions, built-in authorizers included (`taken` lists
/// those in declaration order).
pub(crate) fn check_names(
    taken: &[&str],
    functions: &[FunctionDecl],
    errors: &mut Vec<DefinitionError>,
) {
    for (i, function) in functions.iter().enumerate() {
        let Some(name) = &function.name else { continue };
        let earlier_function = functions[..i]
            .iter()
            .any(|other| other.name.as_deref() == Some(name));
        if earlier_function || taken.contains(&name.as_str()) {
            let kind = DefinitionErrorKind::DuplicateFunctionName { name: name.clone() };
            errors.push(DefinitionError::new(kind, function.location));
        }
    }
}

/// A function's name as Chalice gives it by default: the function's own; `None` for a
/// closure, which has none that could name a Lambda function.
pub(crate) fn default_name<H>() -> Option<String> {
    let full = std::any::type_name::<H>();
    let last = full.rsplit("::").next().unwrap_or(full);
    (!last.contains(['{', '<', ' '])).then(|| last.to_owned())
}

pub(crate) fn decode_scheduled(text: &str) -> Result<Event, serde_json::Error> {
    serde_json::from_str::<CloudWatchEvent>(text).map(Event::Scheduled)
}

pub(crate) fn decode_cloudwatch(text: &str) -> Result<Event, serde_json::Error> {
    serde_json::from_str::<CloudWatchEvent>(text).map(Event::CloudWatch)
}

pub(crate) fn decode_s3(text: &str) -> Result<Event, serde_json::Error> {
    serde_json::from_str::<S3Event>(text).map(Event::S3)
}

pub(crate) fn decode_sns(text: &str) -> Result<Event, serde_json::Error> {
    serde_json::from_str::<SnsEvent>(text).map(Event::Sns)
}

pub(crate) fn decode_sqs(text: &str) -> Result<Event, serde_json::Error> {
    serde_json::from_str::<SqsEvent>(text).map(Event::Sqs)
}

pub(crate) fn decode_kinesis(text: &str) -> Result<Event, serde_json::Error> {
    serde_json::from_str::<KinesisEvent>(text).map(Event::Kinesis)
}

pub(crate) fn decode_dynamodb(text: &str) -> Result<Event, serde_json::Error> {
    serde_json::from_str::<DynamoDbEvent>(text).map(Event::DynamoDb)
}

pub(crate) fn decode_payload(text: &str) -> Result<Event, serde_json::Error> {
    serde_json::from_str::<Box<serde_json::value::RawValue>>(text).map(|payload| {
        Event::LambdaFunction(LambdaFunctionEvent {
            payload,
            context: Default::default(),
        })
    })
}

/// The decoder of each source. Referenced only from the declaration methods, which are
/// generic over the handler: an app that declares no event handler links none of them.
pub(crate) mod decoders {
    pub(crate) use super::{
        decode_cloudwatch as cloudwatch, decode_dynamodb as dynamodb, decode_kinesis as kinesis,
        decode_payload as payload, decode_s3 as s3, decode_scheduled as scheduled,
        decode_sns as sns, decode_sqs as sqs,
    };
}

/// The queue of an `on_sqs_message` handler: its name (from a string) or its ARN.
///
/// ```
/// use chalice_core::SqsQueue;
///
/// assert_eq!(SqsQueue::from("jobs"), SqsQueue::Name("jobs".to_owned()));
/// let arn = SqsQueue::Arn("arn:aws:sqs:us-east-1:123456789012:jobs".to_owned());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqsQueue {
    /// The queue's name, in the app's account and region.
    Name(String),
    /// The queue's ARN (another account's, say).
    Arn(String),
}

impl From<&str> for SqsQueue {
    fn from(name: &str) -> Self {
        SqsQueue::Name(name.to_owned())
    }
}

impl From<String> for SqsQueue {
    fn from(name: String) -> Self {
        SqsQueue::Name(name)
    }
}

macro_rules! builder {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name<'a> {
            pub(crate) decl: &'a mut FunctionDecl,
        }

        impl $name<'_> {
            /// Names the function (default: the handler function's name). The name is the
            /// function's in the deployment (`<app>-<stage>-<name>`) and in
            /// `client.lambda_().invoke(name, ..)`; it must be unique in the app.
            pub fn name(self, name: impl Into<String>) -> Self {
                self.decl.name = Some(name.into());
                self
            }
        }

        impl std::fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("name", &self.decl.name)
                    .field("source", &self.decl.source)
                    .finish()
            }
        }
    };
}

builder!(
    /// The options of a `schedule` handler; see [`crate::Chalice::schedule`].
    OnSchedule
);
builder!(
    /// The options of an `on_cw_event` handler; see [`crate::Chalice::on_cw_event`].
    OnCwEvent
);
builder!(
    /// The options of an `on_s3_event` handler; see [`crate::Chalice::on_s3_event`].
    OnS3Event
);
builder!(
    /// The options of an `on_sns_message` handler; see [`crate::Chalice::on_sns_message`].
    OnSnsMessage
);
builder!(
    /// The options of an `on_sqs_message` handler; see [`crate::Chalice::on_sqs_message`].
    OnSqsMessage
);
builder!(
    /// The options of an `on_kinesis_record` handler; see
    /// [`crate::Chalice::on_kinesis_record`].
    OnKinesisRecord
);
builder!(
    /// The options of an `on_dynamodb_record` handler; see
    /// [`crate::Chalice::on_dynamodb_record`].
    OnDynamoDbRecord
);
builder!(
    /// The options of a pure function; see [`crate::Chalice::lambda_function`].
    LambdaFunction
);

impl OnSchedule<'_> {
    /// The EventBridge rule's description (default: none).
    pub fn description(self, text: impl Into<String>) -> Self {
        if let EventSource::Schedule { description, .. } = &mut self.decl.source {
            *description = text.into();
        }
        self
    }
}

impl OnCwEvent<'_> {
    /// The event bus the rule listens on (default: `default`), by name or ARN.
    pub fn event_bus(self, bus: impl Into<String>) -> Self {
        if let EventSource::CwEvent { event_bus, .. } = &mut self.decl.source {
            *event_bus = bus.into();
        }
        self
    }
}

impl OnS3Event<'_> {
    /// The events notified (default: `["s3:ObjectCreated:*"]`).
    pub fn events<I>(self, list: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        if let EventSource::S3 { events, .. } = &mut self.decl.source {
            *events = list.into_iter().map(Into::into).collect();
        }
        self
    }

    /// Only keys starting with `prefix`.
    pub fn prefix(self, value: impl Into<String>) -> Self {
        if let EventSource::S3 { prefix, .. } = &mut self.decl.source {
            *prefix = Some(value.into());
        }
        self
    }

    /// Only keys ending with `suffix`.
    pub fn suffix(self, value: impl Into<String>) -> Self {
        if let EventSource::S3 { suffix, .. } = &mut self.decl.source {
            *suffix = Some(value.into());
        }
        self
    }
}

macro_rules! batch_options {
    ($builder:ident, $variant:ident, $range:literal) => {
        impl $builder<'_> {
            #[doc = concat!("Records per invocation (", $range, ").")]
            pub fn batch_size(self, size: u32) -> Self {
                if let EventSource::$variant { batch_size, .. } = &mut self.decl.source {
                    *batch_size = size;
                }
                self
            }

            /// How long Lambda gathers records before it invokes, in seconds (0 to 300;
            /// default 0).
            pub fn maximum_batching_window_in_seconds(self, seconds: u32) -> Self {
                if let EventSource::$variant {
                    maximum_batching_window_in_seconds,
                    ..
                } = &mut self.decl.source
                {
                    *maximum_batching_window_in_seconds = seconds;
                }
                self
            }
        }
    };
}

batch_options!(
    OnSqsMessage,
    Sqs,
    "1 to 10000; default 1, more than 10 needs a batching window"
);
batch_options!(OnKinesisRecord, Kinesis, "1 to 10000; default 100");
batch_options!(OnDynamoDbRecord, Dynamodb, "1 to 10000; default 100");

impl OnSqsMessage<'_> {
    /// How many invocations the mapping runs at once (2 to 1000; default: as many as Lambda
    /// allows).
    pub fn maximum_concurrency(self, limit: u32) -> Self {
        if let EventSource::Sqs {
            maximum_concurrency,
            ..
        } = &mut self.decl.source
        {
            *maximum_concurrency = Some(limit);
        }
        self
    }
}

impl OnKinesisRecord<'_> {
    /// Where a new mapping starts reading (default [`StartingPosition::Latest`]).
    pub fn starting_position(self, position: StartingPosition) -> Self {
        if let EventSource::Kinesis {
            starting_position, ..
        } = &mut self.decl.source
        {
            *starting_position = position;
        }
        self
    }
}

impl OnDynamoDbRecord<'_> {
    /// Where a new mapping starts reading (default [`StartingPosition::Latest`]).
    pub fn starting_position(self, position: StartingPosition) -> Self {
        if let EventSource::Dynamodb {
            starting_position, ..
        } = &mut self.decl.source
        {
            *starting_position = position;
        }
        self
    }
}

/// The source of an `on_sqs_message` handler, with Chalice's defaults.
pub(crate) fn sqs_source(queue: SqsQueue, reports: bool) -> EventSource {
    let (queue, queue_arn) = match queue {
        SqsQueue::Name(name) => (Some(name), None),
        SqsQueue::Arn(arn) => (None, Some(arn)),
    };
    EventSource::Sqs {
        queue,
        queue_arn,
        batch_size: chalice_manifest::DEFAULT_SQS_BATCH_SIZE,
        maximum_batching_window_in_seconds: 0,
        maximum_concurrency: None,
        report_batch_item_failures: reports,
    }
}

/// Sets a batch source's `report_batch_item_failures`.
pub(crate) fn reporting(mut source: EventSource, reports: bool) -> EventSource {
    if let EventSource::Kinesis {
        report_batch_item_failures,
        ..
    }
    | EventSource::Dynamodb {
        report_batch_item_failures,
        ..
    } = &mut source
    {
        *report_batch_item_failures = reports;
    }
    source
}

/// An event pattern as given.
pub(crate) fn pattern(value: Value) -> EventSource {
    EventSource::cw_event(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_suit_lambda() {
        let cases = [
            ("nightly_job", None),
            ("resize-images", None),
            ("", Some("it is empty")),
            ("api_handler", Some("it is the API handler's")),
            (
                "my job",
                Some("' ' is not allowed: Lambda function names take letters, digits, '-' and '_'"),
            ),
        ];
        for (name, problem) in cases {
            assert_eq!(name_problem(name).as_deref(), problem, "{name:?}");
        }
    }
}
