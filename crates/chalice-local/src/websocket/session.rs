//! One WebSocket connection: the handshake and `$connect`, then a reader that hands each
//! message to its handler and a writer that drains the connection's queue to the socket,
//! then `$disconnect`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use chalice_core::InvokeError;
use futures_util::{SinkExt as _, StreamExt as _};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::event::{Body, Connection};
use super::registry::{Outgoing, Registered, now_ms};
use super::{Websockets, own_answer};
use crate::wire::Shared;

/// API Gateway's limits: a message of at most 128 KB, in frames of at most 32 KB.
pub(super) const MAX_MESSAGE_BYTES: usize = 128 * 1024;
const MAX_FRAME_BYTES: usize = 32 * 1024;
/// API Gateway closes a connection idle for 10 minutes.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// How long a closing side waits for the other's close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

pub(super) async fn upgrade(
    websockets: &Arc<Websockets>,
    peer: SocketAddr,
    shared: &Shared,
    mut request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let accept = match handshake(&request) {
        Ok(accept) => accept,
        Err(refused) => return refused,
    };
    let registry = websockets.registry();
    if registry.len() >= websockets.max_connections {
        return own_answer(
            http::StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "Service Unavailable: the local server already has {} WebSocket connections open",
                websockets.max_connections
            ),
        );
    }
    let headers = request.headers();
    let text = |name: http::header::HeaderName| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let connection = Connection {
        id: registry.new_id(),
        domain_name: text(http::header::HOST).unwrap_or_else(|| "localhost".to_owned()),
        stage: websockets.stage.clone(),
        source_ip: peer.ip(),
        user_agent: text(http::header::USER_AGENT),
        connected_at_ms: now_ms(),
    };
    if let Some(handler) = websockets.handler(chalice_manifest::CONNECT_ROUTE) {
        let function = websockets.function(handler);
        let context = function.context();
        let event =
            connection.connect_event(&context.aws_request_id, headers, request.uri().query());
        let answer = websockets.app.invoke(handler, &event, context).await;
        if let Some(status) = refusal(&answer) {
            tracing::info!(
                target: crate::REQUEST_TARGET,
                "WebSocket {} refused by {handler} ({status})",
                connection.id
            );
            let message = match status {
                403 => "Forbidden",
                401 => "Unauthorized",
                _ => "Internal server error",
            };
            let status = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::FORBIDDEN);
            return own_answer(status, message);
        }
    }
    let registered = registry.register(
        connection.id.clone(),
        connection.source_ip,
        connection.user_agent.clone(),
    );
    // From here the connection is no longer HTTP: its socket layer stops looking for
    // requests in its bytes and stops timing the client's silence (the session does).
    shared.upgrade();
    let on_upgrade = hyper::upgrade::on(&mut request);
    let id = connection.id.clone();
    let websockets = Arc::clone(websockets);
    tokio::spawn(async move {
        let socket = match on_upgrade.await {
            Ok(upgraded) => {
                let config = WebSocketConfig::default()
                    .max_message_size(Some(MAX_MESSAGE_BYTES))
                    .max_frame_size(Some(MAX_FRAME_BYTES));
                Some(
                    WebSocketStream::from_raw_socket(
                        TokioIo::new(upgraded),
                        Role::Server,
                        Some(config),
                    )
                    .await,
                )
            }
            Err(error) => {
                tracing::debug!(target: "chalice::local", "WebSocket upgrade failed: {error}");
                None
            }
        };
        run(&websockets, socket, registered, connection).await;
    });
    tracing::info!(target: crate::REQUEST_TARGET, "WebSocket {id} connected");
    let mut response = hyper::Response::new(Full::new(Bytes::new()));
    *response.status_mut() = http::StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("upgrade"),
    );
    headers.insert(
        http::header::UPGRADE,
        http::HeaderValue::from_static("websocket"),
    );
    if let Ok(value) = http::HeaderValue::from_str(&accept) {
        headers.insert(http::header::SEC_WEBSOCKET_ACCEPT, value);
    }
    response
}

