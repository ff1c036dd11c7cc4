//! The local server over a real socket (127.0.0.1:0): HTTP/1.1 as a client sees it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chalice_core::adapter::{Gateway, MAX_BODY_BYTES};
use chalice_core::{Chalice, ChaliceError, Request, Response, Route};
use chalice_local::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// A response as read off the wire.
#[derive(Debug)]
struct Wire {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Wire {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads one response from `stream`; `head` says the request was HEAD (no body follows).
async fn read_response(stream: &mut TcpStream, head: bool) -> Wire {
    let mut buffer = Vec::new();
    let header_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .expect("timely")
            .expect("read");
        assert!(
            n > 0,
            "connection closed before a response: {:?}",
            String::from_utf8_lossy(&buffer)
        );
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head_text = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
    let mut lines = head_text.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().expect("length"));
    let mut body = buffer[header_end..].to_vec();
    if !head {
        while body.len() < length {
            let mut chunk = vec![0u8; length - body.len()];
            let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
                .await
                .expect("timely")
                .expect("read");
            assert!(n > 0, "connection closed mid-body");
            body.extend_from_slice(&chunk[..n]);
        }
    }
    Wire {
        status,
        headers,
        body,
    }
}

async fn send(stream: &mut TcpStream, request: &str) -> Wire {
    stream.write_all(request.as_bytes()).await.expect("write");
    read_response(stream, request.starts_with("HEAD ")).await
}

async fn get(addr: SocketAddr, path: &str) -> Wire {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    send(
        &mut stream,
        &format!("GET {path} HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"),
    )
    .await
}

/// A running server for `app`, stopped when the returned sender is dropped or fired.
async fn start(app: Chalice) -> (SocketAddr, oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let server = Server::bind(
        "127.0.0.1:0".parse().expect("addr"),
        Gateway::new(Arc::new(app)),
    )
    .await
    .expect("bind");
    let addr = server.local_addr().expect("addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        server
            .serve_until(async {
                let _ = stopped.await;
            })
            .await
            .expect("serve");
    });
    (addr, stop, task)
}

fn app() -> Chalice {
    let mut app = Chalice::new("local");
    app.route("/", || {
        Response::json(&serde_json::json!({"hello": "world"}))
    });
    app.register(Route::new("/h", || "twelve bytes").methods(["GET", "HEAD"]));
    app.register(
        Route::new("/echo", |r: &Request| r.raw_body().len().to_string())
            .methods(["POST"])
            .content_types(Vec::<String>::new()),
    );
    app.route("/panic", || -> String { panic!("deliberate") });
    app.register(Route::new("/slow", || async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        "finally"
    }));
    app
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn run<F: Future>(future: F) -> F::Output {
    runtime().block_on(future)
}

