//! One WebSocket connection: the handshake and `$connect`, then a reader that hands each
//! message to its handler and a writer that drains the connection's queue to the socket,
//! then `$disconnect`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use chalice_core::adapter::{WebsocketConnection, websocket_gateway_message};
use chalice_core::{Headers, MultiDict, WebsocketEvent, WebsocketMessage, WebsocketResponse};
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

use super::registry::{Outgoing, Registered, now_ms};
use super::{Websockets, own_answer};
use crate::wire::Shared;

/// API Gateway's limits: a message of at most 128 KB, in frames of at most 32 KB.
pub(super) const MAX_MESSAGE_BYTES: usize = 128 * 1024;
const MAX_FRAME_BYTES: usize = 32 * 1024;
/// API Gateway closes a connection idle for 10 minutes.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

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
    let mut connection = WebsocketConnection::new(
        registry.new_id(),
        text(http::header::HOST).unwrap_or_else(|| "localhost".to_owned()),
        websockets.stage.clone(),
        now_ms(),
    )
    .source_ip(peer.ip().to_string());
    if let Some(agent) = text(http::header::USER_AGENT) {
        connection = connection.user_agent(agent);
    }
    let query = request.uri().query().and_then(MultiDict::parse);
    let headers = Headers::from(request.headers().clone());
    let (connected, _) = websockets
        .call(&connection, chalice_manifest::CONNECT_ROUTE, |request_id| {
            connection.connect_event(headers, query, request_id, now_ms())
        })
        .await;
    if !connected.is_success() {
        let status = connected.status_code;
        let message = match status {
            403 => "Forbidden",
            401 => "Unauthorized",
            _ => "Internal server error",
        };
        let status = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::FORBIDDEN);
        return own_answer(status, message);
    }
    let registered = registry.register(
        connection.connection_id.clone(),
        peer.ip(),
        connection.user_agent.clone(),
    );
    // From here the connection is no longer HTTP: its socket layer stops looking for
    // requests in its bytes and stops timing the client's silence (the session does).
    shared.upgrade();
    let on_upgrade = hyper::upgrade::on(&mut request);
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
    // The subprotocol the `$connect` handler chose, as API Gateway passes it from the
    // integration's answer. Without one, a client that offered subprotocols refuses the
    // connection, as it does a deployed API's.
    for (name, value) in connected.headers() {
        if !name.eq_ignore_ascii_case(http::header::SEC_WEBSOCKET_PROTOCOL.as_str()) {
            continue;
        }
        match http::HeaderValue::from_str(value) {
            Ok(value) => {
                headers.insert(http::header::SEC_WEBSOCKET_PROTOCOL, value);
            }
            Err(_) => tracing::warn!(
                target: "chalice::local",
                "the $connect handler chose the subprotocol {value:?}, which a header cannot carry: none sent"
            ),
        }
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

impl Websockets {
    /// Runs the handler of `route_key` on the event `event` builds with a fresh request id,
    /// with this server's connections behind `websocket_api()`, and logs it as the server
    /// logs requests: its answer, and the request id.
    async fn call(
        &self,
        connection: &WebsocketConnection,
        route_key: &str,
        event: impl FnOnce(&str) -> WebsocketEvent,
    ) -> (WebsocketResponse, String) {
        let started = Instant::now();
        let context = self.function(route_key).context();
        let request_id = context.aws_request_id.clone();
        let mut event = event(&request_id);
        event.context = context;
        // As deployed: in the handler's own function, with its environment variables.
        let handler = self.handler(route_key);
        let response = self
            .with_backend(crate::function::in_function(
                handler,
                self.app.handle_websocket(event),
            ))
            .await;
        if tracing::enabled!(target: crate::REQUEST_TARGET, tracing::Level::INFO) {
            let micros = started.elapsed().as_micros();
            tracing::info!(
                target: crate::REQUEST_TARGET,
                "WEBSOCKET {route_key} {} {} {}.{:03}ms",
                connection.connection_id,
                response.status_code,
                micros / 1000,
                micros % 1000
            );
        }
        (response, request_id)
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
    connection: WebsocketConnection,
) {
    let Registered {
        id,
        queue,
        queued,
        last_active_ms,
        sender,
        // Counts the session as running until `$disconnect` has returned: a stopping
        // server waits for it.
        session: _session,
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
            let read = reader.read(source, &closing).await;
            websockets.registry.remove(&id);
            drop(sender);
            // The writer sends what is queued (a close frame last), then stops; a client
            // that does not take it is not waited for long.
            let abort = writer.abort_handle();
            let close_wait = websockets.registry.close_wait();
            let written = match tokio::time::timeout(close_wait, writer).await {
                Ok(Ok(written)) => written,
                _ => {
                    abort.abort();
                    None
                }
            };
            // The client's close frame says how it ended; else the one this side sent
            // (the app's close, a slow client's), whose answer the client may not send.
            read.or(written).unwrap_or(Ended {
                code: 1006,
                reason: "the connection was lost without a close frame".to_owned(),
            })
        }
    };
    websockets.registry.remove(&id);
    // The request log has the $disconnect line; why is for those who look closer.
    tracing::debug!(
        target: "chalice::local",
        "WebSocket {id} closed: {} {}",
        ended.code,
        ended.reason
    );
    // A failure is logged by the app; nobody is left to tell.
    let _ = websockets
        .call(
            &connection,
            chalice_manifest::DISCONNECT_ROUTE,
            |request_id| {
                connection.disconnect_event(ended.code, &ended.reason, request_id, now_ms())
            },
        )
        .await;
}

/// Drains the connection's queue to the socket until a close frame, an error, or the end
/// of the queue; then tells the reader no more will be written. The close frame it sent,
/// if it did.
async fn write(
    mut sink: futures_util::stream::SplitSink<Socket, Message>,
    mut queue: mpsc::UnboundedReceiver<Outgoing>,
    queued: Arc<std::sync::atomic::AtomicUsize>,
    closing: Arc<Notify>,
) -> Option<Ended> {
    let mut sent_close = None;
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
                sent_close = Some(Ended {
                    code: frame.code.into(),
                    reason: frame.reason.to_string(),
                });
                let _ = sink.send(Message::Close(Some(frame))).await;
                break;
            }
        }
    }
    closing.notify_one();
    sent_close
}

