//! [`websocket_api()`]: sending to WebSocket connections from any handler or view, through
//! the [`WebsocketBackend`] the adapter running the app installed.
//!
//! The core does no I/O: the adapter supplies the backend (on Lambda, API Gateway's
//! management API; locally, the local server's sockets; in tests, an in-memory one), and
//! the core only remembers which one, and which endpoint, the running code should use
//! (`scope.rs`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::error::WebsocketError;
use super::info::ConnectionInfo;
use super::message::WebsocketMessage;
use super::scope;

/// What a backend's operations return.
pub type BackendFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, WebsocketError>> + Send + 'a>>;

/// How an adapter reaches the WebSocket connections of the app it runs: API Gateway's
/// management API on Lambda, the local server's sockets, the test client's memory.
///
/// Adapters implement it and install it, with [`crate::adapter::with_websocket_backend`]
/// around each invocation (or [`crate::adapter::install_websocket_backend`] once for the
/// process); apps never name it: they call [`websocket_api()`].
///
/// `endpoint` is the management endpoint the app's code is talking to: the current
/// WebSocket event's (`https://{domainName}/{stage}`) inside a WebSocket handler, else the
/// one given with [`WebsocketApi::with_endpoint`], else `None` (a backend that needs one
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

/// Sends to the app's WebSocket connections (Chalice's `app.websocket_api`); get one with
/// [`websocket_api()`].
///
/// Clone it, keep it, move it into a task: it holds the backend and the endpoint it was
/// made with.
#[derive(Clone)]
pub struct WebsocketApi {
    backend: Option<Arc<dyn WebsocketBackend>>,
    endpoint: Option<Arc<str>>,
}

/// The app's WebSocket API, usable from any handler or view, WebSocket or not (Chalice's
/// `app.websocket_api`, which only works inside WebSocket handlers: aws/chalice#1991).
///
/// Inside a WebSocket handler it sends through the API of the event being handled. Elsewhere
/// (an HTTP view, an SQS handler, ...) on Lambda it uses the endpoint in the
/// `CHALICE_WEBSOCKET_ENDPOINT` environment variable, which `chalice package` and `chalice
/// deploy` set on every function of an app with a WebSocket API; locally and in the test
/// client, the local connections.
///
/// Called outside any code an adapter runs (before `chalice::run`, in a thread of your
/// own), its operations fail with [`WebsocketError::NoBackend`]; take it inside the handler
/// and move it where it is needed.
///
/// ```
/// use chalice_core::{Chalice, ChaliceError, WebsocketEvent, websocket_api};
///
/// async fn echo(event: WebsocketEvent) -> Result<(), ChaliceError> {
///     websocket_api().send(&event.connection_id, event.body).await?;
///     Ok(())
/// }
///
/// let mut app = Chalice::new("echo");
/// app.on_ws_message(echo);
/// ```
pub fn websocket_api() -> WebsocketApi {
    WebsocketApi {
        backend: scope::current_backend(),
        endpoint: scope::current_endpoint(),
    }
}

impl WebsocketApi {
    /// Sends a message to the connection: text from `&str` / `String`, binary from bytes
    /// (Chalice's `send`).
    ///
    /// # Errors
    ///
    /// [`WebsocketError::Disconnected`] when the connection is gone (API Gateway's 410), or
    /// why the message could not be sent.
    pub async fn send(
        &self,
        connection_id: &str,
        message: impl Into<WebsocketMessage>,
    ) -> Result<(), WebsocketError> {
        let message = message.into();
        self.backend()?
            .send(self.endpoint.as_deref(), connection_id, message)
            .await
    }

    /// Closes the connection (Chalice's `close`).
    ///
    /// # Errors
    ///
    /// [`WebsocketError::Disconnected`] when it is gone already, or why it could not be
    /// closed.
    pub async fn close(&self, connection_id: &str) -> Result<(), WebsocketError> {
        self.backend()?
            .close(self.endpoint.as_deref(), connection_id)
            .await
    }

    /// When the connection opened, when it was last active, and who the client is (Chalice's
    /// `info`).
    ///
    /// # Errors
    ///
    /// [`WebsocketError::Disconnected`] when it is gone, or why it could not be asked.
    pub async fn info(&self, connection_id: &str) -> Result<ConnectionInfo, WebsocketError> {
        self.backend()?
            .info(self.endpoint.as_deref(), connection_id)
            .await
    }

    /// The management endpoint it sends through, when it knows one
    /// (`https://{domainName}/{stage}`); `None` outside a WebSocket handler, where the
    /// adapter's configuration decides.
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// The same API through another management endpoint (`https://{domain}/{stage}`): for
    /// an app that sends through a custom domain, or to another stage.
    #[must_use]
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into().into());
        self
    }

    fn backend(&self) -> Result<&dyn WebsocketBackend, WebsocketError> {
        self.backend.as_deref().ok_or(WebsocketError::NoBackend)
    }
}

impl fmt::Debug for WebsocketApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebsocketApi")
            .field("backend", &self.backend.is_some())
            .field("endpoint", &self.endpoint)
            .finish()
    }
}
