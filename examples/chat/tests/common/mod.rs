//! The chat binary served on a free port, as `cargo run -p chat` serves it, and plain HTTP
//! requests to it.

#![allow(dead_code)] // Each test file uses its own part of this.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The example's binary, serving on 127.0.0.1 (a free port), killed when dropped.
pub(crate) struct Served {
    child: Child,
    pub(crate) addr: SocketAddr,
    /// The URL it says it serves WebSockets on.
    pub(crate) websocket_url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary and waits for the lines that say where it serves HTTP and WebSockets.
pub(crate) fn serve() -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chat"))
        .args(["--port", "0"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the chat example");
    let stderr = child.stderr.take().expect("its stderr");
    let (lines, incoming) = mpsc::channel();
    // Read on a thread: the log goes on after the lines we wait for, and must be drained.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                // Nobody listens any more; keep draining so the app never blocks on stderr.
                continue;
            }
        }
    });
    let mut addr = None;
    let mut websocket_url = None;
    while addr.is_none() || websocket_url.is_none() {
        let line = incoming
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| {
                panic!("the app did not say where it serves (addr {addr:?}, ws {websocket_url:?})")
            });
        if let Some(rest) = line.strip_prefix("Serving on http://") {
            addr = Some(rest.trim().parse::<SocketAddr>().expect("an address"));
        }
        if let Some(at) = line.find("ws://") {
            let url = line[at..].split_whitespace().next().expect("a URL");
            websocket_url = Some(url.to_owned());
        }
    }
    Served {
        child,
        addr: addr.expect("an address"),
        websocket_url: websocket_url.expect("a WebSocket URL"),
    }
}

/// One HTTP/1.1 request on a fresh connection: the status and body of the answer.
pub(crate) async fn http(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
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
