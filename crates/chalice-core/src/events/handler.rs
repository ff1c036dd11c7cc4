//! Event handlers and pure functions: the shapes they may have, what they may return, and
//! the one boxed form the handler table keeps.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::batch::BatchItemFailures;
use super::event::{Event, FromEvent};
use crate::error::{ChaliceError, MessageError};
use crate::lambda_context::LambdaContext;
use crate::response::Json;

/// What the table calls: a handler in one of two forms, its answer as JSON.
#[doc(hidden)]
pub enum ErasedHandler {
    Sync(Box<dyn Fn(Event) -> Result<Value, ChaliceError> + Send + Sync>),
    Async(Box<dyn Fn(Event) -> HandlerFuture + Send + Sync>),
}

#[doc(hidden)]
pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Value, ChaliceError>> + Send>>;

/// What an event handler (schedule, EventBridge, S3, SNS) may return: `()` or
/// `Result<(), E>` where `E` converts to a [`ChaliceError`] (any `std::error::Error` does). An
/// `Err` fails the invocation, which Lambda retries as the source's rules say.
pub trait EventOutput {
    /// The answer sent back to Lambda.
    #[doc(hidden)]
    fn into_answer(self) -> Result<Value, ChaliceError>;
}

impl EventOutput for () {
    fn into_answer(self) -> Result<Value, ChaliceError> {
        Ok(Value::Null)
    }
}

impl<E: Into<ChaliceError>> EventOutput for Result<(), E> {
    fn into_answer(self) -> Result<Value, ChaliceError> {
        self.map(|()| Value::Null).map_err(Into::into)
    }
}

/// What an SQS, Kinesis or DynamoDB handler may return: what an [`EventOutput`] may, or
/// [`BatchItemFailures`] (bare or in a `Result`), which declares its mapping with
/// `ReportBatchItemFailures` so that only the records it names are retried.
pub trait BatchOutput {
    /// Whether the handler reports failed records.
    #[doc(hidden)]
    const REPORTS_FAILURES: bool;

    /// The answer sent back to Lambda.
    #[doc(hidden)]
    fn into_answer(self) -> Result<Value, ChaliceError>;
}

impl BatchOutput for () {
    const REPORTS_FAILURES: bool = false;

    fn into_answer(self) -> Result<Value, ChaliceError> {
        Ok(Value::Null)
    }
}

impl<E: Into<ChaliceError>> BatchOutput for Result<(), E> {
    const REPORTS_FAILURES: bool = false;

    fn into_answer(self) -> Result<Value, ChaliceError> {
        self.map(|()| Value::Null).map_err(Into::into)
    }
}

impl BatchOutput for BatchItemFailures {
    const REPORTS_FAILURES: bool = true;

    fn into_answer(self) -> Result<Value, ChaliceError> {
        to_json(&self)
    }
}

impl<E: Into<ChaliceError>> BatchOutput for Result<BatchItemFailures, E> {
    const REPORTS_FAILURES: bool = true;

    fn into_answer(self) -> Result<Value, ChaliceError> {
        to_json(&self.map_err(Into::into)?)
    }
}

/// What a pure function may return: `Result<T, E>` or [`Json<T>`] for any `Serialize`
/// `T`, a [`serde_json::Value`], or `()` (JSON `null`).
pub trait FunctionOutput {
    /// The answer sent back to the caller.
    #[doc(hidden)]
    fn into_answer(self) -> Result<Value, ChaliceError>;
}

impl<T: Serialize, E: Into<ChaliceError>> FunctionOutput for Result<T, E> {
    fn into_answer(self) -> Result<Value, ChaliceError> {
        to_json(&self.map_err(Into::into)?)
    }
}

impl<T: Serialize> FunctionOutput for Json<T> {
    fn into_answer(self) -> Result<Value, ChaliceError> {
        to_json(&self.0)
    }
}

impl FunctionOutput for Value {
    fn into_answer(self) -> Result<Value, ChaliceError> {
        Ok(self)
    }
}

