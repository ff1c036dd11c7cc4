//! Middleware around event handlers and pure functions (Chalice's `@app.middleware('s3')`
//! and kin): an async function of the [`Event`] and [`EventNext`], the rest of the chain.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;

use super::event::Event;
use super::handler::ErasedHandler;
use crate::current::Scoped;
use crate::error::ChaliceError;
use crate::middleware::EventType;
use crate::panic;

type BoxFuture = Pin<Box<dyn Future<Output = Result<Value, ChaliceError>> + Send>>;
#[doc(hidden)]
pub type ErasedEventMiddleware = dyn Fn(Event, EventNext) -> BoxFuture + Send + Sync;

/// A function that can be event middleware: `Fn(Event, EventNext) -> impl Future<Output =
/// Result<Value, E>>` where `E` converts to a [`ChaliceError`]. The `Value` is the handler's
/// answer as JSON (`null` for most handlers, the `batchItemFailures` of a batch handler, a
/// pure function's result).
pub trait EventMiddlewareFn<Marker>: Send + Sync + 'static {
    /// Boxes the function.
    #[doc(hidden)]
    fn erase(self) -> Arc<ErasedEventMiddleware>;
}

impl<F, Fut, E> EventMiddlewareFn<(Fut, E)> for F
where
    F: Fn(Event, EventNext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, E>> + Send + 'static,
    E: Into<ChaliceError>,
{
    fn erase(self) -> Arc<ErasedEventMiddleware> {
        Arc::new(move |event, next| {
            let future = self(event, next);
            Box::pin(async move { future.await.map_err(Into::into) })
        })
    }
}

/// The event middleware of an app or a blueprint, with the events each applies to.
#[derive(Clone, Default)]
pub(crate) struct EventMiddlewareList {
    pub(crate) entries: Vec<(EventType, Arc<ErasedEventMiddleware>)>,
}

impl EventMiddlewareList {
    /// The chain for events of `event_type`, in registration order.
    pub(crate) fn chain(&self, event_type: EventType) -> Arc<[Arc<ErasedEventMiddleware>]> {
        self.entries
            .iter()
            .filter(|(registered, _)| *registered == EventType::All || *registered == event_type)
            .map(|(_, function)| Arc::clone(function))
            .collect()
    }
}

/// The rest of an event's middleware chain, ending with the handler (Chalice's
/// `get_response`).
///
/// ```
/// use chalice_core::{Chalice, ChaliceError, Event, EventNext, EventType};
///
/// let mut app = Chalice::new("app");
/// app.event_middleware(EventType::Sqs, |event: Event, next: EventNext| async move {
///     if let Event::Sqs(batch) = &event {
///         println!("{} messages", batch.records.len());
///     }
///     next.run(event).await
/// });
/// ```
pub struct EventNext {
    chain: Arc<[Arc<ErasedEventMiddleware>]>,
    position: usize,
    handler: Arc<ErasedHandler>,
    debug: bool,
}

impl EventNext {
    pub(crate) fn new(
        chain: Arc<[Arc<ErasedEventMiddleware>]>,
        handler: Arc<ErasedHandler>,
        debug: bool,
    ) -> Self {
        EventNext {
            chain,
            position: 0,
            handler,
            debug,
        }
    }

    /// Runs the rest of the chain and the handler on `event`: the handler's answer as JSON,
    /// or its error.
    pub async fn run(self, event: Event) -> Result<Value, ChaliceError> {
        let debug = self.debug;
        match self.chain.get(self.position) {
            Some(middleware) => {
                let middleware = Arc::clone(middleware);
                let next = EventNext {
                    chain: self.chain,
                    position: self.position + 1,
                    handler: self.handler,
                    debug,
                };
                // A panic in middleware fails the invocation, it does not crash the process.
                let future = panic::guarded(debug, || middleware(event, next))?;
                Scoped::without_request(future, debug).await?
            }
            None => match &*self.handler {
                ErasedHandler::Sync(handler) => panic::guarded(debug, || handler(event))?,
                ErasedHandler::Async(handler) => {
                    let future = panic::guarded(debug, || handler(event))?;
                    Scoped::without_request(future, debug).await?
                }
            },
        }
    }
}

impl std::fmt::Debug for EventNext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventNext")
            .field("remaining", &(self.chain.len() - self.position))
            .finish_non_exhaustive()
    }
}