struct Reader<'a> {
    websockets: &'a Websockets,
    connection: &'a WebsocketConnection,
    sender: &'a mpsc::UnboundedSender<Outgoing>,
    last_active_ms: &'a std::sync::atomic::AtomicU64,
}

impl Reader<'_> {
    /// Reads messages until the connection closes; how it ended, when it knows: the
    /// client's close frame, or the reason this side closed it.
    async fn read(
        &self,
        mut source: futures_util::stream::SplitStream<Socket>,
        closing: &Notify,
    ) -> Option<Ended> {
        let mut ended: Option<Ended> = None;
        // Set once this side has sent its close frame: the client's is awaited until then.
        let mut deadline: Option<Instant> = None;
        loop {
            let wait = deadline.unwrap_or_else(|| Instant::now() + IDLE_TIMEOUT);
            let next = tokio::select! {
                next = source.next() => next,
                () = closing.notified(), if deadline.is_none() => {
                    deadline = Some(Instant::now() + self.websockets.registry.close_wait());
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
                    self.on_message(WebsocketMessage::Text(text.as_str().to_owned()))
                        .await;
                }
                Message::Binary(bytes) => {
                    self.touch();
                    self.on_message(WebsocketMessage::Binary(bytes)).await;
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
        ended
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
    async fn on_message(&self, message: WebsocketMessage) {
        let websockets = self.websockets;
        let Some(route_key) = websockets.app.select_websocket_route(&message) else {
            self.reply("Forbidden", &websockets.registry.new_id());
            return;
        };
        // The message and its event are held while the handler runs: within the budget
        // every request body in flight shares.
        let Some(_reservation) = websockets.bodies.reserve(2 * message.as_bytes().len()) else {
            self.reply("Service Unavailable", &websockets.registry.new_id());
            return;
        };
        let connection = self.connection;
        let (response, request_id) = websockets
            .call(connection, route_key, |request_id| {
                connection.message_event(route_key, message, request_id, now_ms())
            })
            .await;
        if !response.is_success() {
            // The app logged the error.
            self.reply("Internal server error", &request_id);
        }
    }

    /// API Gateway's own message to the client about its message.
    fn reply(&self, message: &str, request_id: &str) {
        let id = &self.connection.connection_id;
        let text = websocket_gateway_message(message, id, request_id);
        let _ = self.websockets.registry.send(id, Message::text(text));
    }
}