/// The `Sec-WebSocket-Accept` answer to a well-formed opening handshake (RFC 6455 4.2.1),
/// or the refusal of one that is not.
#[allow(clippy::result_large_err)]
fn handshake(request: &hyper::Request<Incoming>) -> Result<String, hyper::Response<Full<Bytes>>> {
    let headers = request.headers();
    let bad = |message: &str| Err(own_answer(http::StatusCode::BAD_REQUEST, message));
    if request.method() != http::Method::GET {
        return bad("Bad Request: a WebSocket connection opens with a GET request");
    }
    let has_token = |name: http::header::HeaderName, token: &str| {
        headers.get_all(name).iter().any(|value| {
            value.to_str().is_ok_and(|value| {
                value
                    .split(',')
                    .any(|t| t.trim().eq_ignore_ascii_case(token))
            })
        })
    };
    if !has_token(http::header::CONNECTION, "upgrade") {
        return bad("Bad Request: a WebSocket upgrade needs `Connection: Upgrade`");
    }
    if headers
        .get(http::header::SEC_WEBSOCKET_VERSION)
        .is_none_or(|version| version != "13")
    {
        let mut refused = own_answer(
            http::StatusCode::UPGRADE_REQUIRED,
            "Upgrade Required: the WebSocket version must be 13",
        );
        refused.headers_mut().insert(
            http::header::SEC_WEBSOCKET_VERSION,
            http::HeaderValue::from_static("13"),
        );
        return Err(refused);
    }
    match headers.get(http::header::SEC_WEBSOCKET_KEY) {
        // A key is 16 bytes in base64: 24 characters.
        Some(key) if key.len() == 24 => Ok(derive_accept_key(key.as_bytes())),
        _ => {
            bad("Bad Request: a WebSocket upgrade needs a Sec-WebSocket-Key of 16 bytes in base64")
        }
    }
}

/// The status a `$connect` handler's answer refuses the connection with, if it does: its
/// error's, or a `statusCode` outside 2xx in what it returned.
fn refusal(answer: &Result<serde_json::Value, InvokeError>) -> Option<u16> {
    match answer {
        Ok(value) => value
            .get("statusCode")
            .and_then(serde_json::Value::as_u64)
            .and_then(|status| u16::try_from(status).ok())
            .filter(|status| !(200..300).contains(status)),
        Err(InvokeError::Failed { error, .. }) => Some(error.status_code()),
        Err(_) => Some(500),
    }
}

/// How a connection ended, as `$disconnect` reports it.
struct Ended {
    code: u16,
    reason: String,
}

/// Serves the connection until it closes, then removes it and runs `$disconnect`.
async fn run(
    websockets: &Websockets,
    socket: Option<Socket>,
    registered: Registered,
    connection: Connection,
) {
    let Registered {
        id,
        queue,
        queued,
        last_active_ms,
        sender,
        ..
    } = registered;
    let ended = match socket {
        None => Ended {
            code: 1006,
            reason: "the client left during the handshake".to_owned(),
        },
        Some(socket) => {
            let (sink, source) = socket.split();
            let closing = Arc::new(Notify::new());
            let writer = tokio::spawn(write(sink, queue, queued, Arc::clone(&closing)));
            let reader = Reader {
                websockets,
                connection: &connection,
                sender: &sender,
                last_active_ms: &last_active_ms,
            };
            let ended = reader.read(source, &closing).await;
            websockets.registry.remove(&id);
            drop(sender);
            // The writer sends what is queued (a close frame last), then stops; a client
            // that does not take it is not waited for long.
            let abort = writer.abort_handle();
            if tokio::time::timeout(CLOSE_WAIT, writer).await.is_err() {
                abort.abort();
            }
            ended
        }
    };
    websockets.registry.remove(&id);
    tracing::info!(
        target: crate::REQUEST_TARGET,
        "WebSocket {id} disconnected ({} {})",
        ended.code,
        ended.reason
    );
    if let Some(handler) = websockets.handler(chalice_manifest::DISCONNECT_ROUTE) {
        let function = websockets.function(handler);
        let context = function.context();
        let event = connection.disconnect_event(&context.aws_request_id, ended.code, &ended.reason);
        // A failure is logged by the app; nobody is left to tell.
        let _ = websockets.app.invoke(handler, &event, context).await;
    }
}

/// Drains the connection's queue to the socket until a close frame, an error, or the end
/// of the queue; then tells the reader no more will be written.
async fn write(
    mut sink: futures_util::stream::SplitSink<Socket, Message>,
    mut queue: mpsc::UnboundedReceiver<Outgoing>,
    queued: Arc<std::sync::atomic::AtomicUsize>,
    closing: Arc<Notify>,
) {
    while let Some(outgoing) = queue.recv().await {
        match outgoing {
            Outgoing::Message(message) => {
                let len = message.len();
                let sent = sink.send(message).await;
                queued.fetch_sub(len, Ordering::AcqRel);
                if sent.is_err() {
                    break;
                }
            }
            Outgoing::Close(frame) => {
                let _ = sink.send(Message::Close(Some(frame))).await;
                break;
            }
        }
    }
    closing.notify_one();
}

struct Reader<'a> {
    websockets: &'a Websockets,
    connection: &'a Connection,
    sender: &'a mpsc::UnboundedSender<Outgoing>,
    last_active_ms: &'a std::sync::atomic::AtomicU64,
}

