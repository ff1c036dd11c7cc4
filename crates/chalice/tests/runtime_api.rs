//! End to end: the `lambda-app` example binary against a fake Lambda Runtime API served
//! here on 127.0.0.1:0 (hyper). Next → response, next → error, init error.
//! <https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html>

use std::convert::Infallible;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, mpsc};
use tokio::time::timeout;

/// How long any one step may take before the test fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(30);

/// What the function posted to the Runtime API.
#[derive(Debug)]
enum Post {
    Response {
        id: String,
        body: Value,
    },
    Error {
        id: String,
        error_type: String,
        body: Value,
    },
    InitError {
        error_type: String,
        body: Value,
    },
}

/// A fake Runtime API: `/next` hands out queued invocations (waiting for one, as Lambda's
/// long poll does), posts are forwarded to the test.
struct RuntimeApi {
    address: String,
    invocations: mpsc::UnboundedSender<(String, Vec<u8>)>,
    posts: mpsc::UnboundedReceiver<Post>,
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
                        serve(request, Arc::clone(&queue), post_tx.clone())
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

    fn invoke(&self, id: &str, event: impl Into<Vec<u8>>) {
        self.invocations
            .send((id.to_owned(), event.into()))
            .expect("the server is running");
    }

    async fn next_post(&mut self) -> Post {
        timeout(PATIENCE, self.posts.recv())
            .await
            .expect("the function posts within the time limit")
            .expect("the server is running")
    }
}

async fn serve(
    request: Request<Incoming>,
    queue: Arc<Mutex<mpsc::UnboundedReceiver<(String, Vec<u8>)>>>,
    posts: mpsc::UnboundedSender<Post>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_owned();
    let error_type = request
        .headers()
        .get("lambda-runtime-function-error-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if request.method() == Method::GET && path == "/2018-06-01/runtime/invocation/next" {
        let next = queue.lock().await.recv().await;
        let Some((id, event)) = next else {
            return Ok(status(StatusCode::GONE));
        };
        let response = Response::builder()
            .header("lambda-runtime-aws-request-id", id)
            .header("lambda-runtime-deadline-ms", "1542409706888")
            .header(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:us-east-1:123456789012:function:lambda-app",
            )
            .header(
                "lambda-runtime-trace-id",
                "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700",
            )
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(event)));
        return Ok(response.unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR)));
    }
    let body = match request.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => return Ok(status(StatusCode::BAD_REQUEST)),
    };
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let invocation = path
        .strip_prefix("/2018-06-01/runtime/invocation/")
        .and_then(|rest| rest.split_once('/'));
    let post = match invocation {
        Some((id, "response")) => Post::Response {
            id: id.to_owned(),
            body,
        },
        Some((id, "error")) => Post::Error {
            id: id.to_owned(),
            error_type,
            body,
        },
        _ if path == "/2018-06-01/runtime/init/error" => Post::InitError { error_type, body },
        _ => return Ok(status(StatusCode::NOT_FOUND)),
    };
    let _ = posts.send(post);
    Ok(status(StatusCode::ACCEPTED))
}

fn status(code: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = code;
    response
}

/// Builds the example and returns its path. `cargo test --workspace` (the README's and CI's
/// test command) has built it already, with the features the whole workspace unifies, and
/// so does this build, which makes it a no-op there: `-p chalice` alone would resolve fewer
/// features for tokio, hyper and their kin, and rebuild every one of them.
fn example_binary() -> PathBuf {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "--workspace",
            "--example",
            "lambda-app",
            "--message-format=json",
        ])
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "building the example failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["target"]["name"] == "lambda-app")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the example's executable")
}

