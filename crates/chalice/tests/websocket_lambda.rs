//! End to end on Lambda (issue 13): `examples/websocket-app` against a fake Lambda Runtime
//! API (hyper, 127.0.0.1:0) and an HTTPS server playing API Gateway's management API
//! (`@connections`, rustls, 127.0.0.1:0), which records each call and checks its SigV4
//! headers. The function trusts the test's CA through `SSL_CERT_FILE`.

use std::convert::Infallible;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex as SyncMutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, mpsc};
use tokio::time::timeout;

const PATIENCE: Duration = Duration::from_secs(60);

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/tls")
        .join(name)
}

/// A fake Runtime API: `/next` hands out queued events; responses and errors come back to
/// the test as (kind, request id, body).
struct RuntimeApi {
    address: String,
    invocations: mpsc::UnboundedSender<(String, Vec<u8>)>,
    posts: mpsc::UnboundedReceiver<(String, String, Value)>,
}

impl RuntimeApi {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address").to_string();
        let (invocations, queue) = mpsc::unbounded_channel::<(String, Vec<u8>)>();
        let (post_tx, posts) = mpsc::unbounded_channel();
        let queue = Arc::new(Mutex::new(queue));
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (queue, post_tx) = (Arc::clone(&queue), post_tx.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        runtime(request, Arc::clone(&queue), post_tx.clone())
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        RuntimeApi {
            address,
            invocations,
            posts,
        }
    }

    /// Invokes the function with `event`: what it posted back, `("response" | "error",
    /// body)`.
    async fn invoke(&mut self, id: &str, event: &Value) -> (String, Value) {
        self.invocations
            .send((id.to_owned(), event.to_string().into_bytes()))
            .expect("the server runs");
        let (kind, got, body) = timeout(PATIENCE, self.posts.recv())
            .await
            .expect("the function answers in time")
            .expect("the server runs");
        assert_eq!(got, id);
        (kind, body)
    }
}

async fn runtime(
    request: Request<Incoming>,
    queue: Arc<Mutex<mpsc::UnboundedReceiver<(String, Vec<u8>)>>>,
    posts: mpsc::UnboundedSender<(String, String, Value)>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_owned();
    if request.method() == Method::GET && path == "/2018-06-01/runtime/invocation/next" {
        let Some((id, event)) = queue.lock().await.recv().await else {
            return Ok(status(StatusCode::GONE, ""));
        };
        let response = Response::builder()
            .header("lambda-runtime-aws-request-id", id)
            .header("lambda-runtime-deadline-ms", "1542409706888")
            .header(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:us-west-2:123456789012:function:ws",
            )
            .body(Full::new(Bytes::from(event)));
        return Ok(response.unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR, "")));
    }
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if let Some((id, kind)) = path
        .strip_prefix("/2018-06-01/runtime/invocation/")
        .and_then(|rest| rest.split_once('/'))
    {
        let _ = posts.send((kind.to_owned(), id.to_owned(), body));
    } else {
        let _ = posts.send(("init".to_owned(), String::new(), body));
    }
    Ok(status(StatusCode::ACCEPTED, ""))
}

fn status(code: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_owned())));
    *response.status_mut() = code;
    response
}

/// One call the management API received.
#[derive(Debug, Clone)]
struct Call {
    method: String,
    path: String,
    body: String,
}

/// API Gateway's management API over HTTPS: connection `alive=` exists, others are gone
/// (410). Each call is recorded; one without proper SigV4 headers is refused with 403, as
/// API Gateway does.
struct ManagementApi {
    port: u16,
    calls: Arc<SyncMutex<Vec<Call>>>,
}

impl ManagementApi {
    async fn start() -> Self {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs = CertificateDer::pem_file_iter(data("cert.pem"))
            .expect("the certificate is there")
            .collect::<Result<Vec<_>, _>>()
            .expect("PEM");
        let key = PrivateKeyDer::from_pem_file(data("key.pem")).expect("the key is there");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("a certificate and its key");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let calls: Arc<SyncMutex<Vec<Call>>> = Arc::default();
        let recorded = Arc::clone(&calls);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (acceptor, recorded) = (acceptor.clone(), Arc::clone(&recorded));
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(move |request| {
                        connections(request, Arc::clone(&recorded))
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        ManagementApi { port, calls }
    }

    fn take_calls(&self) -> Vec<(String, String, String)> {
        std::mem::take(&mut *self.calls.lock().expect("not poisoned"))
            .into_iter()
            .map(|call| (call.method, call.path, call.body))
            .collect()
    }
}

/// Whether `request` carries SigV4 headers for the function's test credentials, us-west-2
/// and `execute-api`, with the session token signed.
fn signed(request: &Request<Incoming>) -> Result<(), String> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let date = header("x-amz-date");
    if date.len() != 16 || !date.ends_with('Z') {
        return Err(format!("x-amz-date {date:?}"));
    }
    if header("x-amz-security-token") != "TOKEN/TEST+=" {
        return Err("no session token".to_owned());
    }
    let authorization = header("authorization");
    let expected = format!(
        "AWS4-HMAC-SHA256 Credential=AKIDTEST/{}/us-west-2/execute-api/aws4_request, \
         SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=",
        &date[..8]
    );
    let signature = authorization.strip_prefix(&expected).unwrap_or_default();
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("authorization {authorization:?}"));
    }
    Ok(())
}

