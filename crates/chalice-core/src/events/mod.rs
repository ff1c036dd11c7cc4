//! Event sources and pure functions: everything of an app besides its API.
//!
//! An app declares handlers with Chalice's names ([`crate::Chalice::schedule`],
//! `on_cw_event`, `on_s3_event`, `on_sns_message`, `on_sqs_message`, `on_kinesis_record`,
//! `on_dynamodb_record`, `lambda_function`), each with its source's parameters; they are
//! checked when the app is built and listed in its manifest, from which the CLI writes each
//! function and its trigger. Every one is an entry of the app's one handler table, called
//! by name:
//!
//! ```text
//!  Lambda (CHALICE_HANDLER=name) ─┐
//!  local server (/_chalice/invoke/name, schedules) ─┼─► Chalice::invoke(name, event JSON)
//!  test client (lambda_().invoke) ─┘        │ decode once, for the source
//!                                           ▼
//!                              event middleware ─► handler ─► answer JSON
//! ```

mod batch;
mod chain;
mod cloudwatch;
mod cron;
mod declare;
mod dynamodb;
mod event;
mod handler;
mod invoke;
mod kinesis;
mod register;
mod s3;
mod schedule;
mod sns;
mod sqs;

pub use self::batch::{BatchItemFailure, BatchItemFailures};
#[doc(hidden)]
pub use self::chain::ErasedEventMiddleware;
pub use self::chain::{EventMiddlewareFn, EventNext};
pub use self::cloudwatch::CloudWatchEvent;
pub use self::declare::{
    LambdaFunction, OnCwEvent, OnDynamoDbRecord, OnKinesisRecord, OnS3Event, OnSchedule,
    OnSnsMessage, OnSqsMessage, SqsQueue,
};
pub use self::dynamodb::{DynamoDbEvent, DynamoDbRecord, plain_json};
#[doc(hidden)]
pub use self::event::FromEvent;
pub use self::event::{Event, LambdaFunctionEvent};
pub use self::handler::{
    BatchHandler, BatchOutput, EventHandler, EventOutput, FunctionHandler, FunctionOutput,
};
#[doc(hidden)]
pub use self::handler::{ErasedHandler, HandlerFuture, markers as event_markers};
pub use self::invoke::InvokeError;
pub use self::kinesis::{KinesisEvent, KinesisRecord};
pub use self::s3::{S3Event, S3Record};
pub use self::schedule::{Cron, Rate, RateUnit, Schedule, ScheduleExpression};
pub use self::sns::{SnsEvent, SnsMessageAttribute, SnsRecord};
pub use self::sqs::{SqsEvent, SqsMessageAttribute, SqsRecord};

pub(crate) use self::declare::{default_name, name_problem};
pub(crate) use self::register::Functions;
pub use self::schedule::scheduled_event;
