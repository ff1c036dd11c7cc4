//! The request a view is handling, readable from any code the view calls.
//!
//! A thread-local holds it, set around each *poll* of the view (not around the whole
//! request), as tokio's `task_local!` does: many requests can be in flight on one thread,
//! and whichever view is being polled sees its own request, never another's. Written here
//! rather than with tokio so the core stays runtime-free.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use crate::error::ChaliceError;
use crate::log::Logger;
use crate::panic;
use crate::request::Request;

thread_local! {
    static CURRENT: RefCell<Option<(Request, Logger)>> = const { RefCell::new(None) };
}

/// The request the running view is handling, or `None` outside a view.
///
/// Chalice's `app.current_request`. Futures a view *spawns* onto the runtime run outside it
/// and see `None`; pass the request along to them instead.
///
/// ```
/// use chalice_core::{Chalice, Request};
///
/// fn caller_name() -> String {
///     let request = chalice_core::current_request().expect("called from a view");
///     request.uri_param("name").unwrap_or("nobody").to_owned()
/// }
///
/// let mut app = Chalice::new("hello");
/// app.route("/hello/{name}", || format!("hello {}", caller_name()));
/// ```
pub fn current_request() -> Option<Request> {
    CURRENT.with(|current| {
        current
            .borrow()
            .as_ref()
            .map(|(request, _)| request.clone())
    })
}

/// The logger of the app whose view is running: `app.log` from inside a view, in any code
/// the view calls. Never missing, so `chalice::log().info("..")` needs no unwrapping.
///
/// Outside a view (in `main`, a spawned task, a test's own code) it is the process's default
/// logger: named `chalice`, at `ERROR` unless you [`set_level`](Logger::set_level) it, one
/// for the whole process, writing to the same `tracing` subscriber as every app's logger.
///
/// ```
/// use chalice_core::{Chalice, Level};
///
/// let mut app = Chalice::new("todo");
/// app.route("/", || {
///     chalice_core::log().info("listing the todos");
///     "ok"
/// });
/// assert_eq!(app.log().name(), "todo");
///
/// // Outside a view: the process's default logger.
/// assert_eq!(chalice_core::log().name(), "chalice");
/// chalice_core::log().warning("not in a view");
/// ```
pub fn log() -> Logger {
    CURRENT
        .with(|current| current.borrow().as_ref().map(|(_, log)| log.clone()))
        .unwrap_or_else(|| {
            static DEFAULT: OnceLock<Logger> = OnceLock::new();
            DEFAULT.get_or_init(|| Logger::new("chalice")).clone()
        })
}

/// Runs `f` with `request` current and panics caught.
pub(crate) fn run_sync<R>(
    request: &Request,
    log: &Logger,
    debug: bool,
    f: impl FnOnce() -> R,
) -> Result<R, ChaliceError> {
    let _guard = Guard::enter(Some((request.clone(), log.clone())));
    panic::guarded(debug, f)
}

pin_project_lite::pin_project! {
    /// A view's future, polled with its request current and panics caught.
    pub(crate) struct Scoped<F> {
        #[pin]
        future: F,
        slot: Option<(Request, Logger)>,
        debug: bool,
    }
}

impl<F> Scoped<F> {
    pub(crate) fn new(future: F, request: Request, log: Logger, debug: bool) -> Self {
        Scoped {
            future,
            slot: Some((request, log)),
            debug,
        }
    }

    /// A future polled with panics caught and no request current (an authorizer's).
    pub(crate) fn without_request(future: F, debug: bool) -> Self {
        Scoped {
            future,
            slot: None,
            debug,
        }
    }
}

impl<F: Future> Future for Scoped<F> {
    type Output = Result<F::Output, ChaliceError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // Move (not clone) the request into the thread-local for the poll, and back after.
        let guard = Guard::enter(this.slot.take());
        let future = this.future;
        let result = panic::guarded(*this.debug, || future.poll(cx));
        *this.slot = guard.leave();
        match result {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(error) => Poll::Ready(Err(error)),
        }
    }
}

/// Restores the previous current request when dropped, even while unwinding.
struct Guard {
    previous: Option<Option<(Request, Logger)>>,
}

impl Guard {
    fn enter(value: Option<(Request, Logger)>) -> Self {
        let previous = CURRENT.with(|current| current.replace(value));
        Guard {
            previous: Some(previous),
        }
    }

    /// Takes back the value that was entered.
    fn leave(mut self) -> Option<(Request, Logger)> {
        let previous = self.previous.take().unwrap_or_default();
        CURRENT.with(|current| current.replace(previous))
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(previous) = self.previous.take() {
            CURRENT.with(|current| *current.borrow_mut() = previous);
        }
    }
}
