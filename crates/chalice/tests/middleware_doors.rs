//! Issue 16: middleware sees every answer the app gives, on every front door, and none of
//! API Gateway's own. One table of requests to an app whose middleware adds a header and
//! notes what it saw (the CORS header, whether the answer was made from an error), sent
//! through the test client, the local server over a socket, and REST API (v1) and HTTP API
//! (v2) events through the Lambda adapter.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chalice::test::Client;
use chalice::{
    AuthRequest, AuthResponse, Chalice, ChaliceError, EventType, LambdaContext, Next, Request,
    Response, Route,
};
use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn app() -> Chalice {
    let mut app = Chalice::new("doors");
    app.middleware(EventType::Http, |request: Request, next: Next| async move {
        let mut response = next.run(request).await;
        let cors = response
            .headers
            .get("access-control-allow-origin")
            .unwrap_or("none")
            .to_owned();
        let error = match (response.error(), response.unhandled_error()) {
            (None, _) => "none",
            (Some(_), Some(_)) => "unhandled",
            (Some(_), None) => "handled",
        };
        response.headers.insert("x-mw", "seen");
        response.headers.insert("x-mw-saw-cors", cors);
        response.headers.insert("x-mw-saw-error", error);
        response
    });
    let guard = app.authorizer("guard", |request: &AuthRequest| {
        if request.token == "let-me-in" {
            Ok(AuthResponse::new("user").routes(["*"]))
        } else {
            Err(ChaliceError::unauthorized("no"))
        }
    });
    app.register(
        Route::new("/ok", || "hi")
            .methods(["GET", "PUT"])
            .cors(true),
    );
    app.register(
        Route::new("/missing", || -> Result<String, ChaliceError> {
            Err(ChaliceError::not_found("gone"))
        })
        .cors(true),
    );
    app.route("/boom", || -> Result<String, ChaliceError> {
        Err(std::io::Error::other("disk on fire"))?
    });
    app.route("/panic", || -> String { panic!("middleware_doors panic") });
    // An error handler answers first: the middleware gets its answer, with the error.
    app.error_handler(|error: &std::num::ParseIntError| {
        Response::new(error.to_string()).status_code(422)
    });
    app.route("/count", || -> Result<String, ChaliceError> {
        Ok("many".parse::<u8>()?.to_string())
    });
    app.register(Route::new("/upload", || "stored").methods(["POST"]));
    app.route("/png", || {
        Response::new(vec![0x89u8, b'P', b'N', b'G']).header("Content-Type", "image/png")
    });
    app.register(Route::new("/guarded", || "secret").authorizer(&guard));
    app
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Door {
    TestClient,
    LocalServer,
    RestEvent,
    HttpApiEvent,
}

use Door::{HttpApiEvent, LocalServer, RestEvent, TestClient};

const ALL: &[Door] = &[TestClient, LocalServer, RestEvent, HttpApiEvent];
/// API Gateway's own answers: only the gateway emulation gives them (on AWS, API Gateway
/// does, and Lambda never sees the request).
const GATEWAY: &[Door] = &[TestClient, LocalServer];
/// An event with a method the route lacks reaches the app only on Lambda: in front of the
/// local server and test client, API Gateway's emulation answers 403 first.
const LAMBDA: &[Door] = &[RestEvent, HttpApiEvent];

struct Case {
    label: &'static str,
    doors: &'static [Door],
    method: &'static str,
    template: &'static str,
    path: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
    /// status, then (when the middleware ran) the CORS header it saw and how the answer
    /// was made, then the CORS header the client got.
    expected: (
        u16,
        Option<(&'static str, &'static str)>,
        Option<&'static str>,
    ),
}

const fn case(
    label: &'static str,
    doors: &'static [Door],
    method: &'static str,
    path: &'static str,
    expected: (
        u16,
        Option<(&'static str, &'static str)>,
        Option<&'static str>,
    ),
) -> Case {
    Case {
        label,
        doors,
        method,
        template: path,
        path,
        headers: &[],
        body: "",
        expected,
    }
}

#[rustfmt::skip] // a table: one line per request
fn cases() -> Vec<Case> {
    let text_plain: &[(&str, &str)] = &[("Content-Type", "text/plain")];
    let token: &[(&str, &str)] = &[("Authorization", "let-me-in")];
    let preflight: &[(&str, &str)] = &[("Origin", "https://example.com"), ("Access-Control-Request-Method", "PUT")];
    vec![
        // The app's answers: each passes through the middleware.
        case("a view's 200, with CORS", ALL, "GET", "/ok", (200, Some(("*", "none")), Some("*"))),
        case("a view's 404, with CORS", ALL, "GET", "/missing", (404, Some(("*", "handled")), Some("*"))),
        case("an unhandled error's 500", ALL, "GET", "/boom", (500, Some(("none", "unhandled")), None)),
        case("a panic's 500", ALL, "GET", "/panic", (500, Some(("none", "unhandled")), None)),
        case("an error handler's answer", ALL, "GET", "/count", (422, Some(("none", "handled")), None)),
        Case { headers: text_plain, body: "hi", ..case("the app's 415", ALL, "POST", "/upload", (415, Some(("none", "none")), None)) },
        case("the app's binary 400", ALL, "GET", "/png", (400, Some(("none", "none")), None)),
        case("the app's 405", LAMBDA, "DELETE", "/ok", (405, Some(("none", "none")), None)),
        Case { headers: token, ..case("an authorized view's 200", GATEWAY, "GET", "/guarded", (200, Some(("none", "none")), None)) },
        // API Gateway's own answers: none reaches the middleware.
        case("403 for an unknown route", &[TestClient, LocalServer, RestEvent], "GET", "/nowhere", (403, None, None)),
        case("404 for an unknown route (HTTP API)", &[HttpApiEvent], "GET", "/nowhere", (404, None, None)),
        case("403 for a method the route lacks", GATEWAY, "DELETE", "/ok", (403, None, None)),
        case("401 from the authorizer", GATEWAY, "GET", "/guarded", (401, None, None)),
        Case { headers: preflight, ..case("the CORS preflight", GATEWAY, "OPTIONS", "/ok", (200, None, Some("*"))) },
    ]
}

/// What a client got: the status and the headers (names lowercased).
type Answer = (u16, BTreeMap<String, String>);

fn through_test_client(client: &Client, case: &Case) -> Answer {
    let method = case.method.parse().expect("a method");
    let mut request = client.http().request(method, case.path).body(case.body);
    for (name, value) in case.headers {
        request = request.header(name, value);
    }
    let response = request.send();
    let headers = response
        .headers
        .iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    (response.status_code, headers)
}

async fn through_local_server(addr: SocketAddr, case: &Case) -> Answer {
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n",
        case.method,
        case.path,
        case.body.len()
    );
    for (name, value) in case.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head.push_str(case.body);
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut raw))
        .await
        .expect("timely")
        .expect("read");
    let raw = String::from_utf8_lossy(&raw);
    let (head, _) = raw.split_once("\r\n\r\n").expect("a response head");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|status| status.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|line| line.split_once(": "))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
        .collect();
    (status, headers)
}

