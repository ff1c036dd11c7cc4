//! Stopping the local server with open WebSocket connections, as a developer does it: the
//! server is a process of its own, stopped by a signal (Ctrl-C is SIGINT), and each
//! connection must be closed with 1001 and run its `$disconnect` handler before the process
//! exits, without letting a client that never answers hold the exit up.
//!
//! The server process is this test binary run again ([`support`]), running `child_server`
//! alone: a signal needs a process of its own to land in.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chalice_core::adapter::Gateway;
use chalice_core::{Chalice, WebsocketEvent};
use chalice_local::{Limits, Server};
use futures_util::StreamExt as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use support::{ChildServer, say};

/// The child's grace period. A client that never answers the close frame must not take it
/// whole, or its `$disconnect` would be cut.
const GRACE: Duration = Duration::from_secs(3);

/// How long the child's `$disconnect` handler takes: the server must wait for it.
const DISCONNECT_TAKES: Duration = Duration::from_millis(300);

/// Not a test of its own: the server the tests below start as a child process. It prints
/// `listening ADDR`, then `connect ID` and `disconnect ID CODE` as its handlers run.
#[test]
#[ignore = "the child process of the other tests here, which run it themselves"]
fn child_server() {
    if !support::is_child() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mut app = Chalice::new("stopping");
        app.on_ws_connect(|event: WebsocketEvent| say(&format!("connect {}", event.connection_id)));
        app.on_ws_message(|_: WebsocketEvent| {});
        app.on_ws_disconnect(|event: WebsocketEvent| async move {
            tokio::time::sleep(DISCONNECT_TAKES).await;
            let code = &event.request_context["disconnectStatusCode"];
            say(&format!("disconnect {} {code}", event.connection_id));
        });
        let server = Server::bind(
            "127.0.0.1:0".parse().expect("an address"),
            Gateway::new(Arc::new(app)),
        )
        .await
        .expect("bind")
        .limits(Limits::new().shutdown_grace(GRACE));
        let addr = server.local_addr().expect("an address");
        // Listening for signals from here, before the test is told it may send one.
        let serving = server.serve();
        say(&format!("listening {addr}"));
        let stopped = serving.await.expect("served");
        say(&format!("stopped {}", stopped.requests_cut()));
    });
    // As `chalice::run` does: whatever the runtime still held dies with the process.
    std::process::exit(0);
}

/// Opens a connection with an upgrade of its own and then never reads again: it will not
/// answer the server's close frame.
async fn stalled_client(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = [0u8; 1024];
    let n = stream.read(&mut answer).await.expect("read");
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 101 "), "{answer}");
    stream
}

#[test]
fn a_signal_closes_every_websocket_and_runs_disconnect_before_exiting() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    // (signal, clients that answer the close frame, clients that never read)
    let cases: &[(&str, usize, usize)] = &[("INT", 3, 1), ("TERM", 2, 0), ("INT", 0, 0)];
    for &(signal, answering, stalled) in cases {
        let case = format!("SIG{signal} with {answering} answering and {stalled} stalled clients");
        let (mut server, addr) = ChildServer::start(&[]);
        let mut ids = Vec::new();
        let mut closes = Vec::new();
        let mut stalled_streams = Vec::new();
        for _ in 0..answering {
            let (client, _) = runtime
                .block_on(tokio_tungstenite::connect_async(format!("ws://{addr}/")))
                .expect("the upgrade succeeds");
            ids.push(server.next_line("connect "));
            // Reads as a browser does (answering the close frame) until the server's close
            // frame: its code and reason.
            closes.push(runtime.spawn(async move {
                let mut client = client;
                while let Some(Ok(message)) = client.next().await {
                    if let Message::Close(frame) = message {
                        let _ = client.next().await;
                        return frame.map(|f| (f.code, f.reason.to_string()));
                    }
                }
                None
            }));
        }
        for _ in 0..stalled {
            stalled_streams.push(runtime.block_on(stalled_client(addr)));
            ids.push(server.next_line("connect "));
        }

        let signalled = Instant::now();
        server.signal(signal);
        let (status, took) = server.wait(signalled);
        assert_eq!(status, Some(0), "{case}");
        // Bounded by the grace period (the stalled client is not waited for that long),
        // with room for a loaded machine's process start and exit.
        assert!(
            took < GRACE + Duration::from_secs(2),
            "{case}: took {took:?}"
        );

        let lines = server.rest();
        for id in &ids {
            let line = format!("disconnect {id} 1001");
            assert!(lines.contains(&line), "{case}: no {line:?} in {lines:?}");
        }
        assert_eq!(
            lines.last().map(String::as_str),
            Some("stopped 0"),
            "{case}: {lines:?}"
        );
        for close in closes {
            let frame = runtime.block_on(close).expect("the reader ends");
            assert_eq!(
                frame,
                Some((
                    CloseCode::Away,
                    "Going away: the server is stopping".to_owned()
                )),
                "{case}"
            );
        }
        drop(stalled_streams);
    }
}
