//! Which backend, and which endpoint, `websocket_api()` uses for the code running now: kept in
//! thread-locals set around each *poll* of a future, as the current request is
//! (`current.rs`), so that concurrent apps (parallel tests) never see each other's; and a
//! process-wide backend for code no scope covers.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use super::backend::WebsocketBackend;

thread_local! {
    static BACKEND: RefCell<Option<Arc<dyn WebsocketBackend>>> = const { RefCell::new(None) };
    static ENDPOINT: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
}

/// The backend of the process, for code no adapter scope covers (tasks a view spawned).
static GLOBAL: OnceLock<Arc<dyn WebsocketBackend>> = OnceLock::new();

/// Makes `backend` the one `websocket_api()` uses while `future` runs (each poll of it, as
/// the current request is): what an adapter wraps each invocation in.
pub fn with_websocket_backend<F: Future>(
    backend: Arc<dyn WebsocketBackend>,
    future: F,
) -> WithSlot<F, Arc<dyn WebsocketBackend>> {
    WithSlot {
        future,
        value: Some(backend),
        key: &BACKEND,
    }
}

/// Makes `backend` the process's: what `websocket_api()` uses where no
/// [`with_websocket_backend`] covers the code (tasks spawned by a view). For an adapter that
/// runs one app per process (the Lambda runtime, the local server); the first call wins.
///
/// # Errors
///
/// The backend given, when one was installed already.
pub fn install_websocket_backend(
    backend: Arc<dyn WebsocketBackend>,
) -> Result<(), Arc<dyn WebsocketBackend>> {
    GLOBAL.set(backend)
}

/// `future` with the management endpoint of a WebSocket event current.
pub(crate) fn with_endpoint<F: Future>(endpoint: Arc<str>, future: F) -> WithSlot<F, Arc<str>> {
    WithSlot {
        future,
        value: Some(endpoint),
        key: &ENDPOINT,
    }
}

type Key<T> = std::thread::LocalKey<RefCell<Option<T>>>;

pin_project_lite::pin_project! {
    /// A future polled with a value in a thread-local slot (see [`with_websocket_backend`]).
    pub struct WithSlot<F, T: 'static> {
        #[pin]
        future: F,
        value: Option<T>,
        key: &'static Key<T>,
    }
}

impl<F: Future, T: 'static> Future for WithSlot<F, T> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let key: &'static Key<T> = this.key;
        let previous = key.with(|slot| slot.replace(this.value.take()));
        // Put things back even if the future panics.
        struct Restore<T: 'static> {
            key: &'static Key<T>,
            previous: Option<Option<T>>,
        }
        impl<T: 'static> Drop for Restore<T> {
            fn drop(&mut self) {
                if let Some(previous) = self.previous.take() {
                    self.key.with(|slot| *slot.borrow_mut() = previous);
                }
            }
        }
        let mut restore = Restore {
            key,
            previous: Some(previous),
        };
        let output = this.future.poll(cx);
        let previous = restore.previous.take().unwrap_or_default();
        *this.value = key.with(|slot| slot.replace(previous));
        output
    }
}

impl<F, T> fmt::Debug for WithSlot<F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WithSlot").finish_non_exhaustive()
    }
}

/// The backend of the code running now: its scope's, else the process's.
pub(crate) fn current_backend() -> Option<Arc<dyn WebsocketBackend>> {
    BACKEND
        .with(|slot| slot.borrow().clone())
        .or_else(|| GLOBAL.get().cloned())
}

/// The endpoint of the WebSocket event being handled, if any.
pub(crate) fn current_endpoint() -> Option<Arc<str>> {
    ENDPOINT.with(|slot| slot.borrow().clone())
}
