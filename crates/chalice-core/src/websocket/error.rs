//! [`WebsocketError`]: why sending, closing or asking failed; [`WebsocketDisconnected`]: the
//! connection is gone.

use std::fmt;

/// The connection is gone: the client closed it or the app did (API Gateway's `410 Gone`,
/// Chalice's `WebsocketDisconnectedError`). Forget the connection id.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebsocketDisconnected {
    /// The connection's id.
    pub connection_id: String,
}

impl WebsocketDisconnected {
    /// The connection `connection_id` is gone.
    pub fn new(connection_id: impl Into<String>) -> Self {
        WebsocketDisconnected {
            connection_id: connection_id.into(),
        }
    }
}

impl fmt::Display for WebsocketDisconnected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebSocket connection {} is gone", self.connection_id)
    }
}

impl std::error::Error for WebsocketDisconnected {}

/// Why [`WebsocketApi`](crate::WebsocketApi) could not send, close or ask.
///
/// Any of them converts into an unhandled [`crate::ChaliceError`] with `?`; match
/// [`WebsocketError::Disconnected`] to forget a connection that is gone.
///
/// ```
/// use chalice_core::{WebsocketApi, WebsocketError};
///
/// async fn broadcast(api: &WebsocketApi, connections: &mut Vec<String>, text: &str) -> Result<(), WebsocketError> {
///     let mut gone = Vec::new();
///     for id in connections.iter() {
///         match api.send(id, text).await {
///             Ok(()) => {}
///             Err(WebsocketError::Disconnected(_)) => gone.push(id.clone()),
///             Err(other) => return Err(other),
///         }
///     }
///     connections.retain(|id| !gone.contains(id));
///     Ok(())
/// }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum WebsocketError {
    /// The connection is gone.
    Disconnected(WebsocketDisconnected),
    /// No management endpoint is known: the code runs outside a WebSocket handler and the
    /// adapter has none configured (on Lambda, `CHALICE_WEBSOCKET_ENDPOINT` is not set).
    NoEndpoint,
    /// `websocket_api()` was called outside anything an adapter runs: no backend to send
    /// through.
    NoBackend,
    /// The management API refused (API Gateway's status and message: 400 for a message
    /// too large, 403 for a role without `execute-api:ManageConnections`, 429 when
    /// throttled, ...).
    #[non_exhaustive]
    Api {
        /// The HTTP status it answered.
        status: u16,
        /// What it said.
        message: String,
    },
    /// The management API could not be reached, or answered out of its contract.
    #[non_exhaustive]
    Transport {
        /// What went wrong.
        message: String,
    },
}

impl WebsocketError {
    /// A refusal of the management API.
    pub fn api(status: u16, message: impl Into<String>) -> Self {
        WebsocketError::Api {
            status,
            message: message.into(),
        }
    }

    /// A failure to reach the management API.
    pub fn transport(message: impl Into<String>) -> Self {
        WebsocketError::Transport {
            message: message.into(),
        }
    }

    /// Whether the connection is gone.
    pub fn is_disconnected(&self) -> bool {
        matches!(self, WebsocketError::Disconnected(_))
    }
}

impl fmt::Display for WebsocketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebsocketError::Disconnected(gone) => fmt::Display::fmt(gone, f),
            WebsocketError::NoEndpoint => f.write_str(
                "websocket_api() does not know the WebSocket API's endpoint here: outside a \
                 WebSocket handler it is read from CHALICE_WEBSOCKET_ENDPOINT \
                 (https://{api-id}.execute-api.{region}.amazonaws.com/{stage}), which chalice \
                 package and chalice deploy set for apps with WebSocket handlers; or give one \
                 with websocket_api().with_endpoint(..)",
            ),
            WebsocketError::NoBackend => f.write_str(
                "websocket_api() was called outside the app: no local server, test client or \
                 Lambda runtime runs this code; call it inside a handler or view, and move the \
                 WebsocketApi it returns where it is needed",
            ),
            WebsocketError::Api { status, message } => {
                write!(
                    f,
                    "the WebSocket management API answered {status}: {message}"
                )
            }
            WebsocketError::Transport { message } => {
                write!(
                    f,
                    "the WebSocket management API could not be reached: {message}"
                )
            }
        }
    }
}

impl std::error::Error for WebsocketError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WebsocketError::Disconnected(gone) => Some(gone),
            _ => None,
        }
    }
}

impl From<WebsocketDisconnected> for WebsocketError {
    fn from(gone: WebsocketDisconnected) -> Self {
        WebsocketError::Disconnected(gone)
    }
}
