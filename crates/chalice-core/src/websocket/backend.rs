//! The [`WebsocketBackend`] an adapter installs: how `websocket_api()` reaches the app's
//! connections (API Gateway's management API on Lambda, the local server's sockets, the test
//! client's memory).

use std::future::Future;
use std::pin::Pin;

use super::error::WebsocketError;
use super::info::ConnectionInfo;
use super::message::WebsocketMessage;

/// What a backend's operations return.
pub type BackendFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, WebsocketError>> + Send + 'a>>;

/// How an adapter reaches the WebSocket connections of the app it runs: API Gateway's
/// management API on Lambda, the local server's sockets, the test client's memory.
///
/// Adapters implement it and install it, with [`crate::adapter::with_websocket_backend`]
/// around each invocation (or [`crate::adapter::install_websocket_backend`] once for the
/// process); apps never name it: they call [`websocket_api()`](super::websocket_api).
///
/// `endpoint` is the management endpoint the app's code is talking to: the current
/// WebSocket event's (`https://{domainName}/{stage}`) inside a WebSocket handler, else the
/// one given with [`WebsocketApi::with_endpoint`](super::WebsocketApi::with_endpoint), else `None` (a backend that needs one
/// then uses its own configuration, or fails with [`WebsocketError::NoEndpoint`]).
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use chalice_core::adapter::{BackendFuture, WebsocketBackend};
/// use chalice_core::{ConnectionInfo, WebsocketDisconnected, WebsocketError, WebsocketMessage};
///
/// /// Remembers what was sent; knows one connection, "abc".
/// #[derive(Default)]
/// struct Recorder(Mutex<Vec<(String, WebsocketMessage)>>);
///
/// impl WebsocketBackend for Recorder {
///     fn send<'a>(&'a self, _: Option<&'a str>, id: &'a str, message: WebsocketMessage) -> BackendFuture<'a, ()> {
///         Box::pin(async move {
///             if id != "abc" {
///                 return Err(WebsocketError::Disconnected(WebsocketDisconnected::new(id)));
///             }
///             self.0.lock().unwrap().push((id.to_owned(), message));
///             Ok(())
///         })
///     }
///     fn close<'a>(&'a self, _: Option<&'a str>, _: &'a str) -> BackendFuture<'a, ()> {
///         Box::pin(async { Ok(()) })
///     }
///     fn info<'a>(&'a self, _: Option<&'a str>, id: &'a str) -> BackendFuture<'a, ConnectionInfo> {
///         Box::pin(async move { Err(WebsocketError::Disconnected(WebsocketDisconnected::new(id))) })
///     }
/// }
///
/// # let block_on = chalice_core::__private::block_on;
/// let recorder = Arc::new(Recorder::default());
/// let sent = block_on(chalice_core::adapter::with_websocket_backend(recorder.clone(), async {
///     let api = chalice_core::websocket_api();
///     api.send("abc", "hi").await?;
///     api.send("gone", "hi").await
/// }));
/// assert!(matches!(sent, Err(WebsocketError::Disconnected(ref gone)) if gone.connection_id == "gone"));
/// assert_eq!(recorder.0.lock().unwrap().len(), 1);
/// ```
pub trait WebsocketBackend: Send + Sync + 'static {
    /// Sends `message` to the connection (API Gateway's `PostToConnection`).
    fn send<'a>(
        &'a self,
        endpoint: Option<&'a str>,
        connection_id: &'a str,
        message: WebsocketMessage,
    ) -> BackendFuture<'a, ()>;

    /// Closes the connection (API Gateway's `DeleteConnection`); its `$disconnect` handler
    /// then runs.
    fn close<'a>(
        &'a self,
        endpoint: Option<&'a str>,
        connection_id: &'a str,
    ) -> BackendFuture<'a, ()>;

    /// What is known of the connection (API Gateway's `GetConnection`).
    fn info<'a>(
        &'a self,
        endpoint: Option<&'a str>,
        connection_id: &'a str,
    ) -> BackendFuture<'a, ConnectionInfo>;
}