impl FunctionOutput for () {
    fn into_answer(self) -> Result<Value, ChaliceError> {
        Ok(Value::Null)
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<Value, ChaliceError> {
    serde_json::to_value(value).map_err(|error| {
        ChaliceError::unhandled(MessageError(format!(
            "the handler's answer could not be written as JSON: {error}"
        )))
    })
}

/// The handler's argument out of the event, or why it is not there.
fn take<E: FromEvent>(event: Event) -> Result<E, ChaliceError> {
    let got = event.event_type();
    E::from_event(event).unwrap_or_else(|| {
        Err(ChaliceError::unhandled(MessageError(format!(
            "the handler takes {} events, and a middleware passed it a {} event",
            E::EXPECTED.as_str(),
            got.as_str()
        ))))
    })
}

/// A function that handles events of type `E` (schedule, EventBridge, S3, SNS): sync or
/// async, taking the event by value, returning an [`EventOutput`].
///
/// | shape | example |
/// |---|---|
/// | `Fn(E) -> R` | `fn on_upload(event: S3Event) -> Result<(), ChaliceError>` |
/// | `Fn(E) -> impl Future<Output = R>` | `async fn on_upload(event: S3Event)` |
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a handler of `{E}`",
    label = "not an event handler",
    note = "an event handler is a fn or closure taking the event by value (sync or async), \
            returning () or Result<(), E>; closures must name their argument type"
)]
pub trait EventHandler<E, Marker>: Send + Sync + 'static {
    /// Boxes the handler.
    #[doc(hidden)]
    fn erase(self) -> ErasedHandler;
}

/// A function that handles batches of type `E` (SQS, Kinesis, DynamoDB): as an
/// [`EventHandler`], or returning [`BatchItemFailures`] to report the records that failed.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a handler of `{E}`",
    label = "not a batch handler",
    note = "a batch handler is a fn or closure taking the event by value (sync or async), \
            returning (), BatchItemFailures or a Result of either; closures must name their \
            argument type"
)]
pub trait BatchHandler<E, Marker>: Send + Sync + 'static {
    /// Whether the handler reports failed records.
    #[doc(hidden)]
    const REPORTS_FAILURES: bool;

    /// Boxes the handler.
    #[doc(hidden)]
    fn erase(self) -> ErasedHandler;
}

/// A pure function (`lambda_function`): sync or async, taking its payload as any
/// `serde` type (a [`serde_json::Value`] for JSON as it is) and, optionally, the Lambda
/// context; returning a [`FunctionOutput`].
///
/// | shape | example |
/// |---|---|
/// | `Fn(T) -> R` | `fn add(numbers: Vec<i64>) -> Json<i64>` |
/// | `Fn(T, LambdaContext) -> R` | `fn whoami(_: Value, context: LambdaContext) -> Json<String>` |
/// | `Fn(T) -> impl Future<Output = R>` | `async fn resize(job: Job) -> Result<Done, ChaliceError>` |
/// | `Fn(T, LambdaContext) -> impl Future<Output = R>` | `async fn f(job: Job, context: LambdaContext) -> Value` |
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a pure Lambda function",
    label = "not a pure function",
    note = "a pure function is a fn or closure taking its payload (any DeserializeOwned type) \
            and optionally the LambdaContext, returning Result<T, E>, Json<T>, Value or (); \
            closures must name their argument types"
)]
pub trait FunctionHandler<Marker>: Send + Sync + 'static {
    /// Boxes the function.
    #[doc(hidden)]
    fn erase(self) -> ErasedHandler;
}

/// Markers telling the shapes apart; they never appear in user code.
#[doc(hidden)]
pub mod markers {
    use std::marker::PhantomData;

    pub struct Sync<R>(PhantomData<R>);
    pub struct Async<R>(PhantomData<R>);
    pub struct Payload<T, R>(PhantomData<(T, R)>);
    pub struct PayloadContext<T, R>(PhantomData<(T, R)>);
    pub struct AsyncPayload<T, R>(PhantomData<(T, R)>);
    pub struct AsyncPayloadContext<T, R>(PhantomData<(T, R)>);
}

impl<F, E, R> EventHandler<E, markers::Sync<R>> for F
where
    F: Fn(E) -> R + Send + Sync + 'static,
    E: FromEvent,
    R: EventOutput,
{
    fn erase(self) -> ErasedHandler {
        ErasedHandler::Sync(Box::new(move |event| self(take(event)?).into_answer()))
    }
}