/// Starts the example as Lambda would, pointed at `api`, with `extra` variables set;
/// `unset` leaves a variable out. Its stdout (where Lambda logs go) is captured.
fn spawn(api: &RuntimeApi, extra: &[(&str, &str)], unset: Option<&str>) -> Child {
    let mut command = Command::new(example_binary());
    command
        .env_clear()
        .envs(extra.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let env = [
        ("AWS_LAMBDA_RUNTIME_API", api.address.as_str()),
        ("AWS_LAMBDA_FUNCTION_NAME", "lambda-app"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/lambda-app"),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "2024/01/01/[$LATEST]abc"),
    ];
    for (name, value) in env {
        if Some(name) != unset {
            command.env(name, value);
        }
    }
    command.spawn().expect("the example starts")
}

fn hello_event() -> Vec<u8> {
    json!({
        "version": "2.0",
        "routeKey": "GET /hello/{name}",
        "rawPath": "/hello/bob",
        "rawQueryString": "",
        "headers": {"accept": "application/json"},
        "pathParameters": {"name": "bob"},
        "requestContext": {"http": {"method": "GET", "path": "/hello/bob"}, "stage": "$default"},
        "isBase64Encoded": false
    })
    .to_string()
    .into_bytes()
}

/// Stops the function and returns what it logged to stdout.
async fn stop(mut child: Child) -> String {
    let _ = child.kill().await;
    let mut logs = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = timeout(PATIENCE, stdout.read_to_string(&mut logs)).await;
    }
    logs
}

#[tokio::test(flavor = "multi_thread")]
async fn serves_events_and_fails_invocations_of_bad_ones() {
    let mut api = RuntimeApi::start().await;
    let child = spawn(&api, &[], None);

    // (request id, event, what the function must post)
    api.invoke("req-1", hello_event());
    let Post::Response { id, body } = api.next_post().await else {
        panic!("a response to req-1");
    };
    assert_eq!(id, "req-1");
    assert_eq!(body["statusCode"], 200);
    let view: Value =
        serde_json::from_str(body["body"].as_str().unwrap_or_default()).expect("JSON");
    assert_eq!(
        view,
        json!({
            "hello": "bob",
            "request_id": "req-1",
            "deadline_ms": 1_542_409_706_888_u64,
            "invoked_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:lambda-app",
            "function_name": "lambda-app",
            "memory_limit_in_mb": 128,
            "xray_trace_id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700",
            "trace_env": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700",
        })
    );

    // A bad event fails its invocation (the cases are in the next test).
    api.invoke("req-2", br#"{"Records": []}"#.to_vec());
    match api.next_post().await {
        Post::Error {
            id,
            error_type,
            body,
        } => {
            assert_eq!(id, "req-2");
            assert_eq!(error_type, "Chalice.InvalidEvent");
            assert_eq!(body["errorType"], "Chalice.InvalidEvent");
        }
        other => panic!("an error for req-2, got {other:?}"),
    }

    // The process survived it and serves the next event.
    api.invoke("req-4", hello_event());
    match api.next_post().await {
        Post::Response { id, body } => {
            assert_eq!(id, "req-4");
            assert_eq!(body["statusCode"], 200);
        }
        other => panic!("a response to req-4, got {other:?}"),
    }

    // `app.log` lines go to stdout, in Chalice's format, for CloudWatch.
    let log_event = json!({
        "version": "2.0", "routeKey": "GET /log", "rawPath": "/log",
        "requestContext": {"http": {"method": "GET"}, "stage": "$default"}
    });
    api.invoke("req-5", log_event.to_string());
    assert!(matches!(api.next_post().await, Post::Response { .. }));
    let logs = stop(child).await;
    assert!(
        logs.contains("lambda-app - ERROR - a line for CloudWatch"),
        "{logs}"
    );
    assert!(
        logs.contains("invocation failed: not an API Gateway proxy event"),
        "{logs}"
    );
}

/// A real HTTP API event (payload 2.0) from the Lambda adapter's `tests/data`, as bytes.
fn real_event() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../chalice-lambda/tests/data/example-apigw-v2-request-no-authorizer.json");
    std::fs::read(&path).expect("the fixture is there")
}

/// `real_event()` with `requestContext` set to `value` (JSON text).
fn with_request_context(value: &str) -> Vec<u8> {
    let mut event: Value = serde_json::from_slice(&real_event()).expect("JSON");
    event["requestContext"] = serde_json::from_str(value).expect("JSON");
    serde_json::to_vec(&event).expect("JSON")
}

/// Where serde_json stops in `event`: 1-based column of the end of `needle`'s first match.
fn column_after(event: &[u8], needle: &str) -> usize {
    let text = String::from_utf8_lossy(event);
    text.find(needle).expect("the needle is in the event") + needle.len()
}

// Regression (issue 14, items 7-9): through lambda_runtime, trailing data after an event was
// served as the first object, text that is not JSON failed with lambda_runtime's own error
// type (`&lambda_runtime::deserializer::DeserializeError`), every invalid event was logged
// twice (the second time by lambda_runtime's panic layer, though nothing panicked), and a
// `requestContext` of the wrong type was accepted.
#[tokio::test(flavor = "multi_thread")]
async fn refuses_what_is_not_exactly_one_event() {
    let event = real_event();
    let trailing = [event.clone(), b"xyz".to_vec()].concat();
    let twice = [event.clone(), event.clone()].concat();
    let context_5 = with_request_context("5");
    let context_x = with_request_context(r#""x""#);
    let context_list = with_request_context("[]");
    let mut not_utf8 = br#"{"version": "2.0", "rawPath": "/x"}"#.to_vec();
    let x = not_utf8.iter().position(|b| *b == b'x').expect("an x");
    not_utf8[x] = 0xff;
    // Where the event ends: serde_json's line and column of what follows it.
    let text = String::from_utf8_lossy(&event);
    let (line, column) = (
        1 + text.matches('\n').count(),
        1 + text.len() - text.rfind('\n').map_or(0, |i| i + 1),
    );
    let more = format!(
        "the event is not one JSON object: more text follows it at line {line} column {column}"
    );
    // (event, errorMessage)
    let cases: Vec<(Vec<u8>, String)> = vec![
        (
            b"GET /hello/bob HTTP/1.1".to_vec(),
            "the event is not JSON: expected value at line 1 column 1".into(),
        ),
        (
            Vec::new(),
            "the event is not JSON: EOF while parsing a value at line 1 column 0".into(),
        ),
        (
            not_utf8,
            format!(
                "the event is not JSON: it is not UTF-8 text (invalid utf-8 sequence of 1 bytes \
                 from index {x})"
            ),
        ),
        (
            br#"[{"version": "2.0"}]"#.to_vec(),
            "not an API Gateway proxy event: expected a JSON object, got an array".into(),
        ),
        (
            br#"{"Records": []}"#.to_vec(),
            "not an API Gateway proxy event: it has neither \"httpMethod\" (REST API, payload \
             1.0) nor \"version\": \"2.0\" (HTTP API, payload 2.0)"
                .into(),
        ),
        (trailing, more.clone()),
        (twice, more),
        (
            context_5.clone(),
            format!(
                "invalid API Gateway event: requestContext must be an object, not 5 at line 1 \
                 column {}",
                column_after(&context_5, r#""requestContext":5"#)
            ),
        ),
        (
            context_x.clone(),
            format!(
                "invalid API Gateway event: requestContext must be an object, not \"x\" at \
                 line 1 column {}",
                column_after(&context_x, r#""requestContext":"x""#)
            ),
        ),
        (
            context_list.clone(),
            format!(
                "invalid API Gateway event: requestContext must be an object, not [] at line 1 \
                 column {}",
                column_after(&context_list, r#""requestContext":[]"#)
            ),
        ),
    ];

    let mut api = RuntimeApi::start().await;
    let child = spawn(&api, &[], None);
    for (n, (event, message)) in cases.iter().enumerate() {
        let id = format!("bad-{n}");
        api.invoke(&id, event.clone());
        match api.next_post().await {
            Post::Error {
                id: posted,
                error_type,
                body,
            } => {
                assert_eq!(posted, id);
                assert_eq!(error_type, "Chalice.InvalidEvent", "{message}");
                assert_eq!(
                    body,
                    json!({"errorType": "Chalice.InvalidEvent", "errorMessage": message})
                );
            }
            other => panic!("an error for {message}, got {other:?}"),
        }
    }
    // Still serving.
    api.invoke("good", hello_event());
    assert!(matches!(api.next_post().await, Post::Response { .. }));

    // Each failure logged once, as what it is.
    let logs = stop(child).await;
    assert_eq!(
        logs.matches("invocation failed").count(),
        cases.len(),
        "{logs}"
    );
    for (_, message) in &cases {
        let line = format!("invocation failed: {message}\n");
        let times = cases.iter().filter(|(_, m)| m == message).count();
        assert_eq!(logs.matches(&line).count(), times, "{line} in:\n{logs}");
    }
    assert!(!logs.to_lowercase().contains("panic"), "{logs}");
}

#[tokio::test(flavor = "multi_thread")]
async fn init_errors_are_reported_and_the_process_exits() {
    // (extra variables, variable left out, error type, text the message contains)
    let cases = [
        (
            &[("LAMBDA_APP_BROKEN", "1")][..],
            None,
            "Chalice.DefinitionError",
            "Route cannot end with a trailing slash: /broken/",
        ),
        (
            &[][..],
            Some("AWS_LAMBDA_FUNCTION_NAME"),
            "Runtime.ConfigInvalid",
            "AWS_LAMBDA_FUNCTION_NAME is not set",
        ),
    ];
    for (extra, unset, expected_type, expected_text) in cases {
        let mut api = RuntimeApi::start().await;
        let mut child = spawn(&api, extra, unset);
        match api.next_post().await {
            Post::InitError { error_type, body } => {
                assert_eq!(error_type, expected_type);
                assert_eq!(body["errorType"], expected_type);
                let message = body["errorMessage"].as_str().unwrap_or_default();
                assert!(message.contains(expected_text), "{message}");
            }
            other => panic!("an init error for {extra:?}, got {other:?}"),
        }
        let status = timeout(PATIENCE, child.wait())
            .await
            .expect("the process exits after an init error")
            .expect("wait");
        assert!(!status.success(), "{status}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_binary_serves_its_built_in_authorizer() {
    let mut api = RuntimeApi::start().await;
    let child = spawn(&api, &[("CHALICE_HANDLER", "token_auth")], None);
    let arn = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/api/GET/private";
    let token_event = |token: &str| {
        json!({"type": "TOKEN", "authorizationToken": token, "methodArn": arn}).to_string()
    };

    api.invoke("auth-1", token_event("allow"));
    match api.next_post().await {
        Post::Response { id, body } => {
            assert_eq!(id, "auth-1");
            assert_eq!(
                body,
                json!({
                    "principalId": "lambda-user",
                    "policyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Action": "execute-api:Invoke",
                            "Effect": "Allow",
                            "Resource": ["arn:aws:execute-api:us-east-1:123456789012:abcdef1234/api/*/private"]
                        }]
                    },
                    "context": {"tier": "gold"}
                })
            );
        }
        other => panic!("a policy for auth-1, got {other:?}"),
    }

    // Refused: the invocation fails with exactly "Unauthorized", which API Gateway turns
    // into its 401.
    api.invoke("auth-2", token_event("bogus"));
    match api.next_post().await {
        Post::Error { id, body, .. } => {
            assert_eq!(id, "auth-2");
            assert_eq!(body["errorMessage"], "Unauthorized");
        }
        other => panic!("an error for auth-2, got {other:?}"),
    }

    // A failing authorizer: an error naming it (API Gateway answers 500).
    api.invoke("auth-3", token_event("fail"));
    match api.next_post().await {
        Post::Error { id, body, .. } => {
            assert_eq!(id, "auth-3");
            assert_eq!(body["errorType"], "Chalice.AuthorizerError");
            let message = body["errorMessage"].as_str().unwrap_or_default();
            assert!(
                message.starts_with("authorizer \"token_auth\" failed"),
                "{message}"
            );
        }
        other => panic!("an error for auth-3, got {other:?}"),
    }

    // A REQUEST authorizer event: the token comes from the headers.
    let request_event = json!({
        "type": "REQUEST", "methodArn": arn, "resource": "/private", "path": "/private",
        "httpMethod": "GET", "headers": {"Authorization": "allow"},
        "queryStringParameters": {"q": "1"}, "pathParameters": {}, "stageVariables": {}
    });
    api.invoke("auth-4", request_event.to_string());
    match api.next_post().await {
        Post::Response { id, body } => {
            assert_eq!(id, "auth-4");
            assert_eq!(body["principalId"], "lambda-user");
        }
        other => panic!("a policy for auth-4, got {other:?}"),
    }
    let logs = stop(child).await;
    assert!(logs.contains("token store unreachable"), "{logs}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_authorizer_name_is_an_init_error() {
    let mut api = RuntimeApi::start().await;
    let mut child = spawn(&api, &[("CHALICE_HANDLER", "nope")], None);
    match api.next_post().await {
        Post::InitError { error_type, body } => {
            assert_eq!(error_type, "Chalice.DefinitionError");
            assert_eq!(
                body["errorMessage"],
                "CHALICE_HANDLER names \"nope\", but the app has no function of that name (it has \"token_auth\", \"worker\", \"add\")"
            );
        }
        other => panic!("an init error, got {other:?}"),
    }
    let status = timeout(PATIENCE, child.wait())
        .await
        .expect("exits")
        .expect("wait");
    assert!(!status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_binary_serves_its_event_handlers_and_pure_functions() {
    let sqs = |bodies: &[&str]| {
        let records: Vec<Value> = bodies
            .iter()
            .enumerate()
            .map(|(i, body)| {
                json!({"messageId": format!("m{i}"), "receiptHandle": "h", "body": body,
                       "eventSource": "aws:sqs", "awsRegion": "us-east-1",
                       "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:jobs"})
            })
            .collect();
        json!({ "Records": records }).to_string()
    };
    let cases: Vec<(&str, String, Result<Value, (&str, &str)>)> = vec![
        (
            "worker",
            sqs(&["ok", "bad", "ok", "bad"]),
            Ok(json!({"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m3"}]})),
        ),
        ("worker", sqs(&["ok"]), Ok(json!({"batchItemFailures": []}))),
        (
            "worker",
            sqs(&["crash"]),
            Err((
                "BadRequestError",
                "function \"worker\" failed: a crash message",
            )),
        ),
        (
            "worker",
            json!({"Records": [{"body": "no id"}]}).to_string(),
            Err((
                "Chalice.InvalidEvent",
                "function \"worker\" (on_sqs_message) can't read the event: missing field `messageId` at line 1 column 28",
            )),
        ),
        ("add", "[1, 2, 39]".to_owned(), Ok(json!(42))),
    ];
    for handler in ["worker", "add"] {
        let mut api = RuntimeApi::start().await;
        let child = spawn(&api, &[("CHALICE_HANDLER", handler)], None);
        for (i, (_, event, expected)) in cases.iter().enumerate().filter(|(_, c)| c.0 == handler) {
            let id = format!("{handler}-{i}");
            api.invoke(&id, event.clone());
            match (api.next_post().await, expected) {
                (Post::Response { id: got, body }, Ok(answer)) => {
                    assert_eq!(got, id);
                    assert_eq!(body, *answer, "{id}");
                }
                (
                    Post::Error {
                        id: got,
                        error_type,
                        body,
                    },
                    Err((kind, message)),
                ) => {
                    assert_eq!(got, id);
                    assert_eq!(error_type, *kind, "{id}");
                    assert_eq!(body["errorType"], *kind, "{id}");
                    assert_eq!(body["errorMessage"], *message, "{id}");
                }
                (other, expected) => panic!("{id}: {other:?}, expected {expected:?}"),
            }
        }
        let logs = stop(child).await;
        if handler == "worker" {
            assert!(
                logs.contains("Caught exception for function worker"),
                "{logs}"
            );
        }
    }
}
