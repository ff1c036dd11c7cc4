//! [`Event`]: one invocation's event, typed by its source, as middleware sees it; and how a
//! handler's argument is taken from it.

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::cloudwatch::CloudWatchEvent;
use super::dynamodb::DynamoDbEvent;
use super::kinesis::KinesisEvent;
use super::s3::S3Event;
use super::sns::SnsEvent;
use super::sqs::SqsEvent;
use crate::error::ChaliceError;
use crate::lambda_context::LambdaContext;
use crate::middleware::EventType;
use crate::websocket::WebsocketEvent;

/// One invocation of an event handler or a pure function, its event decoded for its source
/// (Chalice hands its middleware the same typed objects).
///
/// Event middleware ([`crate::Chalice::event_middleware`]) receives it and may read or
/// replace it before passing it on; the handler then gets its own type out of it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event {
    /// A scheduled rule's tick (`schedule`).
    Scheduled(CloudWatchEvent),
    /// An EventBridge event matching a pattern (`on_cw_event`).
    CloudWatch(CloudWatchEvent),
    /// S3 notifications (`on_s3_event`).
    S3(S3Event),
    /// SNS notifications (`on_sns_message`).
    Sns(SnsEvent),
    /// SQS messages (`on_sqs_message`).
    Sqs(SqsEvent),
    /// Kinesis records (`on_kinesis_record`).
    Kinesis(KinesisEvent),
    /// DynamoDB stream records (`on_dynamodb_record`).
    DynamoDb(DynamoDbEvent),
    /// A pure function's payload (`lambda_function`).
    LambdaFunction(LambdaFunctionEvent),
    /// A WebSocket connection's event (`on_ws_connect`, `on_ws_message`, ...).
    Websocket(WebsocketEvent),
}

impl Event {
    /// The kind of event, as middleware are registered for.
    pub fn event_type(&self) -> EventType {
        match self {
            Event::Scheduled(_) => EventType::Scheduled,
            Event::CloudWatch(_) => EventType::CloudWatch,
            Event::S3(_) => EventType::S3,
            Event::Sns(_) => EventType::Sns,
            Event::Sqs(_) => EventType::Sqs,
            Event::Kinesis(_) => EventType::Kinesis,
            Event::DynamoDb(_) => EventType::DynamoDb,
            Event::LambdaFunction(_) => EventType::PureLambda,
            Event::Websocket(_) => EventType::Websocket,
        }
    }

    /// The Lambda invocation's context.
    pub fn context(&self) -> &LambdaContext {
        match self {
            Event::Scheduled(e) | Event::CloudWatch(e) => &e.context,
            Event::S3(e) => &e.context,
            Event::Sns(e) => &e.context,
            Event::Sqs(e) => &e.context,
            Event::Kinesis(e) => &e.context,
            Event::DynamoDb(e) => &e.context,
            Event::LambdaFunction(e) => &e.context,
            Event::Websocket(e) => &e.context,
        }
    }

    pub(crate) fn set_context(&mut self, context: LambdaContext) {
        let slot = match self {
            Event::Scheduled(e) | Event::CloudWatch(e) => &mut e.context,
            Event::S3(e) => &mut e.context,
            Event::Sns(e) => &mut e.context,
            Event::Sqs(e) => &mut e.context,
            Event::Kinesis(e) => &mut e.context,
            Event::DynamoDb(e) => &mut e.context,
            Event::LambdaFunction(e) => &mut e.context,
            Event::Websocket(e) => &mut e.context,
        };
        *slot = context;
    }
}

/// A pure function's payload, as JSON text (Chalice's `LambdaFunctionEvent`): the
/// function's own argument type is read from it after the middleware ran.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LambdaFunctionEvent {
    /// The payload the function was invoked with.
    pub payload: Box<RawValue>,
    /// The Lambda invocation's context.
    pub context: LambdaContext,
}

impl LambdaFunctionEvent {
    /// The payload read as `T`.
    ///
    /// # Errors
    ///
    /// A `BadRequestError` saying why the payload is not a `T`.
    pub fn payload_as<T: DeserializeOwned>(&self) -> Result<T, ChaliceError> {
        serde_json::from_str(self.payload.get()).map_err(|error| {
            ChaliceError::bad_request(format!(
                "the payload does not fit the function's argument ({}): {error}",
                std::any::type_name::<T>()
            ))
        })
    }
}

/// A handler's argument, taken out of the [`Event`] its source delivers.
#[doc(hidden)]
pub trait FromEvent: Sized + Send + 'static {
    /// What the handler's source delivers (for the message when a middleware replaced the
    /// event with another kind).
    const EXPECTED: EventType;

    /// The argument, or `None` for another kind of event.
    fn from_event(event: Event) -> Option<Result<Self, ChaliceError>>;
}

macro_rules! from_event {
    ($ty:ty, $variant:ident, $kind:ident) => {
        impl FromEvent for $ty {
            const EXPECTED: EventType = EventType::$kind;

            fn from_event(event: Event) -> Option<Result<Self, ChaliceError>> {
                match event {
                    Event::$variant(event) => Some(Ok(event)),
                    _ => None,
                }
            }
        }
    };
}

from_event!(S3Event, S3, S3);
from_event!(SnsEvent, Sns, Sns);
from_event!(SqsEvent, Sqs, Sqs);
from_event!(KinesisEvent, Kinesis, Kinesis);
from_event!(DynamoDbEvent, DynamoDb, DynamoDb);
from_event!(WebsocketEvent, Websocket, Websocket);

impl<D> FromEvent for CloudWatchEvent<D>
where
    D: DeserializeOwned + Send + 'static,
{
    const EXPECTED: EventType = EventType::CloudWatch;

    fn from_event(event: Event) -> Option<Result<Self, ChaliceError>> {
        let (Event::Scheduled(mut event) | Event::CloudWatch(mut event)) = event else {
            return None;
        };
        let detail = std::mem::take(&mut event.detail);
        Some(
            serde_json::from_value::<D>(detail)
                .map(|detail| event.with_detail(detail))
                .map_err(|error| {
                    ChaliceError::bad_request(format!(
                        "the event's detail does not fit the handler's type ({}): {error}",
                        std::any::type_name::<D>()
                    ))
                }),
        )
    }
}