impl<F, E, Fut> EventHandler<E, markers::Async<Fut>> for F
where
    F: Fn(E) -> Fut + Send + Sync + 'static,
    E: FromEvent,
    Fut: Future + Send + 'static,
    Fut::Output: EventOutput,
{
    fn erase(self) -> ErasedHandler {
        ErasedHandler::Async(Box::new(move |event| match take(event) {
            Ok(event) => {
                let future = self(event);
                Box::pin(async move { future.await.into_answer() })
            }
            Err(error) => Box::pin(std::future::ready(Err(error))),
        }))
    }
}

impl<F, E, R> BatchHandler<E, markers::Sync<R>> for F
where
    F: Fn(E) -> R + Send + Sync + 'static,
    E: FromEvent,
    R: BatchOutput,
{
    const REPORTS_FAILURES: bool = R::REPORTS_FAILURES;

    fn erase(self) -> ErasedHandler {
        ErasedHandler::Sync(Box::new(move |event| self(take(event)?).into_answer()))
    }
}

impl<F, E, Fut> BatchHandler<E, markers::Async<Fut>> for F
where
    F: Fn(E) -> Fut + Send + Sync + 'static,
    E: FromEvent,
    Fut: Future + Send + 'static,
    Fut::Output: BatchOutput,
{
    const REPORTS_FAILURES: bool = <Fut::Output as BatchOutput>::REPORTS_FAILURES;

    fn erase(self) -> ErasedHandler {
        ErasedHandler::Async(Box::new(move |event| match take(event) {
            Ok(event) => {
                let future = self(event);
                Box::pin(async move { future.await.into_answer() })
            }
            Err(error) => Box::pin(std::future::ready(Err(error))),
        }))
    }
}

/// The payload and context of a pure function's invocation.
fn payload<T: DeserializeOwned>(event: Event) -> Result<(T, LambdaContext), ChaliceError> {
    match event {
        Event::LambdaFunction(event) => {
            let payload = event.payload_as::<T>()?;
            Ok((payload, event.context))
        }
        other => Err(ChaliceError::unhandled(MessageError(format!(
            "the function takes a payload, and a middleware passed it a {} event",
            other.event_type().as_str()
        )))),
    }
}

impl<F, T, R> FunctionHandler<markers::Payload<T, R>> for F
where
    F: Fn(T) -> R + Send + Sync + 'static,
    T: DeserializeOwned + Send + 'static,
    R: FunctionOutput,
{
    fn erase(self) -> ErasedHandler {
        ErasedHandler::Sync(Box::new(move |event| {
            let (payload, _) = payload::<T>(event)?;
            self(payload).into_answer()
        }))
    }
}

impl<F, T, R> FunctionHandler<markers::PayloadContext<T, R>> for F
where
    F: Fn(T, LambdaContext) -> R + Send + Sync + 'static,
    T: DeserializeOwned + Send + 'static,
    R: FunctionOutput,
{
    fn erase(self) -> ErasedHandler {
        ErasedHandler::Sync(Box::new(move |event| {
            let (payload, context) = payload::<T>(event)?;
            self(payload, context).into_answer()
        }))
    }
}

impl<F, T, Fut> FunctionHandler<markers::AsyncPayload<T, Fut>> for F
where
    F: Fn(T) -> Fut + Send + Sync + 'static,
    T: DeserializeOwned + Send + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: FunctionOutput,
{
    fn erase(self) -> ErasedHandler {
        ErasedHandler::Async(Box::new(move |event| match payload::<T>(event) {
            Ok((payload, _)) => {
                let future = self(payload);
                Box::pin(async move { future.await.into_answer() })
            }
            Err(error) => Box::pin(std::future::ready(Err(error))),
        }))
    }
}

impl<F, T, Fut> FunctionHandler<markers::AsyncPayloadContext<T, Fut>> for F
where
    F: Fn(T, LambdaContext) -> Fut + Send + Sync + 'static,
    T: DeserializeOwned + Send + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: FunctionOutput,
{
    fn erase(self) -> ErasedHandler {
        ErasedHandler::Async(Box::new(move |event| match payload::<T>(event) {
            Ok((payload, context)) => {
                let future = self(payload, context);
                Box::pin(async move { future.await.into_answer() })
            }
            Err(error) => Box::pin(std::future::ready(Err(error))),
        }))
    }
}
