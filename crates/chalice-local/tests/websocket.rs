//! The local server's WebSocket API over real sockets (127.0.0.1:0), as a WebSocket client
//! and a program using the local `@connections` see it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chalice_core::adapter::Gateway;
use chalice_core::{
    Chalice, ChaliceError, Request, Response, Route, WebsocketEvent, WebsocketMessage,
    websocket_api,
};
use chalice_local::{Limits, Server};
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What the app's `$disconnect` handler saw: connection id, close code.
type Disconnects = Arc<Mutex<Vec<(String, u64)>>>;

/// An app with every kind of WebSocket handler, and HTTP views that send to connections.
fn app(disconnects: &Disconnects) -> Chalice {
    let mut app = Chalice::new("ws");
    app.on_ws_connect(|event: WebsocketEvent| -> Result<(), ChaliceError> {
        match event.query_params.as_ref().and_then(|q| q.get("token")) {
            Some("bad") => Err(ChaliceError::forbidden("bad token")),
            _ => Ok(()),
        }
    });
    // Echoes each message, with the route key and the stage it came with.
    app.on_ws_message(|event: WebsocketEvent| async move {
        let api = websocket_api();
        match &event.body {
            WebsocketMessage::Text(text) if text == "who" => {
                let context = json!({
                    "connectionId": event.connection_id,
                    "routeKey": event.route_key,
                    "stage": event.stage,
                    "eventType": event.request_context["eventType"],
                    "domainName": event.domain_name,
                });
                api.send(&event.connection_id, context.to_string()).await?;
            }
            _ => api.send(&event.connection_id, event.body.clone()).await?,
        }
        Ok::<(), ChaliceError>(())
    });
    app.on_ws_route("shout", |event: WebsocketEvent| async move {
        let body: Value = event.json_body()?;
        let loud = body["text"].as_str().unwrap_or_default().to_uppercase();
        websocket_api().send(&event.connection_id, loud).await?;
        Ok::<(), ChaliceError>(())
    })
    .name("shout");
    app.on_ws_route("fail", |_: WebsocketEvent| -> Result<(), ChaliceError> {
        Err(ChaliceError::view_error("it failed"))
    })
    .name("fail");
    let seen = Arc::clone(disconnects);
    app.on_ws_disconnect(move |event: WebsocketEvent| {
        let code = event.request_context["disconnectStatusCode"]
            .as_u64()
            .unwrap_or_default();
        seen.lock()
            .expect("not poisoned")
            .push((event.connection_id, code));
    });
    // HTTP views sending to WebSocket clients.
    app.register(Route::new("/notify/{id}", notify).methods(["POST"]));
    app.register(Route::new("/flood/{id}", flood).methods(["POST"]));
    app.route("/", || "the HTTP API");
    app
}

/// Sends the request's body to connection `id`: the typed error when it is gone.
async fn notify(request: Request) -> Response {
    let id = request.uri_param("id").unwrap_or_default();
    let text = String::from_utf8_lossy(request.raw_body()).into_owned();
    match websocket_api().send(id, text).await {
        Ok(()) => Response::new("sent"),
        Err(error) if error.is_disconnected() => Response::new(error.to_string()).status_code(410),
        Err(error) => Response::new(error.to_string()).status_code(500),
    }
}

/// Floods connection `id` with 100 KB messages until a send fails: how many went out, and
/// whether the failure was the typed disconnection.
async fn flood(request: Request) -> Response {
    let id = request.uri_param("id").unwrap_or_default();
    let chunk = vec![b'x'; 100 * 1024];
    let api = websocket_api();
    for sent in 0..2000u32 {
        if let Err(error) = api.send(id, chunk.clone()).await {
            return Response::new(format!("{sent} {}", error.is_disconnected()));
        }
    }
    Response::new("never dropped")
}

struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<()>,
}

impl Running {
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), &mut self.done).await;
    }
}

async fn serve(app: Chalice, limits: Limits) -> Running {
    let server = Server::bind(
        "127.0.0.1:0".parse().expect("an address"),
        Gateway::new(Arc::new(app)),
    )
    .await
    .expect("bind")
    .limits(limits);
    let addr = server.local_addr().expect("an address");
    let (stop, stopped) = oneshot::channel();
    let done = tokio::spawn(async move {
        let _ = server
            .serve_until(async {
                let _ = stopped.await;
            })
            .await;
    });
    Running {
        addr,
        stop: Some(stop),
        done,
    }
}

async fn connect(addr: SocketAddr, target: &str) -> Client {
    let (client, _) = connect_async(format!("ws://{addr}{target}"))
        .await
        .expect("the upgrade succeeds");
    client
}

/// The next message the client receives (pings skipped), within 10 s.
async fn next(client: &mut Client) -> Message {
    loop {
        let next = tokio::time::timeout(Duration::from_secs(10), client.next())
            .await
            .expect("a message within 10 s");
        match next {
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            Some(Ok(message)) => return message,
            other => panic!("expected a message, got {other:?}"),
        }
    }
}

async fn next_json(client: &mut Client) -> Value {
    match next(client).await {
        Message::Text(text) => serde_json::from_str(&text).expect("JSON"),
        other => panic!("expected text, got {other:?}"),
    }
}