impl Reader<'_> {
    /// Reads messages until the connection closes; how it ended.
    async fn read(
        &self,
        mut source: futures_util::stream::SplitStream<Socket>,
        closing: &Notify,
    ) -> Ended {
        let mut ended: Option<Ended> = None;
        // Set once this side has sent its close frame: the client's is awaited until then.
        let mut deadline: Option<Instant> = None;
        loop {
            let wait = deadline.unwrap_or_else(|| Instant::now() + IDLE_TIMEOUT);
            let next = tokio::select! {
                next = source.next() => next,
                () = closing.notified(), if deadline.is_none() => {
                    deadline = Some(Instant::now() + CLOSE_WAIT);
                    continue;
                }
                () = tokio::time::sleep_until(wait) => {
                    if deadline.is_some() {
                        break;
                    }
                    self.close(CloseCode::Away, "Going away: idle for 10 minutes", &mut ended);
                    continue;
                }
            };
            let message = match next {
                None => break,
                Some(Ok(message)) => message,
                Some(Err(error)) => {
                    let (code, reason) = match &error {
                        WsError::Capacity(_) => (
                            CloseCode::Size,
                            format!(
                                "Message too big: API Gateway takes messages of up to {MAX_MESSAGE_BYTES} bytes \
                                 in frames of up to {MAX_FRAME_BYTES}"
                            ),
                        ),
                        WsError::Utf8(_) => (
                            CloseCode::Invalid,
                            "Invalid frame payload data: a text message must be UTF-8".to_owned(),
                        ),
                        WsError::ConnectionClosed | WsError::AlreadyClosed | WsError::Io(_) => {
                            break;
                        }
                        _ => (CloseCode::Protocol, format!("Protocol error: {error}")),
                    };
                    self.close(code, &reason, &mut ended);
                    // After an error the stream yields nothing more worth reading.
                    break;
                }
            };
            match message {
                Message::Text(text) => {
                    self.touch();
                    self.on_message(Body::Text(text.as_str())).await;
                }
                Message::Binary(bytes) => {
                    self.touch();
                    self.on_message(Body::Binary(&bytes)).await;
                }
                Message::Close(frame) => {
                    // tungstenite answers it; the stream ends once the answer is sent.
                    ended.get_or_insert_with(|| match frame {
                        Some(frame) => Ended {
                            code: frame.code.into(),
                            reason: frame.reason.to_string(),
                        },
                        None => Ended {
                            code: 1005,
                            reason: "Client-side close frame status not set".to_owned(),
                        },
                    });
                }
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            }
        }
        ended.unwrap_or(Ended {
            code: 1006,
            reason: "the connection was lost without a close frame".to_owned(),
        })
    }

    fn touch(&self) {
        self.last_active_ms.store(now_ms(), Ordering::Relaxed);
    }

    /// Closes the connection from this side with `code`.
    fn close(&self, code: CloseCode, reason: &str, ended: &mut Option<Ended>) {
        ended.get_or_insert_with(|| Ended {
            code: code.into(),
            reason: reason.to_owned(),
        });
        let _ = self.sender.send(Outgoing::Close(CloseFrame {
            code,
            reason: reason.to_owned().into(),
        }));
    }

    /// Hands one message to the handler of its route, and tells the client when there is
    /// none or it failed, as API Gateway does.
    async fn on_message(&self, body: Body<'_>) {
        let websockets = self.websockets;
        let connection = self.connection;
        let Some((route_key, handler)) = websockets.route_of(&body) else {
            self.reply("Forbidden", &new_request_id(websockets));
            return;
        };
        let function = websockets.function(handler);
        let context = function.context();
        let request_id = context.aws_request_id.clone();
        let len = match body {
            Body::Text(text) => text.len(),
            Body::Binary(bytes) => bytes.len(),
        };
        // The message and its event are held while the handler runs: within the budget
        // every request body in flight shares.
        let Some(_reservation) = websockets.bodies.reserve(2 * len) else {
            self.reply("Service Unavailable", &request_id);
            return;
        };
        let event = connection.message_event(&request_id, route_key, &body);
        if websockets
            .app
            .invoke(handler, &event, context)
            .await
            .is_err()
        {
            // The app logged the error.
            self.reply("Internal server error", &request_id);
        }
    }

    /// API Gateway's own message to the client about its message.
    fn reply(&self, message: &str, request_id: &str) {
        let text = serde_json::json!({
            "message": message,
            "connectionId": self.connection.id,
            "requestId": request_id,
        })
        .to_string();
        let _ = self
            .websockets
            .registry
            .send(&self.connection.id, Message::text(text));
    }
}

fn new_request_id(websockets: &Websockets) -> String {
    websockets.registry.new_id()
}
