//! Middleware (Chalice's `@app.middleware`) and error handlers.
//!
//! A middleware is an async function of the request and [`Next`], the rest of the chain:
//! it may answer by itself (short-circuit), change the request it passes on, and read or
//! change the response, or see the view's error, that `next.run(request)` gives back.
//! Middleware run in registration order, the first registered outermost.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::current::{self, Scoped};
use crate::error::ChaliceError;
use crate::log::Logger;
use crate::media;
use crate::request::Request;
use crate::response::{IntoResponse, Response};
use crate::view::ErasedView;

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
/// `R` is anything a view may return (usually `Result<Response, ChaliceError>`, which is
/// what [`Next::run`] gives back).
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

/// What a route's view needs to run, owned, so that [`Next`] can outlive the dispatch call.
#[derive(Clone)]
pub(crate) struct Endpoint {
    pub(crate) view: Arc<ErasedView>,
    pub(crate) content_types: Arc<[String]>,
    pub(crate) log: Logger,
    pub(crate) debug: bool,
}

impl Endpoint {
    /// The content-type check (415), then the view with its request current and panics
    /// caught, then what the view's response defers (an invalid status, a header error).
    pub(crate) async fn call(&self, request: Request) -> Result<Response, ChaliceError> {
        call_endpoint(
            &self.view,
            &self.content_types,
            &self.log,
            self.debug,
            request,
        )
        .await
    }
}

/// The content-type check (415), then the view with its request current and panics caught,
/// then what the view's response defers (a header error, an invalid status).
pub(crate) async fn call_endpoint(
    view: &ErasedView,
    content_types: &[String],
    log: &Logger,
    debug: bool,
    request: Request,
) -> Result<Response, ChaliceError> {
    if !content_types.is_empty() {
        let content_type = request.header("content-type").unwrap_or("application/json");
        if !media::matches_content_type(content_type, content_types) {
            let message = format!("Unsupported media type: {content_type}");
            return Ok(Response::error_json(415, "UnsupportedMediaType", &message));
        }
    }
    let mut response = match view {
        ErasedView::Sync(view) => current::run_sync(&request, log, debug, || view(&request))??,
        ErasedView::Async(view) => {
            let future = current::run_sync(&request, log, debug, || view(request.clone()))?;
            Scoped::new(future, request, log.clone(), debug).await??
        }
    };
    if let Some(error) = response.take_deferred_error() {
        return Err(error);
    }
    if !(100..=599).contains(&response.status_code) {
        let message = format!(
            "Invalid status code {} returned by the view",
            response.status_code
        );
        return Err(ChaliceError::unhandled(crate::error::MessageError(message)));
    }
    Ok(response)
}

/// The rest of the middleware chain, ending with the view (Chalice's `get_response`).
///
/// ```
/// use chalice_core::{Chalice, EventType, Next, Request};
///
/// let mut app = Chalice::new("app");
/// app.middleware(EventType::Http, |request: Request, next: Next| async move {
///     let mut response = next.run(request).await?;
///     response.headers.insert("x-powered-by", "chalice");
///     Ok::<_, chalice_core::ChaliceError>(response)
/// });
/// ```
pub struct Next {
    chain: ErasedMiddlewareChain,
    position: usize,
    endpoint: Endpoint,
}

impl Next {
    pub(crate) fn new(chain: ErasedMiddlewareChain, endpoint: Endpoint) -> Self {
        Next {
            chain,
            position: 0,
            endpoint,
        }
    }

    /// Runs the rest of the chain and the view for `request`: the view's response, or its
    /// error (turned into a response, after error handlers, once the chain is done).
    pub async fn run(self, request: Request) -> Result<Response, ChaliceError> {
        match self.chain.get(self.position) {
            Some(middleware) => {
                let middleware = Arc::clone(middleware);
                let next = Next {
                    chain: self.chain,
                    position: self.position + 1,
                    endpoint: self.endpoint,
                };
                let log = next.endpoint.log.clone();
                let debug = next.endpoint.debug;
                // The middleware runs with the request current, as the view does, and a
                // panic in it is an unhandled error, not a crash.
                let future =
                    current::run_sync(&request, &log, debug, || middleware(request.clone(), next))?;
                Scoped::new(future, request, log, debug).await?
            }
            None => self.endpoint.call(request).await,
        }
    }
}

impl std::fmt::Debug for Next {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next")
            .field("remaining", &(self.chain.len() - self.position))
            .finish_non_exhaustive()
    }
}

type ErasedHandler = dyn Fn(&(dyn std::error::Error + Send + Sync + 'static)) -> Option<Result<Response, ChaliceError>>
    + Send
    + Sync;

/// Error handlers: a user's error types mapped to responses.
#[derive(Clone, Default)]
pub(crate) struct ErrorHandlers {
    handlers: Vec<Arc<ErasedHandler>>,
}

impl ErrorHandlers {
    pub(crate) fn push<E, F, R>(&mut self, handler: F)
    where
        E: std::error::Error + Send + Sync + 'static,
        F: Fn(&E) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        self.handlers.push(Arc::new(move |error| {
            // The error itself or, for a wrapper, one of its causes.
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
            while let Some(current) = cause {
                if let Some(typed) = current.downcast_ref::<E>() {
                    return Some(handler(typed).into_response());
                }
                cause = current.source();
            }
            None
        }));
    }

    /// The response the first matching handler makes for an unhandled error, if any.
    pub(crate) fn handle(&self, error: &ChaliceError) -> Option<Result<Response, ChaliceError>> {
        let source = error.source_error()?;
        self.handlers.iter().find_map(|handler| handler(source))
    }
}
