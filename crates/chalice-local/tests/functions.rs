//! The app's functions on the local server: `POST /_chalice/invoke/NAME` delivers an event
//! to a handler over a real socket, with Lambda's answer shapes.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use chalice_core::adapter::Gateway;
use chalice_core::{BatchItemFailures, Chalice, ChaliceError, Json, S3Event, SqsEvent};
use chalice_local::Server;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends one request with `Connection: close` and reads the whole answer: status and body.
async fn request(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("timely")
    .expect("read");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_delivered_on_demand() {
    let uploads = Arc::new(Mutex::new(Vec::new()));
    let mut app = Chalice::new("local");
    app.route("/", || "api");
    let seen = Arc::clone(&uploads);
    app.on_s3_event("b", move |event: S3Event| {
        let mut seen = seen.lock().expect("not poisoned");
        seen.extend(event.records.into_iter().map(|r| r.key));
    })
    .name("on_upload");
    app.on_sqs_message(
        "q",
        |event: SqsEvent| -> Result<BatchItemFailures, ChaliceError> {
            if event.records.iter().any(|m| m.body == "boom") {
                return Err(ChaliceError::bad_request("boom"));
            }
            Ok(event.records.into_iter().map(|m| m.message_id).collect())
        },
    )
    .name("worker");
    app.lambda_function(|n: i64| Json(n * 2)).name("double");
    let server = Server::bind(
        "127.0.0.1:0".parse().expect("addr"),
        Gateway::new(Arc::new(app)),
    )
    .await
    .expect("bind");
    let addr = server.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.serve_until(async {
        let _ = stopped.await;
    }));

    let s3 = json!({"Records": [{"eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": "b"}, "object": {"key": "a+b.txt", "size": 3}}}]})
    .to_string();
    let sqs = |body: &str| {
        json!({"Records": [{"messageId": "m1", "receiptHandle": "h", "body": body}]}).to_string()
    };
    let cases: Vec<(&str, &str, String, u16, Value)> = vec![
        ("POST", "/_chalice/invoke/on_upload", s3, 200, json!(null)),
        (
            "POST",
            "/_chalice/invoke/double",
            "21".to_owned(),
            200,
            json!(42),
        ),
        (
            "POST",
            "/_chalice/invoke/worker",
            sqs("ok"),
            200,
            json!({"batchItemFailures": [{"itemIdentifier": "m1"}]}),
        ),
        (
            "POST",
            "/_chalice/invoke/worker",
            sqs("boom"),
            500,
            json!({"errorType": "BadRequestError",
                   "errorMessage": "function \"worker\" failed: boom"}),
        ),
        (
            "POST",
            "/_chalice/invoke/worker",
            r#"{"Records": 1}"#.to_owned(),
            400,
            json!({"errorType": "Chalice.InvalidEvent",
                   "errorMessage": "function \"worker\" (on_sqs_message) can't read the event: invalid type: integer `1`, expected a sequence at line 1 column 13"}),
        ),
        (
            "POST",
            "/_chalice/invoke/nope",
            "{}".to_owned(),
            404,
            json!({"errorType": "Chalice.UnknownFunction",
                   "errorMessage": "the app has no function \"nope\" (it has \"on_upload\", \"worker\", \"double\")"}),
        ),
        (
            "GET",
            "/_chalice/invoke/double",
            String::new(),
            405,
            json!({"errorType": "Chalice.MethodNotAllowed",
                   "errorMessage": "POST the event to invoke a function"}),
        ),
    ];
    for (method, path, body, status, answer) in cases {
        let (got_status, got_body) = request(addr, method, path, &body).await;
        assert_eq!(got_status, status, "{method} {path}: {got_body}");
        let got: Value = serde_json::from_str(&got_body).expect("a JSON answer");
        assert_eq!(got, answer, "{method} {path}");
    }
    assert_eq!(*uploads.lock().expect("not poisoned"), ["a b.txt"]);
    // The API still answers beside it.
    let (status, body) = request(addr, "GET", "/", "").await;
    assert_eq!((status, body.as_str()), (200, "api"));
    let _ = stop.send(());
    task.await.expect("joined").expect("served");
}
