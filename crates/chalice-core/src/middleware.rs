//! Middleware (Chalice's `@app.middleware`).
//!
//! A middleware is an async function of the request and [`Next`], the rest of the chain:
//! it may answer by itself (short-circuit), change the request it passes on, and read or
//! change the response `next.run(request)` gives back, which is the answer the client would
//! get (a view's error already made into its response, which still holds the error).
//! Middleware run in registration order, the first registered outermost. The chain ends in
//! the route's answer, which dispatch makes (`handoff.rs` says how).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::current::{self, Scoped};
use crate::error::ChaliceError;
use crate::handoff::Handoff;
use crate::request::Request;
use crate::response::{IntoResponse, Response};

/// The events a middleware applies to (Chalice's `'all'`, `'http'`, ...).
///
/// HTTP middleware (`Chalice::middleware`) take `All` or `Http` and see requests; event
/// middleware (`Chalice::event_middleware`) take `All` or an event source's kind and see
/// that source's typed events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventType {
    /// Every event the app handles.
    All,
    /// API Gateway HTTP requests.
    Http,
    /// Scheduled events (`schedule`).
    Scheduled,
    /// EventBridge events matching a pattern (`on_cw_event`).
    CloudWatch,
    /// S3 notifications (`on_s3_event`).
    S3,
    /// SNS notifications (`on_sns_message`).
    Sns,
    /// SQS messages (`on_sqs_message`).
    Sqs,
    /// Kinesis records (`on_kinesis_record`).
    Kinesis,
    /// DynamoDB stream records (`on_dynamodb_record`).
    DynamoDb,
    /// Pure functions' invocations (`lambda_function`).
    PureLambda,
    /// WebSocket events (`on_ws_connect`, `on_ws_message`, custom routes,
    /// `on_ws_disconnect`).
    Websocket,
}

impl EventType {
    /// Chalice's name for it.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventType::All => "all",
            EventType::Http => "http",
            EventType::Scheduled => "scheduled",
            EventType::CloudWatch => "cloudwatch",
            EventType::S3 => "s3",
            EventType::Sns => "sns",
            EventType::Sqs => "sqs",
            EventType::Kinesis => "kinesis",
            EventType::DynamoDb => "dynamodb",
            EventType::PureLambda => "pure_lambda",
            EventType::Websocket => "websocket",
        }
    }

    fn applies_to_http(self) -> bool {
        matches!(self, EventType::All | EventType::Http)
    }
}

type BoxFuture = Pin<Box<dyn Future<Output = Result<Response, ChaliceError>> + Send>>;
type ErasedMiddleware = dyn Fn(Request, Next) -> BoxFuture + Send + Sync;
/// A chain of middleware, shared.
pub(crate) type ErasedMiddlewareChain = Arc<[Arc<ErasedMiddleware>]>;

/// A function that can be middleware: `Fn(Request, Next) -> impl Future<Output = R>` where
/// `R` is anything a view may return: usually the [`Response`] that [`Next::run`] gave
/// back, or `Result<Response, ChaliceError>` for a middleware that fails with an error of
/// its own (which keeps its status, and goes through the error handlers).
pub trait MiddlewareFn<Marker>: Send + Sync + 'static {
    /// Boxes the function.
    #[doc(hidden)]
    fn erase(self) -> Arc<ErasedMiddleware>;
}

impl<F, Fut, R> MiddlewareFn<(Fut, R)> for F
where
    F: Fn(Request, Next) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: IntoResponse,
{
    fn erase(self) -> Arc<ErasedMiddleware> {
        Arc::new(move |request, next| {
            let future = self(request, next);
            Box::pin(async move { future.await.into_response() })
        })
    }
}

/// The middleware of an app or a blueprint, with the events each applies to.
#[derive(Clone, Default)]
pub(crate) struct MiddlewareList {
    pub(crate) entries: Vec<(EventType, Arc<ErasedMiddleware>)>,
}

impl MiddlewareList {
    pub(crate) fn push<F, M>(&mut self, event_type: EventType, function: F)
    where
        F: MiddlewareFn<M>,
    {
        self.entries.push((event_type, function.erase()));
    }

    /// The chain for HTTP requests.
    pub(crate) fn http(&self) -> ErasedMiddlewareChain {
        self.entries
            .iter()
            .filter(|(event_type, _)| event_type.applies_to_http())
            .map(|(_, function)| Arc::clone(function))
            .collect()
    }
}

/// The rest of the middleware chain, ending with the route's answer (Chalice's
/// `get_response`).
///
/// [`Next::run`] gives back the answer the client would get: the view's response, or its
/// error already made into its response (after the app's error handlers), the route's CORS
/// headers on it; or the app's own answer when there is no view to call (405, 415, the
/// binary 400). A middleware reads or changes it and returns it (or another).
///
/// ```
/// use chalice_core::{Chalice, EventType, Next, Request};
///
/// let mut app = Chalice::new("app");
/// app.middleware(EventType::Http, |request: Request, next: Next| async move {
///     let mut response = next.run(request).await;
///     response.headers.insert("x-powered-by", "chalice"); // on 200s, 404s and 500s alike
///     response
/// });
/// ```
pub struct Next {
    chain: ErasedMiddlewareChain,
    position: usize,
    handoff: Arc<Handoff>,
}

impl Next {
    pub(crate) fn new(chain: ErasedMiddlewareChain, handoff: Arc<Handoff>) -> Self {
        Next {
            chain,
            position: 0,
            handoff,
        }
    }

    /// Runs the rest of the chain and the route for `request`, and gives back its answer:
    /// the response the client would get, never an error.
    ///
    /// An error is already its response: `{"Code":"NotFoundError",...}` with its status for
    /// one of Chalice's kinds, the 500 for an unhandled error (or the response of an
    /// [`error_handler`](crate::Chalice::error_handler) for its type), with the error still
    /// readable from [`Response::error`]. An error returned *by* a middleware further in
    /// becomes its response the same way, and keeps its status.
    ///
    /// The request may be the one the middleware got, changed in place
    /// ([`Request::headers_mut`], [`Request::set_body`], [`Request::context_mut`]), or
    /// another one.
    pub async fn run(self, request: Request) -> Response {
        let Some(middleware) = self.chain.get(self.position) else {
            return self.handoff.answer(request).await;
        };
        let middleware = Arc::clone(middleware);
        let handoff = Arc::clone(&self.handoff);
        let next = Next {
            chain: self.chain,
            position: self.position + 1,
            handoff: self.handoff,
        };
        let (log, debug) = (&handoff.log, handoff.debug);
        // The middleware runs with the request current, as the view does, and a panic in
        // it is an unhandled error, not a crash.
        let result =
            match current::run_sync(&request, log, debug, || middleware(request.clone(), next)) {
                Ok(future) => Scoped::new(future, request.clone(), log.clone(), debug)
                    .await
                    .and_then(|result| result),
                Err(panic) => Err(panic),
            };
        handoff.settle(result, request.path())
    }
}

impl std::fmt::Debug for Next {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next")
            .field("remaining", &(self.chain.len() - self.position))
            .finish_non_exhaustive()
    }
}
