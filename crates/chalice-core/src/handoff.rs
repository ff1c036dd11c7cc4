//! How the middleware chain reaches the route's answer without owning the app.
//!
//! A middleware's future is boxed and `'static` (it may be spawned, and `Next` may be moved
//! anywhere), so [`Next`](crate::Next) cannot borrow the app. Yet the route's answer reads
//! the app: its `api.binary_types` and `api.cors` are plain fields, which a user may change
//! until the app serves. Rather than copy them into every request, the innermost
//! `Next::run` *hands the request over* ([`Handoff::answer`]) to the dispatch that drives the
//! chain ([`drive`]); dispatch, which borrows the app, answers it and hands the response
//! back. In the usual case (middleware that awaits `next.run` in place) it all happens in one
//! poll of one task, with no wake-up; a middleware that moves `next.run` to another task
//! (or drops it, as a timeout does) works too.
//!
//! Nothing here knows HTTP beyond the `Request` and `Response` it carries: event handlers'
//! middleware can hand their events over the same way.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use crate::error::ChaliceError;
use crate::error_handler::{ErrorHandlers, answer_error};
use crate::log::Logger;
use crate::request::Request;
use crate::response::Response;

/// One request's meeting point between the middleware chain and dispatch, with what the
/// chain needs of the app to answer a middleware's error (owned: a few shared pointers).
pub(crate) struct Handoff {
    pub(crate) handlers: ErrorHandlers,
    pub(crate) log: Logger,
    pub(crate) debug: bool,
    slot: Mutex<Slot>,
}

#[derive(Default)]
struct Slot {
    /// The request the chain handed over, until dispatch takes it.
    request: Option<Request>,
    /// Dispatch's answer, until the chain takes it.
    response: Option<Response>,
    /// Dispatch stopped driving the chain (the client went away): no answer will come.
    closed: bool,
    /// The task driving the chain, when it waits for a request from another task.
    driver: Option<Waker>,
    /// The task waiting for the answer, when it is not the driver.
    waiter: Option<Waker>,
}

impl Handoff {
    pub(crate) fn new(handlers: ErrorHandlers, log: Logger, debug: bool) -> Self {
        Handoff {
            handlers,
            log,
            debug,
            slot: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Slot> {
        // Nothing panics while holding the lock; a poisoned one still holds a valid slot.
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands `request` over to dispatch and waits for the route's answer (the end of the
    /// middleware chain).
    pub(crate) async fn answer(&self, request: Request) -> Response {
        let driver = {
            let mut slot = self.lock();
            slot.request = Some(request);
            slot.driver.take()
        };
        if let Some(driver) = driver {
            driver.wake();
        }
        poll_fn(|cx| {
            let mut slot = self.lock();
            if let Some(response) = slot.response.take() {
                return Poll::Ready(response);
            }
            if slot.closed {
                return Poll::Ready(abandoned());
            }
            if !slot
                .waiter
                .as_ref()
                .is_some_and(|w| w.will_wake(cx.waker()))
            {
                slot.waiter = Some(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }

    /// The answer to what a middleware returned: its response, or its error made into one
    /// (after the error handlers) for the middleware around it.
    pub(crate) fn settle(&self, result: Result<Response, ChaliceError>, path: &str) -> Response {
        match result.and_then(|response| response.checked("middleware")) {
            Ok(response) => response,
            Err(error) => answer_error(error, &self.handlers, &self.log, self.debug, path),
        }
    }

    /// The handed-over request, if there is one yet; else remembers who to wake for it.
    fn take_request(&self, driver: &Waker) -> Option<Request> {
        let mut slot = self.lock();
        let request = slot.request.take();
        if request.is_none() && !slot.driver.as_ref().is_some_and(|w| w.will_wake(driver)) {
            slot.driver = Some(driver.clone());
        }
        request
    }

    /// Gives the route's answer to the chain, waking its task if it is not the driver's.
    fn respond(&self, response: Response, driver: &Waker) {
        let waiter = {
            let mut slot = self.lock();
            slot.response = Some(response);
            slot.waiter.take()
        };
        if let Some(waiter) = waiter.filter(|w| !w.will_wake(driver)) {
            waiter.wake();
        }
    }
}

/// What the chain gets if dispatch stopped before answering: never sent, since whoever
/// would send it is gone; a middleware that outlives its request sees a 500.
fn abandoned() -> Response {
    let error = ChaliceError::unhandled(crate::error::MessageError(
        "the request ended before the route answered it".to_owned(),
    ));
    error.to_response().made_from(error)
}

/// Marks the handoff closed when dispatch stops driving the chain.
struct Closer(Arc<Handoff>);

impl Drop for Closer {
    fn drop(&mut self) {
        let waiter = {
            let mut slot = self.0.lock();
            slot.closed = true;
            slot.request = None;
            slot.waiter.take()
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}

pin_project_lite::pin_project! {
    /// The chain, driven by dispatch, which answers the request it hands over with `route`.
    struct Drive<C, A, F> {
        #[pin]
        chain: C,
        #[pin]
        answer: Option<A>,
        route: Option<F>,
        handoff: Closer,
    }
}

/// Runs `chain` (the middleware, ending in [`Handoff::answer`]) to its response, answering
/// the request the chain hands over through `handoff` with `route`.
pub(crate) fn drive<C, A, F>(
    chain: C,
    handoff: Arc<Handoff>,
    route: F,
) -> impl Future<Output = Response>
where
    C: Future<Output = Response>,
    A: Future<Output = Response>,
    F: FnOnce(Request) -> A,
{
    Drive {
        chain,
        answer: None,
        route: Some(route),
        handoff: Closer(handoff),
    }
}

impl<C, A, F> Future for Drive<C, A, F>
where
    C: Future<Output = Response>,
    A: Future<Output = Response>,
    F: FnOnce(Request) -> A,
{
    type Output = Response;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        let mut this = self.project();
        loop {
            let answered = match this.answer.as_mut().as_pin_mut() {
                Some(answer) => match answer.poll(cx) {
                    Poll::Ready(response) => Some(response),
                    Poll::Pending => None,
                },
                None => None,
            };
            if let Some(response) = answered {
                this.answer.set(None);
                this.handoff.0.respond(response, cx.waker());
            }
            if let Poll::Ready(response) = this.chain.as_mut().poll(cx) {
                return Poll::Ready(response);
            }
            if this.answer.is_none()
                && let Some(route) = this.route.take()
            {
                match this.handoff.0.take_request(cx.waker()) {
                    Some(request) => {
                        this.answer.set(Some(route(request)));
                        continue;
                    }
                    None => *this.route = Some(route),
                }
            }
            return Poll::Pending;
        }
    }
}
