//! Path captures on every front door (SPEC §5, "one answer, three front doors"): the same
//! encoded, UTF-8 and reserved-character paths through the test client, the local server
//! over a real socket and a REST API (v1) event give identical `uri_params()`, API Gateway's
//! values, still percent-encoded (aws/chalice#511), and identical typed `#[route]` values,
//! decoded.
//!
//! The events start from a live REST API capture (`voker-apigw-rest-live.json`), in which
//! API Gateway passes `/capture/space%20value` on as sent; each case sets the path and
//! `pathParameters` the way that capture shows: as the client sent them.

mod common;

use chalice::test::Client;
use chalice::{Chalice, Json, Request, route};
use chalice_core::adapter::Gateway;
use serde_json::{Value, json};
use std::sync::Arc;

use common::{Answer, runtime, through_lambda, through_local_server};

#[route("/users/{name}")]
fn user(name: String, request: &Request) -> Json<Value> {
    Json(json!({"uri_params": request.uri_params(), "typed": Value::String(name)}))
}

#[route("/files/{path+}")]
fn file(path: &str, request: &Request) -> Json<Value> {
    Json(json!({"uri_params": request.uri_params(), "typed": path}))
}

#[route("/n/{id}")]
async fn number(id: u32, request: Request) -> Json<Value> {
    Json(json!({"uri_params": request.uri_params(), "typed": id}))
}

fn app() -> Chalice {
    let mut app = Chalice::new("captures");
    app.register(user::route());
    app.register(file::route());
    app.register(number::route());
    app
}

/// One path, and what every front door must give the view for it.
struct Case {
    template: &'static str,
    /// The path as the client sends it (raw bytes in the request line).
    sent: &'static str,
    /// The capture's name and value as API Gateway passes it (`pathParameters`).
    param: (&'static str, &'static str),
    /// The typed parameter: its JSON, or the 400's message.
    typed: Result<Value, &'static str>,
}

fn cases() -> Vec<Case> {
    let case = |template, sent, param, typed| Case {
        template,
        sent,
        param,
        typed,
    };
    let text = |s: &str| Ok(json!(s));
    vec![
        case("/users/{name}", "/users/bob", ("name", "bob"), text("bob")),
        // aws/chalice#511: encoded on AWS, so encoded everywhere; decoded when typed.
        case(
            "/users/{name}",
            "/users/john%20doe",
            ("name", "john%20doe"),
            text("john doe"),
        ),
        case(
            "/users/{name}",
            "/users/caf%C3%A9",
            ("name", "caf%C3%A9"),
            text("café"),
        ),
        // Raw UTF-8 and characters a URL cannot carry raw arrive encoded, as through API
        // Gateway (aws/chalice#688: `first|last` is `first%7Clast`).
        case(
            "/users/{name}",
            "/users/café",
            ("name", "caf%C3%A9"),
            text("café"),
        ),
        case(
            "/users/{name}",
            "/users/first|last",
            ("name", "first%7Clast"),
            text("first|last"),
        ),
        case(
            "/users/{name}",
            r#"/users/{"a":1}"#,
            ("name", "%7B%22a%22:1%7D"),
            text(r#"{"a":1}"#),
        ),
        // Reserved characters: as sent, and one segment.
        case(
            "/users/{name}",
            "/users/a%2Fb",
            ("name", "a%2Fb"),
            text("a/b"),
        ),
        case(
            "/users/{name}",
            "/users/100%25",
            ("name", "100%25"),
            text("100%"),
        ),
        case(
            "/users/{name}",
            "/users/literal%252F",
            ("name", "literal%252F"),
            text("literal%2F"),
        ),
        case(
            "/users/{name}",
            "/users/q%3F%23h",
            ("name", "q%3F%23h"),
            text("q?#h"),
        ),
        // `+` is a space only in a query string.
        case("/users/{name}", "/users/a+b", ("name", "a+b"), text("a+b")),
        case(
            "/users/{name}",
            "/users/user@example.com",
            ("name", "user@example.com"),
            text("user@example.com"),
        ),
        case(
            "/users/{name}",
            "/users/%E2%9C%93%20ok",
            ("name", "%E2%9C%93%20ok"),
            text("✓ ok"),
        ),
        case(
            "/users/{name}",
            "/users/%FF",
            ("name", "%FF"),
            Err(
                r#"Invalid value for URI parameter 'name': "%FF" is not UTF-8 once percent-decoded"#,
            ),
        ),
        // A greedy capture, taken as `&str`: decoded too.
        case(
            "/files/{path+}",
            "/files/a%2Fb/c%20d.txt",
            ("path", "a%2Fb/c%20d.txt"),
            text("a/b/c d.txt"),
        ),
        // Parsed after decoding.
        case("/n/{id}", "/n/4%32", ("id", "4%32"), Ok(json!(42))),
        case(
            "/n/{id}",
            "/n/4%20",
            ("id", "4%20"),
            Err(
                r#"Invalid value for URI parameter 'id': "4 " is not a valid u32 (invalid digit found in string)"#,
            ),
        ),
    ]
}

/// The REST API event API Gateway sends for `GET sent` on `template`: the live capture with
/// this request's route, path and captures (stage `api`, as Chalice deploys).
fn rest_event(case: &Case) -> Value {
    let mut event: Value = serde_json::from_str(include_str!(
        "../../chalice-lambda/tests/data/voker-apigw-rest-live.json"
    ))
    .expect("the capture is JSON");
    let prefix = &case.template[..case.template.find('{').expect("a capture")];
    let path = format!("{prefix}{}", case.param.1);
    event["resource"] = json!(case.template);
    event["path"] = json!(path);
    event["httpMethod"] = json!("GET");
    event["pathParameters"] = json!({case.param.0: case.param.1});
    event["body"] = Value::Null;
    let context = &mut event["requestContext"];
    context["resourcePath"] = json!(case.template);
    context["httpMethod"] = json!("GET");
    context["stage"] = json!("api");
    context["path"] = json!(format!("/api{path}"));
    event
}

#[test]
fn every_front_door_gives_api_gateways_captures_and_decoded_typed_values() {
    let runtime = runtime();
    let client = Client::new(app());
    let lambda_app = app();
    for case in cases() {
        let label = case.sent;
        let by_client = client.http().get(case.sent).send();
        let by_client = Answer {
            status: by_client.status_code,
            headers: Vec::new(),
            body: by_client.body.to_vec(),
        };
        let gateway = Gateway::new(Arc::new(app()));
        let head = format!("GET {} HTTP/1.1\r\nHost: x", case.sent);
        let by_socket = runtime.block_on(through_local_server(gateway, &head, b""));
        let by_lambda = runtime.block_on(through_lambda(&lambda_app, &rest_event(&case)));

        let expected = match &case.typed {
            Ok(typed) => (
                200,
                json!({"uri_params": {case.param.0: case.param.1}, "typed": typed}),
            ),
            Err(message) => (400, json!({"Code": "BadRequestError", "Message": message})),
        };
        for (door, answer) in [
            ("test client", &by_client),
            ("local server", &by_socket),
            ("REST API event", &by_lambda),
        ] {
            assert_eq!(
                (answer.status, answer.json()),
                expected,
                "{door}: GET {label}"
            );
        }
    }
}