#[test]
fn answers_and_keeps_the_connection_alive() {
    run(async {
        let (addr, _stop, _task) = start(app()).await;
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        for _ in 0..3 {
            let response = send(&mut stream, "GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
            assert_eq!(response.status, 200);
            assert_eq!(response.text(), r#"{"hello":"world"}"#);
            assert_eq!(response.header("content-type"), Some("application/json"));
        }
        let response = send(&mut stream, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert_eq!(
            (response.status, response.text()),
            (
                403,
                r#"{"message":"Missing Authentication Token"}"#.to_owned()
            )
        );
    });
}

#[test]
fn head_has_headers_but_no_body() {
    run(async {
        let (addr, _stop, _task) = start(app()).await;
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let response = send(&mut stream, "HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert_eq!(response.status, 200);
        assert_eq!(response.header("content-length"), Some("12"));
        assert!(response.body.is_empty());
        // The next response on the same connection starts right away: no stray body bytes.
        let response = send(&mut stream, "GET /h HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert_eq!(response.text(), "twelve bytes");
    });
}

#[test]
fn oversized_bodies_get_413_without_being_read() {
    run(async {
        let (addr, _stop, _task) = start(app()).await;
        // Declared too large: answered from the headers alone (no body is ever sent).
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let declared = MAX_BODY_BYTES + 1;
        let response = send(
            &mut stream,
            &format!("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {declared}\r\n\r\n"),
        )
        .await;
        assert_eq!(
            (response.status, response.text()),
            (413, r#"{"message":"Request Too Long"}"#.to_owned())
        );

        // Chunked with no declared length: cut off once past the limit.
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream
            .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            .await
            .expect("write");
        let chunk = vec![b'a'; 1024 * 1024];
        for _ in 0..12 {
            let head = format!("{:x}\r\n", chunk.len());
            // The server may stop reading (and answer) before all 12 MB are written.
            if stream.write_all(head.as_bytes()).await.is_err()
                || stream.write_all(&chunk).await.is_err()
                || stream.write_all(b"\r\n").await.is_err()
            {
                break;
            }
        }
        assert_eq!(read_response(&mut stream, false).await.status, 413);

        // Just under the limit is fine.
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let body = vec![b'b'; 1000];
        stream
            .write_all(
                format!(
                    "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            )
            .await
            .expect("write");
        stream.write_all(&body).await.expect("write");
        assert_eq!(read_response(&mut stream, false).await.text(), "1000");
    });
}

#[test]
fn a_panicking_view_is_a_500_and_the_server_keeps_serving() {
    run(async {
        let (addr, _stop, _task) = start(app()).await;
        for _ in 0..3 {
            let response = get(addr, "/panic").await;
            assert_eq!(response.status, 500);
            assert_eq!(
                response.text(),
                r#"{"Code":"InternalServerError","Message":"An internal server error occurred."}"#
            );
        }
        assert_eq!(get(addr, "/").await.status, 200);
    });
}

#[test]
fn malformed_requests_do_not_stop_the_server() {
    run(async {
        let (addr, _stop, _task) = start(app()).await;
        for garbage in [
            "NOT HTTP AT ALL\r\n\r\n",
            "GET / HTTP/1.1\r\nBad Header Line\r\n\r\n",
            "GET /\x01 HTTP/1.1\r\n\r\n",
        ] {
            let mut stream = TcpStream::connect(addr).await.expect("connect");
            stream.write_all(garbage.as_bytes()).await.expect("write");
            let mut out = Vec::new();
            let _ =
                tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out)).await;
            let text = String::from_utf8_lossy(&out);
            assert!(
                text.is_empty() || text.starts_with("HTTP/1.1 400"),
                "{garbage:?}: {text}"
            );
        }
        assert_eq!(get(addr, "/").await.status, 200);
    });
}

/// Code a view calls, which reads the request it runs for without being handed it.
fn who_am_i() -> String {
    let request = chalice_core::current_request().expect("inside a view");
    request.uri_param("n").unwrap_or_default().to_owned()
}

#[test]
fn current_request_is_never_another_requests() {
    let mut app = Chalice::new("concurrent");
    app.route("/whoami/{n}", || async {
        let before = who_am_i();
        // Yield a few times so many requests interleave on the runtime's threads.
        for _ in 0..3 {
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_micros(50)).await;
        }
        let after = who_am_i();
        let sync_view_sees =
            chalice_core::current_request().map(|r| r.uri_param("n").map(str::to_owned));
        Ok::<_, ChaliceError>(format!(
            "{before}|{after}|{}",
            sync_view_sees.flatten().unwrap_or_default()
        ))
    });
    app.route("/sync/{n}", who_am_i);
    run(async {
        let (addr, _stop, _task) = start(app).await;
        let mut tasks = Vec::new();
        for connection in 0..32 {
            tasks.push(tokio::spawn(async move {
                let mut stream = TcpStream::connect(addr).await.expect("connect");
                for i in 0..25 {
                    let n = connection * 1000 + i;
                    let path = if i % 2 == 0 {
                        format!("/whoami/{n}")
                    } else {
                        format!("/sync/{n}")
                    };
                    let response = send(
                        &mut stream,
                        &format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n"),
                    )
                    .await;
                    let expected = if i % 2 == 0 {
                        format!("{n}|{n}|{n}")
                    } else {
                        n.to_string()
                    };
                    assert_eq!(response.text(), expected, "{path}");
                }
            }));
        }
        for task in tasks {
            task.await.expect("no request saw another's data");
        }
        assert!(
            chalice_core::current_request().is_none(),
            "nothing is current outside a view"
        );
    });
}

#[test]
fn a_taken_port_is_a_clear_error() {
    run(async {
        let (addr, _stop, _task) = start(app()).await;
        let error = Server::bind(addr, Gateway::new(Arc::new(app())))
            .await
            .expect_err("port in use");
        assert!(error.is_addr_in_use());
        let message = error.to_string();
        assert_eq!(
            message,
            format!(
                "cannot listen on {addr}: port {} is already in use (is another `chalice local` running?); choose another port with --port or CHALICE_PORT",
                addr.port()
            )
        );
    });
}

#[test]
fn shutdown_finishes_requests_in_flight() {
    run(async {
        let (addr, stop, task) = start(app()).await;
        let slow = tokio::spawn(async move { get(addr, "/slow").await });
        tokio::time::sleep(Duration::from_millis(100)).await;
        stop.send(()).expect("server running");
        let response = slow.await.expect("slow request");
        assert_eq!(
            (response.status, response.text()),
            (200, "finally".to_owned())
        );
        tokio::time::timeout(Duration::from_secs(6), task)
            .await
            .expect("server stops")
            .expect("cleanly");
        assert!(
            TcpStream::connect(addr).await.is_err(),
            "no longer listening"
        );
    });
}
