//! Which backend, and which endpoint, `websocket_api()` uses for the code running now: kept in
//! thread-locals set around each *poll* of a future, as the current request is
//! (`current.rs`), so that concurrent apps (parallel tests) never see each other's; and a
//! process-wide backend for code no scope covers.

use std::cell::RefCell;
use std::future::Future;
use std::sync::{Arc, OnceLock};

use super::backend::WebsocketBackend;
use crate::slot::WithSlot;

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
    WithSlot::new(future, backend, &BACKEND)
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
    WithSlot::new(future, endpoint, &ENDPOINT)
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
