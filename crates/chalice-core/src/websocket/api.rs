//! [`websocket_api()`]: sending to WebSocket connections from any handler or view, through
//! the [`WebsocketBackend`] the adapter running the app installed.
//!
//! The core does no I/O: the adapter supplies the backend (on Lambda, API Gateway's
//! management API; locally, the local server's sockets; in tests, an in-memory one), and
//! the core only remembers which one, and which endpoint, the running code should use
//! (`scope.rs`).

use std::fmt;
use std::sync::Arc;

use super::backend::WebsocketBackend;
use super::error::WebsocketError;
use super::info::ConnectionInfo;
use super::message::WebsocketMessage;
use super::scope;

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
