//! The test client's WebSocket connections: [`Client::websocket`], and [`TestWebsocket`], a
//! client's connection that runs the app's handlers as API Gateway would, over the client's
//! in-memory backend (`memory_backend.rs`).

use std::collections::VecDeque;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use chalice_core::adapter::{WebsocketConnection, websocket_gateway_message};
use chalice_core::{ChaliceError, Headers, MultiDict, WebsocketMessage, WebsocketResponse};

use chalice_manifest::{CONNECT_HANDLER, DISCONNECT_HANDLER};

use crate::client::Client;
use crate::memory_backend::{Connection, MemoryBackend, connection_id, now_ms, request_id};

impl Client {
    /// Opens WebSocket connections to the app, in-process: each runs the app's `$connect`
    /// handler, sends messages routed as API Gateway routes them, receives what the app
    /// sends it (with `websocket_api()`, from any handler or view: a WebSocket handler, an
    /// HTTP view, an event handler this client runs), and closes.
    ///
    /// ```
    /// use chalice::test::Client;
    /// use chalice::{Chalice, ChaliceError, Request, WebsocketEvent, WebsocketMessage, websocket_api};
    ///
    /// let mut app = Chalice::new("chat");
    /// app.on_ws_connect(|event: WebsocketEvent| -> Result<(), ChaliceError> {
    ///     match event.query_params.as_ref().and_then(|q| q.get("name")) {
    ///         Some(_) => Ok(()),
    ///         None => Err(ChaliceError::forbidden("say who you are")),
    ///     }
    /// });
    /// // An HTTP view that pushes to a connection.
    /// async fn poke(request: Request) -> Result<&'static str, ChaliceError> {
    ///     websocket_api().send(request.query_param("id").unwrap_or_default(), "poke").await?;
    ///     Ok("sent")
    /// }
    /// app.route("/poke", poke);
    ///
    /// let client = Client::new(app);
    /// let refused = client.websocket().connect().send().unwrap_err();
    /// assert_eq!(refused.status_code(), 403);
    ///
    /// let mut ws = client.websocket().connect().query("name", "ann").send().expect("accepted");
    /// let poke = client.http().get("/poke").query("id", ws.connection_id()).send();
    /// assert_eq!(poke.text(), "sent");
    /// assert_eq!(ws.receive(), Some(WebsocketMessage::from("poke")));
    /// ```
    pub fn websocket(&self) -> WebsocketClient<'_> {
        WebsocketClient { client: self }
    }
}

/// Opens WebSocket connections to the app; see [`Client::websocket`].
#[derive(Debug, Clone, Copy)]
pub struct WebsocketClient<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> WebsocketClient<'a> {
    /// A connection being opened: its `$connect` handler runs when it is sent (or awaited).
    pub fn connect(&self) -> TestConnect<'a> {
        TestConnect {
            client: self.client,
            headers: Headers::new(),
            query: MultiDict::new(),
        }
    }
}

/// A connection being opened; add headers or query parameters to the upgrade request, then
/// [`send`](TestConnect::send) it or `.await` it.
#[must_use = "a connection is opened only when sent with .send() or .await"]
pub struct TestConnect<'a> {
    client: &'a Client,
    headers: Headers,
    query: MultiDict,
}

impl<'a> TestConnect<'a> {
    /// Adds a header to the upgrade request.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Adds a query parameter to the upgrade request (`wss://...?token=...`).
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push(name, value);
        self
    }

    /// Opens the connection: runs the app's `$connect` handler, and waits for it.
    ///
    /// # Errors
    ///
    /// [`WebsocketRefused`] when the handler refused the connection (returned an error).
    ///
    /// # Panics
    ///
    /// Inside a tokio runtime (an async test): `.await` it there instead.
    pub fn send(self) -> Result<TestWebsocket<'a>, WebsocketRefused> {
        let client = self.client;
        client.block_on(self.into_future())
    }
}

impl<'a> IntoFuture for TestConnect<'a> {
    type Output = Result<TestWebsocket<'a>, WebsocketRefused>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let client = self.client;
            let backend = client.websockets();
            let now = now_ms();
            let id = connection_id();
            let gateway = WebsocketConnection::new(&id, "localhost", client.stage_name(), now)
                .user_agent("chalice-test-client");
            let query = Some(self.query).filter(|query| !query.is_empty());
            let mut event = gateway.connect_event(self.headers, query, &request_id(), now);
            event.context = client.function_context(CONNECT_HANDLER);
            backend.connections().insert(
                id.clone(),
                Connection {
                    gateway,
                    inbox: VecDeque::new(),
                    open: true,
                    last_active_ms: now,
                },
            );
            let app = client.app();
            let response = client
                .scoped(Some(CONNECT_HANDLER), app.handle_websocket(event))
                .await;
            if response.is_success() {
                return Ok(TestWebsocket {
                    client,
                    backend,
                    connection_id: id,
                });
            }
            // API Gateway forgets a refused connection.
            backend.connections().remove(&id);
            Err(WebsocketRefused { response })
        })
    }
}