fn event_headers(case: &Case) -> Map<String, Value> {
    case.headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), json!(value)))
        .collect()
}

fn body_field(case: &Case) -> Value {
    if case.body.is_empty() {
        Value::Null
    } else {
        json!(case.body)
    }
}

fn rest_event(case: &Case) -> Value {
    let headers = event_headers(case);
    let multi: Map<String, Value> = headers
        .iter()
        .map(|(name, value)| (name.clone(), json!([value])))
        .collect();
    json!({
        "resource": case.template,
        "path": case.path,
        "httpMethod": case.method,
        "headers": headers,
        "multiValueHeaders": multi,
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": null,
        "stageVariables": null,
        "requestContext": {
            "resourcePath": case.template,
            "httpMethod": case.method,
            "stage": "api",
            "path": format!("/api{}", case.path),
        },
        "body": body_field(case),
        "isBase64Encoded": false,
    })
}

fn http_api_event(case: &Case) -> Value {
    json!({
        "version": "2.0",
        "routeKey": format!("{} {}", case.method, case.template),
        "rawPath": case.path,
        "rawQueryString": "",
        "headers": event_headers(case),
        "requestContext": {"http": {"method": case.method, "path": case.path}, "stage": "$default"},
        "body": body_field(case),
        "isBase64Encoded": false,
    })
}

async fn through_lambda(app: &Chalice, event: Value) -> Answer {
    let bytes =
        chalice_lambda::handle_event(app, event.to_string().as_bytes(), LambdaContext::default())
            .await
            .expect("an answer");
    let response: Value = serde_json::from_slice(&bytes).expect("JSON");
    let status = response["statusCode"]
        .as_u64()
        .and_then(|status| u16::try_from(status).ok())
        .expect("a status");
    let mut headers = BTreeMap::new();
    for field in ["headers", "multiValueHeaders"] {
        for (name, value) in response[field].as_object().into_iter().flatten() {
            let value = match value {
                Value::Array(values) => values.first().cloned().unwrap_or_default(),
                value => value.clone(),
            };
            if let Some(value) = value.as_str() {
                headers.insert(name.to_ascii_lowercase(), value.to_owned());
            }
        }
    }
    (status, headers)
}

/// The parts of an answer the table states.
fn seen(answer: &Answer) -> (u16, Option<(String, String)>, Option<String>) {
    let header = |name: &str| answer.1.get(name).cloned();
    let middleware = match header("x-mw").as_deref() {
        Some("seen") => Some((
            header("x-mw-saw-cors").unwrap_or_default(),
            header("x-mw-saw-error").unwrap_or_default(),
        )),
        _ => None,
    };
    (answer.0, middleware, header("access-control-allow-origin"))
}

#[test]
fn middleware_sees_the_apps_answers_and_none_of_api_gateways() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let client = Client::new(app());
    let lambda_app = app();
    let server = runtime
        .block_on(chalice_local::Server::bind(
            "127.0.0.1:0".parse().expect("an address"),
            chalice_core::adapter::Gateway::new(Arc::new(app())),
        ))
        .expect("bind");
    let addr = server.local_addr().expect("the server's address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = runtime.spawn(server.serve_until(async {
        let _ = stopped.await;
    }));

    let mut checked = 0;
    for case in cases() {
        let (status, middleware, cors) = case.expected;
        let expected = (
            status,
            middleware.map(|(cors, error)| (cors.to_owned(), error.to_owned())),
            cors.map(str::to_owned),
        );
        for &door in case.doors {
            let answer = match door {
                TestClient => through_test_client(&client, &case),
                LocalServer => runtime.block_on(through_local_server(addr, &case)),
                RestEvent => runtime.block_on(through_lambda(&lambda_app, rest_event(&case))),
                HttpApiEvent => {
                    runtime.block_on(through_lambda(&lambda_app, http_api_event(&case)))
                }
            };
            assert_eq!(
                seen(&answer),
                expected,
                "{} ({} {}) through {door:?}: {:?}",
                case.label,
                case.method,
                case.path,
                answer.1
            );
            checked += 1;
        }
    }
    let _ = stop.send(());
    runtime
        .block_on(serving)
        .expect("the server task")
        .expect("the server");
    // Every row ran on each of its doors.
    assert_eq!(checked, 7 * 4 + 2 + 2 + 3 + 1 + 2 + 2 + 2);
}