async fn connections(
    request: Request<Incoming>,
    calls: Arc<SyncMutex<Vec<Call>>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if let Err(problem) = signed(&request) {
        return Ok(status(
            StatusCode::FORBIDDEN,
            &json!({"message": format!("bad signature: {problem}")}).to_string(),
        ));
    }
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    calls.lock().expect("not poisoned").push(Call {
        method: method.clone(),
        path: path.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    if path != "/dev/@connections/alive%3D" {
        return Ok(status(StatusCode::GONE, ""));
    }
    Ok(match method.as_str() {
        "GET" => status(
            StatusCode::OK,
            r#"{"connectedAt":"2026-11-30T09:00:00.000Z","identity":{"sourceIp":"192.0.2.7","userAgent":"test"},"lastActiveAt":"2026-11-30T09:00:01.000Z"}"#,
        ),
        _ => status(StatusCode::OK, ""),
    })
}

/// Builds the example (chalice's dev-dependencies turn `websocket-api` on) and returns its
/// path; under `cargo test --workspace` it is built already.
fn example_binary() -> PathBuf {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "--workspace",
            "--example",
            "websocket-app",
            "--message-format=json",
        ])
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "building the example failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["target"]["name"] == "websocket-app")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the example's executable")
}

/// The example as Lambda starts it, with the function's credentials and `extra` variables.
fn spawn(binary: &PathBuf, api: &RuntimeApi, extra: &[(&str, &str)]) -> Child {
    let mut command = Command::new(binary);
    command
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", &api.address)
        .env("AWS_LAMBDA_FUNCTION_NAME", "ws")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_REGION", "us-west-2")
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret/test")
        .env("AWS_SESSION_TOKEN", "TOKEN/TEST+=")
        .env("SSL_CERT_FILE", data("ca.pem"))
        .envs(extra.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    command.spawn().expect("the example starts")
}

/// API Gateway's WebSocket event for `route_key`, through the management API at
/// `localhost:{port}`, stage `dev`.
fn ws_event(port: u16, event_type: &str, route_key: &str, body: Option<&str>, key: &str) -> Value {
    let mut event = json!({
        "headers": {"x-api-key": key},
        "multiValueHeaders": {"x-api-key": [key]},
        "requestContext": {
            "routeKey": route_key, "eventType": event_type, "messageDirection": "IN",
            "stage": "dev", "connectedAt": 1_764_493_200_000_u64,
            "requestTimeEpoch": 1_764_493_201_000_u64, "identity": {"sourceIp": "192.0.2.7"},
            "requestId": "req=", "domainName": format!("localhost:{port}"),
            "connectionId": "alive=", "apiId": "abc123"
        },
        "isBase64Encoded": false
    });
    if let Some(body) = body {
        event["body"] = Value::from(body);
    }
    event
}

#[tokio::test(flavor = "multi_thread")]
async fn websocket_functions_answer_and_send_through_the_management_api() {
    let binary = example_binary();
    let connections = ManagementApi::start().await;
    let port = connections.port;

    // $connect: the handler's refusal is the answer API Gateway turns into a refused upgrade.
    let mut api = RuntimeApi::start().await;
    let child = spawn(&binary, &api, &[("CHALICE_HANDLER", "websocket_connect")]);
    let cases = [
        ("letmein", json!({"statusCode": 200})),
        (
            "guess",
            json!({"statusCode": 403, "body": r#"{"Code":"ForbiddenError","Message":"an API key is required"}"#}),
        ),
    ];
    for (i, (key, expected)) in cases.iter().enumerate() {
        let event = ws_event(port, "CONNECT", "$connect", None, key);
        let (kind, answer) = api.invoke(&format!("c{i}"), &event).await;
        assert_eq!((kind.as_str(), &answer), ("response", expected), "{key}");
    }
    drop(child);

    // A message: echoed, a gone connection seen as such, the connection's info read; every
    // call signed, through the event's endpoint (https://localhost:{port}/dev).
    let mut api = RuntimeApi::start().await;
    let child = spawn(&binary, &api, &[("CHALICE_HANDLER", "websocket_message")]);
    let event = ws_event(port, "MESSAGE", "$default", Some("hello"), "");
    let (kind, answer) = api.invoke("m1", &event).await;
    assert_eq!(
        (kind.as_str(), answer),
        ("response", json!({"statusCode": 200}))
    );
    let alive = "/dev/@connections/alive%3D";
    let call = |method: &str, path: &str, body: &str| {
        (method.to_owned(), path.to_owned(), body.to_owned())
    };
    assert_eq!(
        connections.take_calls(),
        [
            call("POST", alive, "hello"),
            call("POST", "/dev/@connections/gone%3D", "anyone there?"),
            call("POST", alive, "gone= is gone"),
            call("GET", alive, ""),
            call("POST", alive, "you are 192.0.2.7"),
        ]
    );
    drop(child);

    // A custom route's function closes the connection.
    let mut api = RuntimeApi::start().await;
    let child = spawn(&binary, &api, &[("CHALICE_HANDLER", "kick")]);
    let event = ws_event(port, "MESSAGE", "bye", Some(r#"{"action":"bye"}"#), "");
    let (_, answer) = api.invoke("k1", &event).await;
    assert_eq!(answer, json!({"statusCode": 200}));
    assert_eq!(connections.take_calls(), [call("DELETE", alive, "")]);
    drop(child);

    // An HTTP view sends through CHALICE_WEBSOCKET_ENDPOINT; without it, it says why not.
    let http_event = |text: &str| {
        json!({
            "version": "2.0", "routeKey": "GET /send", "rawPath": "/send",
            "rawQueryString": format!("id=alive%3D&text={text}"),
            "queryStringParameters": {"id": "alive=", "text": text},
            "requestContext": {"http": {"method": "GET", "path": "/send"}, "stage": "$default"},
            "isBase64Encoded": false
        })
    };
    let endpoint = format!("https://localhost:{port}/dev");
    let mut api = RuntimeApi::start().await;
    let child = spawn(
        &binary,
        &api,
        &[("CHALICE_WEBSOCKET_ENDPOINT", endpoint.as_str())],
    );
    let (_, answer) = api.invoke("h1", &http_event("news")).await;
    assert_eq!(answer["body"], "sent");
    assert_eq!(connections.take_calls(), [call("POST", alive, "news")]);
    drop(child);

    let mut api = RuntimeApi::start().await;
    let child = spawn(&binary, &api, &[]);
    let (_, answer) = api.invoke("h2", &http_event("news")).await;
    let text = answer["body"].as_str().unwrap_or_default();
    assert!(
        text.starts_with(
            "not sent: websocket_api() does not know the WebSocket API's endpoint here: outside \
             a WebSocket handler it is read from CHALICE_WEBSOCKET_ENDPOINT"
        ),
        "{text}"
    );
    assert_eq!(connections.take_calls(), []);
    drop(child);
}

/// `chalice invoke --local -n NAME` runs the app's binary with `--invoke NAME`: a WebSocket
/// handler takes API Gateway's WebSocket event on stdin and prints Lambda's answer.
#[test]
fn the_binary_invokes_websocket_handlers_once_with_an_event_on_stdin() {
    let binary = example_binary();
    let cases = [
        // (handler, event, exit status, what it prints on stdout, on stderr)
        (
            "websocket_connect",
            ws_event(1, "CONNECT", "$connect", None, "letmein"),
            0,
            r#"{"statusCode":200}"#,
            "",
        ),
        (
            "websocket_connect",
            ws_event(1, "CONNECT", "$connect", None, "wrong"),
            0,
            r#""statusCode":403"#,
            "",
        ),
        (
            "websocket_connect",
            json!({"version": "2.0", "routeKey": "GET /"}),
            1,
            "",
            "Chalice.InvalidEvent: the event is not an API Gateway WebSocket event",
        ),
    ];
    for (handler, event, code, stdout, stderr) in cases {
        let mut child = std::process::Command::new(&binary)
            .args(["--invoke", handler])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the example starts");
        std::io::Write::write_all(
            &mut child.stdin.take().expect("stdin"),
            event.to_string().as_bytes(),
        )
        .expect("the event is written");
        let output = child.wait_with_output().expect("it ends");
        let (out, err) = (
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
        assert_eq!(output.status.code(), Some(code), "{handler}: {out} {err}");
        assert!(out.contains(stdout), "{handler}: {out}");
        assert!(err.contains(stderr), "{handler}: {err}");
    }
}