/// The `$connect` handler refused the connection: API Gateway answers the client's upgrade
/// request with the handler's status instead of opening it.
#[derive(Debug)]
pub struct WebsocketRefused {
    response: WebsocketResponse,
}

impl WebsocketRefused {
    /// The status the upgrade was answered with (403 for a `ChaliceError::forbidden`, 500
    /// for an unhandled error).
    pub fn status_code(&self) -> u16 {
        self.response.status_code
    }

    /// The answer's body: Chalice's error JSON.
    pub fn body(&self) -> &Bytes {
        &self.response.body
    }

    /// The handler's error.
    pub fn error(&self) -> Option<&ChaliceError> {
        self.response.error()
    }
}

impl std::fmt::Display for WebsocketRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the $connect handler refused the connection: {} {}",
            self.response.status_code,
            String::from_utf8_lossy(&self.response.body)
        )
    }
}

impl std::error::Error for WebsocketRefused {}

/// A client's open WebSocket connection to the app, in-process.
///
/// [`message`](TestWebsocket::message) sends a message (routed as API Gateway would by the
/// app's route selection expression), [`receive`](TestWebsocket::receive) takes what the
/// app sent to this connection, from any handler or view, and
/// [`close`](TestWebsocket::close) closes it (its `$disconnect` handler runs).
///
/// ```
/// use chalice::test::Client;
/// use chalice::{Chalice, ChaliceError, WebsocketEvent, WebsocketMessage, websocket_api};
///
/// let mut app = Chalice::new("echo");
/// app.on_ws_message(|event: WebsocketEvent| async move {
///     websocket_api().send(&event.connection_id, format!("echo: {}", event.body_text().unwrap_or(""))).await?;
///     Ok::<(), ChaliceError>(())
/// });
/// let client = Client::new(app);
/// let mut ws = client.websocket().connect().send().expect("accepted");
/// ws.message("hi").send();
/// assert_eq!(ws.receive(), Some(WebsocketMessage::from("echo: hi")));
/// assert_eq!(ws.receive(), None);
/// ws.close().send();
/// ```
pub struct TestWebsocket<'a> {
    client: &'a Client,
    backend: Arc<MemoryBackend>,
    connection_id: String,
}

impl<'a> TestWebsocket<'a> {
    /// The connection's id, as handlers see it (`event.connection_id`).
    pub fn connection_id(&self) -> &str {
        &self.connection_id
    }

    /// Whether the connection is still open (the app may close it).
    pub fn is_open(&self) -> bool {
        self.backend
            .connections()
            .get(&self.connection_id)
            .is_some_and(|connection| connection.open)
    }

    /// The oldest message the app sent to this connection that the test has not taken yet.
    pub fn receive(&mut self) -> Option<WebsocketMessage> {
        self.backend
            .connections()
            .get_mut(&self.connection_id)
            .and_then(|connection| connection.inbox.pop_front())
    }

    /// Every message the app sent to this connection that the test has not taken yet,
    /// oldest first.
    pub fn received(&mut self) -> Vec<WebsocketMessage> {
        self.backend
            .connections()
            .get_mut(&self.connection_id)
            .map(|connection| connection.inbox.drain(..).collect())
            .unwrap_or_default()
    }

    /// A message from the client: text from `&str` / `String`, binary from bytes. Its route
    /// is chosen by the app's route selection expression; [`send`](TestMessage::send) it or
    /// `.await` it.
    pub fn message(&self, message: impl Into<WebsocketMessage>) -> TestMessage<'_, 'a> {
        TestMessage {
            socket: self,
            message: message.into(),
        }
    }

    /// Closes the connection from the client's side; [`send`](TestClose::send) it or
    /// `.await` it to run the `$disconnect` handler.
    pub fn close(self) -> TestClose<'a> {
        TestClose { socket: self }
    }
}

impl std::fmt::Debug for TestWebsocket<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestWebsocket")
            .field("connection_id", &self.connection_id)
            .finish_non_exhaustive()
    }
}

/// A message being sent; [`send`](TestMessage::send) it or `.await` it.
#[must_use = "a message does nothing until it is sent with .send() or .await"]
pub struct TestMessage<'s, 'a> {
    socket: &'s TestWebsocket<'a>,
    message: WebsocketMessage,
}

impl TestMessage<'_, '_> {
    /// Sends the message and waits for its handler.
    ///
    /// # Panics
    ///
    /// If the connection is closed (by the test, or by the app), or inside a tokio
    /// runtime (an async test): `.await` the message there instead.
    #[track_caller]
    pub fn send(self) -> TestWebsocketResponse {
        let client = self.socket.client;
        client.block_on(self.into_future())
    }
}

