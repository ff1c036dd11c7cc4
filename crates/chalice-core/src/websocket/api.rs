//! [`websocket_api()`]: sending to WebSocket connections from any handler or view, through
//! the [`WebsocketBackend`] the adapter running the app installed.
//!
//! The core does no I/O: the adapter supplies the backend (on Lambda, API Gateway's
//! management API; locally, the local server's sockets; in tests, an in-memory one), and
//! the core only remembers which one, and which endpoint, the running code should use.
//! Both are kept in thread-locals set around each *poll* of a future, as the current request
//! is (`current.rs`), so that concurrent apps (parallel tests) never see each other's.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use serde::Deserialize;

use super::message::WebsocketMessage;

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
    let backend = BACKEND
        .with(|slot| slot.borrow().clone())
        .or_else(|| GLOBAL.get().cloned());
    let endpoint = ENDPOINT.with(|slot| slot.borrow().clone());
    WebsocketApi { backend, endpoint }
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

/// What API Gateway knows of a connection (the answer of `GetConnection`).
///
/// ```
/// use chalice_core::ConnectionInfo;
///
/// let info = ConnectionInfo::from_json(br#"{"connectedAt": "2024-02-09T18:23:27.396Z",
///     "identity": {"sourceIp": "192.0.2.1", "userAgent": "Mozilla/5.0"},
///     "lastActiveAt": "2024-02-09T18:23:28.941Z"}"#).unwrap();
/// assert_eq!(info.source_ip, "192.0.2.1");
/// assert_eq!(info.connected_at, "2024-02-09T18:23:27.396Z");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionInfo {
    /// When the connection opened (ISO 8601, UTC).
    pub connected_at: String,
    /// When a message last went through it (ISO 8601, UTC).
    pub last_active_at: String,
    /// The client's IP address.
    pub source_ip: String,
    /// The client's `User-Agent`, if it sent one.
    pub user_agent: Option<String>,
}

impl ConnectionInfo {
    /// Information from epoch milliseconds (written as API Gateway writes them), for
    /// backends that keep their own connections.
    pub fn new(
        connected_at_ms: u64,
        last_active_at_ms: u64,
        source_ip: impl Into<String>,
        user_agent: Option<String>,
    ) -> Self {
        ConnectionInfo {
            connected_at: iso8601(connected_at_ms),
            last_active_at: iso8601(last_active_at_ms),
            source_ip: source_ip.into(),
            user_agent,
        }
    }

    /// Reads `GetConnection`'s JSON answer (`connectedAt`, `lastActiveAt`, `identity`).
    ///
    /// # Errors
    ///
    /// JSON not of that shape.
    pub fn from_json(body: &[u8]) -> Result<Self, serde_json::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            connected_at: Time,
            last_active_at: Time,
            identity: Identity,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Identity {
            source_ip: String,
            #[serde(default)]
            user_agent: Option<String>,
        }
        /// ISO 8601 text, as API Gateway writes it; epoch seconds, as emulators do.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Time {
            Text(String),
            Seconds(f64),
        }
        impl Time {
            fn text(self) -> String {
                match self {
                    Time::Text(text) => text,
                    // Whole milliseconds of a positive time: the cast cannot lose more.
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    Time::Seconds(seconds) => iso8601((seconds.max(0.0) * 1000.0) as u64),
                }
            }
        }
        let wire: Wire = serde_json::from_slice(body)?;
        Ok(ConnectionInfo {
            connected_at: wire.connected_at.text(),
            last_active_at: wire.last_active_at.text(),
            source_ip: wire.identity.source_ip,
            user_agent: wire.identity.user_agent,
        })
    }
}

/// `2024-02-09T18:23:27.396Z` for milliseconds since the epoch, as `GetConnection` writes
/// times.
fn iso8601(epoch_ms: u64) -> String {
    let t = Civil::from_epoch_ms(epoch_ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.millis
    )
}

/// A UTC time's calendar parts.
pub(crate) struct Civil {
    pub(crate) year: i64,
    pub(crate) month: u64,
    pub(crate) day: u64,
    pub(crate) hour: u64,
    pub(crate) minute: u64,
    pub(crate) second: u64,
    pub(crate) millis: u64,
}

impl Civil {
    /// Days to a civil date by Howard Hinnant's algorithm
    /// (<https://howardhinnant.github.io/date_algorithms.html>): the core has no clock nor
    /// date crate, and needs only this.
    pub(crate) fn from_epoch_ms(epoch_ms: u64) -> Self {
        let seconds = epoch_ms / 1000;
        let days = i64::try_from(seconds / 86_400).unwrap_or(0);
        let of_day = seconds % 86_400;
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        Civil {
            year: yoe + era * 400 + i64::from(month <= 2),
            month: u64::try_from(month).unwrap_or(1),
            day: u64::try_from(day).unwrap_or(1),
            hour: of_day / 3600,
            minute: (of_day / 60) % 60,
            second: of_day % 60,
            millis: epoch_ms % 1000,
        }
    }
}

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

/// Why [`WebsocketApi`] could not send, close or ask.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_api_gateway_writes_them() {
        let cases = [
            (0, "1970-01-01T00:00:00.000Z"),
            (1_707_503_007_396, "2024-02-09T18:23:27.396Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (4_102_444_799_999, "2099-12-31T23:59:59.999Z"),
        ];
        for (ms, text) in cases {
            assert_eq!(iso8601(ms), text, "{ms}");
        }
    }
}