/// The connection's id, as its own `$default` handler reports it.
async fn id_of(client: &mut Client) -> String {
    client.send(Message::text("who")).await.expect("send");
    next_json(client).await["connectionId"]
        .as_str()
        .expect("an id")
        .to_owned()
}

/// The close frame the server ends the connection with. The client goes on reading, as
/// browsers do, so that its answer to the close frame is sent.
async fn closed_with(client: &mut Client) -> (CloseCode, String) {
    loop {
        match next(client).await {
            Message::Close(Some(frame)) => {
                let _ = tokio::time::timeout(Duration::from_secs(5), client.next()).await;
                return (frame.code, frame.reason.to_string());
            }
            Message::Close(None) => panic!("a close frame without a code"),
            _ => {}
        }
    }
}

/// One HTTP/1.1 request on a fresh connection: status and body.
async fn http(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body).await.expect("write");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer))
        .await
        .expect("an answer within 30 s")
        .expect("read");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Waits until `disconnects` records `id`; the close code it was recorded with.
async fn disconnected(disconnects: &Disconnects, id: &str) -> u64 {
    for _ in 0..500 {
        let found = disconnects
            .lock()
            .expect("not poisoned")
            .iter()
            .find(|(seen, _)| seen == id)
            .map(|(_, code)| *code);
        if let Some(code) = found {
            return code;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("$disconnect never ran for {id}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_reach_their_routes_and_answers_come_back() {
    let disconnects = Disconnects::default();
    let running = serve(app(&disconnects), Limits::new()).await;
    let mut client = connect(running.addr, "/").await;

    client.send(Message::text("who")).await.expect("send");
    let who = next_json(&mut client).await;
    assert_eq!(who["routeKey"], "$default");
    assert_eq!(who["eventType"], "MESSAGE");
    assert_eq!(who["stage"], "api");
    assert_eq!(who["domainName"], running.addr.to_string());
    let id = who["connectionId"].as_str().expect("an id").to_owned();
    assert_eq!(id.len(), 16, "{id}");

    // (sent, received): the route selection expression picks `shout` and `fail`; anything
    // else is `$default`'s, which echoes text as text and binary as binary.
    let cases: Vec<(Message, Message)> = vec![
        (Message::text("hello"), Message::text("hello")),
        (
            Message::text(r#"{"action": "shout", "text": "hey"}"#),
            Message::text("HEY"),
        ),
        (
            Message::text(r#"{"action": "nothing", "text": "hey"}"#),
            Message::text(r#"{"action": "nothing", "text": "hey"}"#),
        ),
        (
            Message::binary(vec![0xff, 0x00, 0x01]),
            Message::binary(vec![0xff, 0x00, 0x01]),
        ),
    ];
    for (sent, expected) in cases {
        client.send(sent.clone()).await.expect("send");
        assert_eq!(next(&mut client).await, expected, "{sent:?}");
    }

    // A failing handler: API Gateway's own message to the client; the connection stays.
    client
        .send(Message::text(r#"{"action": "fail"}"#))
        .await
        .expect("send");
    let failed = next_json(&mut client).await;
    assert_eq!(failed["message"], "Internal server error");
    assert_eq!(failed["connectionId"], id.as_str());
    client
        .send(Message::text("still here"))
        .await
        .expect("send");
    assert_eq!(next(&mut client).await, Message::text("still here"));

    // The client closes: $disconnect runs with its code.
    client.close(None).await.expect("close");
    assert_eq!(disconnected(&disconnects, &id).await, 1005);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_refusals_and_what_is_not_a_websocket() {
    let disconnects = Disconnects::default();
    let running = serve(app(&disconnects), Limits::new()).await;
    let addr = running.addr;

    // The $connect handler's error refuses the upgrade with its status.
    match connect_async(format!("ws://{addr}/?token=bad")).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403);
        }
        other => panic!("expected a refusal, got {:?}", other.map(|(_, r)| r)),
    }
    // Both paths of the WebSocket API take upgrades.
    for target in ["/?token=good", "/_chalice/ws"] {
        let mut client = connect(addr, target).await;
        assert_eq!(id_of(&mut client).await.len(), 16, "{target}");
    }
    // Plain HTTP on the same paths is the HTTP API's, and so is an upgrade elsewhere.
    assert_eq!(
        http(addr, "GET", "/", b"").await,
        (200, "the HTTP API".to_owned())
    );
    let (status, _) = http(addr, "GET", "/elsewhere", b"").await;
    assert_eq!(status, 403);
    // A malformed upgrade is refused with a reason.
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = vec![0u8; 4096];
    let n = stream.read(&mut answer).await.expect("read");
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 426 "), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("sec-websocket-version: 13"),
        "{answer}"
    );
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_view_and_the_management_endpoint_reach_the_clients() {
    let disconnects = Disconnects::default();
    let running = serve(app(&disconnects), Limits::new()).await;
    let addr = running.addr;
    let mut client = connect(addr, "/").await;
    let id = id_of(&mut client).await;
    let at = |id: &str| format!("/_chalice/ws/@connections/{id}");

    // From an HTTP view, through websocket_api().
    let (status, body) = http(addr, "POST", &format!("/notify/{id}"), b"from a view").await;
    assert_eq!((status, body.as_str()), (200, "sent"));
    assert_eq!(next(&mut client).await, Message::text("from a view"));

    // From another program: POST sends, GET describes.
    let cases: &[(&str, &[u8], u16, Option<Message>)] = &[
        ("POST", b"from curl", 200, Some(Message::text("from curl"))),
        (
            "POST",
            b"\xff\xfe",
            200,
            Some(Message::binary(vec![0xff, 0xfe])),
        ),
        ("POST", &[b'x'; 128 * 1024 + 1], 413, None),
        ("PUT", b"", 405, None),
    ];
    for (method, body, status, received) in cases {
        let (got, answer) = http(addr, method, &at(&id), body).await;
        assert_eq!(got, *status, "{method}: {answer}");
        if let Some(expected) = received {
            assert_eq!(&next(&mut client).await, expected, "{method}");
        }
    }
    let (status, info) = http(addr, "GET", &at(&id), b"").await;
    assert_eq!(status, 200);
    let info: Value = serde_json::from_str(&info).expect("JSON");
    assert_eq!(info["Identity"]["SourceIp"], "127.0.0.1");
    assert!(
        info["ConnectedAt"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{info}"
    );

    // DELETE closes it (1000), $disconnect runs, and from then on it is gone everywhere.
    let (status, _) = http(addr, "DELETE", &at(&id), b"").await;
    assert_eq!(status, 204);
    assert_eq!(closed_with(&mut client).await.0, CloseCode::Normal);
    assert_eq!(disconnected(&disconnects, &id).await, 1000);
    for (method, path) in [
        ("POST", at(&id)),
        ("GET", at(&id)),
        ("DELETE", at(&id)),
        ("POST", format!("/notify/{id}")),
        ("POST", at("never-was")),
    ] {
        let (status, body) = http(addr, method, &path, b"x").await;
        assert_eq!(status, 410, "{method} {path}: {body}");
    }
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_frames_get_a_clean_close() {
    let disconnects = Disconnects::default();
    let running = serve(app(&disconnects), Limits::new()).await;
    let addr = running.addr;

    // A text frame that is not UTF-8: 1007.
    let mut client = connect(addr, "/").await;
    let id = id_of(&mut client).await;
    let frame = Frame::message(vec![0xc3, 0x28], OpCode::Data(Data::Text), true);
    client.send(Message::Frame(frame)).await.expect("send");
    assert_eq!(closed_with(&mut client).await.0, CloseCode::Invalid);
    assert_eq!(disconnected(&disconnects, &id).await, 1007);

    // A message past API Gateway's 128 KB, and a frame past its 32 KB: 1009.
    let mut client = connect(addr, "/").await;
    let id = id_of(&mut client).await;
    let big = Frame::message(vec![0u8; 40 * 1024], OpCode::Data(Data::Binary), true);
    client.send(Message::Frame(big)).await.expect("send");
    let (code, reason) = closed_with(&mut client).await;
    assert_eq!(code, CloseCode::Size, "{reason}");
    assert_eq!(disconnected(&disconnects, &id).await, 1009);

    // Nothing is left behind: both are gone from the registry.
    let (status, _) = http(addr, "GET", &format!("/_chalice/ws/@connections/{id}"), b"").await;
    assert_eq!(status, 410);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped_without_holding_up_others() {
    let disconnects = Disconnects::default();
    let running = serve(app(&disconnects), Limits::new()).await;
    let addr = running.addr;
    let mut slow = connect(addr, "/").await;
    let slow_id = id_of(&mut slow).await;
    let mut fast = connect(addr, "/").await;
    let _ = id_of(&mut fast).await;

    // The slow client reads nothing more; a view floods it with 100 KB messages.
    let flood =
        tokio::spawn(async move { http(addr, "POST", &format!("/flood/{slow_id}"), b"").await });
    // Meanwhile the fast client is answered as usual.
    for n in 0..20 {
        let text = format!("ping {n}");
        fast.send(Message::text(text.clone())).await.expect("send");
        assert_eq!(next(&mut fast).await, Message::text(text));
    }
    let (status, body) = flood.await.expect("the flood ends");
    assert_eq!(status, 200);
    // The sends stopped with the typed error once the client's queue was full, long before
    // the 2000 messages (200 MB) were queued.
    let (sent, disconnected) = body.split_once(' ').expect("count and kind");
    assert_eq!(disconnected, "true", "{body}");
    let sent: u32 = sent.parse().expect("a count");
    assert!(sent < 2000, "{body}");
    drop(slow);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_websocket_handlers_nothing_changes() {
    let mut app = Chalice::new("plain");
    app.route("/", || "plain");
    let running = serve(app, Limits::new()).await;
    let addr = running.addr;
    // An upgrade request is an HTTP request like another: the route answers it.
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade, close\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    let (status, body) = http(addr, "POST", "/_chalice/ws/@connections/abc", b"x").await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("no WebSocket API"), "{body}");
    running.stop().await;
}