impl<'s> IntoFuture for TestMessage<'s, '_> {
    type Output = TestWebsocketResponse;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 's>>;

    #[track_caller]
    fn into_future(self) -> Self::IntoFuture {
        let socket = self.socket;
        let request = request_id();
        let now = now_ms();
        let gateway = {
            let mut connections = socket.backend.connections();
            let connection = connections
                .get_mut(&socket.connection_id)
                .filter(|connection| connection.open);
            let Some(connection) = connection else {
                panic!(
                    "the test sends a message on WebSocket connection {}, which is closed",
                    socket.connection_id
                );
            };
            connection.last_active_ms = now;
            connection.gateway.clone()
        };
        Box::pin(async move {
            let app = socket.client.app();
            let Some(route_key) = app.select_websocket_route(&self.message) else {
                // No route and no $default: API Gateway answers the client itself.
                let frame = websocket_gateway_message("Forbidden", &socket.connection_id, &request);
                if let Some(connection) =
                    socket.backend.connections().get_mut(&socket.connection_id)
                {
                    connection.inbox.push_back(WebsocketMessage::Text(frame));
                }
                return TestWebsocketResponse {
                    route_key: None,
                    response: None,
                };
            };
            let route_key = route_key.to_owned();
            let mut event = gateway.message_event(&route_key, self.message, &request, now);
            let handler = app
                .websocket_routes()
                .find(|(key, _)| *key == route_key)
                .map_or("websocket_message", |(_, name)| name)
                .to_owned();
            event.context = socket.client.function_context(&handler);
            let response = socket
                .client
                .scoped(Some(&handler), app.handle_websocket(event))
                .await;
            if response.error().is_some_and(ChaliceError::is_unhandled) {
                // A failed integration: API Gateway tells the client.
                let frame = websocket_gateway_message(
                    "Internal server error",
                    &socket.connection_id,
                    &request,
                );
                if let Some(connection) =
                    socket.backend.connections().get_mut(&socket.connection_id)
                {
                    connection.inbox.push_back(WebsocketMessage::Text(frame));
                }
            }
            TestWebsocketResponse {
                route_key: Some(route_key),
                response: Some(response),
            }
        })
    }
}

/// What became of a message: the route it took and its handler's answer.
#[derive(Debug)]
#[non_exhaustive]
pub struct TestWebsocketResponse {
    /// The route key the message was routed to; `None` when no route matched and the app
    /// has no `$default` handler (API Gateway then sent the client `{"message":
    /// "Forbidden", ...}`, which [`TestWebsocket::receive`] returns).
    pub route_key: Option<String>,
    response: Option<WebsocketResponse>,
}

impl TestWebsocketResponse {
    /// The handler's status (200 when it succeeded), `None` when no handler ran.
    pub fn status_code(&self) -> Option<u16> {
        self.response.as_ref().map(|response| response.status_code)
    }

    /// The handler's error, when it failed (API Gateway then sent the client `{"message":
    /// "Internal server error", ...}` for an unhandled one).
    pub fn error(&self) -> Option<&ChaliceError> {
        self.response.as_ref().and_then(WebsocketResponse::error)
    }

    /// Whether a handler ran and succeeded.
    pub fn is_success(&self) -> bool {
        self.response
            .as_ref()
            .is_some_and(WebsocketResponse::is_success)
    }
}

/// A connection being closed by the client; [`send`](TestClose::send) it or `.await` it.
#[must_use = "a connection closes only when sent with .send() or .await"]
pub struct TestClose<'a> {
    socket: TestWebsocket<'a>,
}

impl TestClose<'_> {
    /// Closes the connection and waits for the `$disconnect` handler: its answer, `None` if
    /// the app had closed the connection already.
    ///
    /// # Panics
    ///
    /// Inside a tokio runtime (an async test): `.await` it there instead.
    pub fn send(self) -> Option<WebsocketResponse> {
        let client = self.socket.client;
        client.block_on(self.into_future())
    }
}

impl<'a> IntoFuture for TestClose<'a> {
    type Output = Option<WebsocketResponse>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let socket = self.socket;
            if !socket.backend.mark_closed(&socket.connection_id) {
                return None;
            }
            let mut event = socket
                .backend
                .connections()
                .get(&socket.connection_id)?
                .gateway
                .disconnect_event(1000, "", &request_id(), now_ms());
            event.context = socket.client.function_context(DISCONNECT_HANDLER);
            let app = socket.client.app();
            Some(
                socket
                    .client
                    .scoped(Some(DISCONNECT_HANDLER), app.handle_websocket(event))
                    .await,
            )
        })
    }
}
