//! The front doors a request can come through, for tests that compare them: the local
//! server over a real socket (bound to 127.0.0.1:0), and the Lambda adapter given an event.
//! The test client is used as it is.

#![allow(dead_code, unreachable_pub)] // Each test file uses some of these.

use std::time::Duration;

use base64::Engine as _;
use chalice::{Chalice, LambdaContext};
use chalice_core::adapter::Gateway;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What came back: status, headers (lower-case names, in order) and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON, or a panic showing it.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "not JSON ({error}): {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// Serves `gateway` on 127.0.0.1:0, writes `head` (the request line and headers, without
/// the blank line) and `body` to one connection with `Connection: close`, and reads the
/// answer to its end.
pub async fn through_local_server(gateway: Gateway, head: &str, body: &[u8]) -> Answer {
    let server = chalice_local::Server::bind("127.0.0.1:0".parse().expect("addr"), gateway)
        .await
        .expect("bind");
    let addr = server.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.serve_until(async {
        let _ = stopped.await;
    }));
    let request = format!(
        "{head}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    stream.write_all(body).await.expect("write");
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut raw))
        .await
        .expect("timely")
        .expect("read");
    let _ = stop.send(());
    task.await.expect("server task").expect("server");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head")
        + 4;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers = lines
        .filter_map(|line| line.split_once(": "))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[split..].to_vec(),
    }
}

/// `event` through the Lambda adapter, as the Runtime API loop hands it over.
pub async fn through_lambda(app: &Chalice, event: &Value) -> Answer {
    let bytes =
        chalice_lambda::handle_event(app, event.to_string().as_bytes(), LambdaContext::default())
            .await
            .expect("an answer");
    let response: Value = serde_json::from_slice(&bytes).expect("JSON");
    let body = response["body"].as_str().unwrap_or_default();
    let body = if response["isBase64Encoded"] == true {
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .expect("base64")
    } else {
        body.as_bytes().to_vec()
    };
    let headers = response["headers"]
        .as_object()
        .map(|headers| {
            headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default();
    Answer {
        status: u16::try_from(response["statusCode"].as_u64().expect("status")).expect("u16"),
        headers,
        body,
    }
}

/// A runtime for the socket and the Lambda adapter; the test client runs its own.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}
