//! One table of requests, four front doors: the test client, the local server over a real
//! socket, a REST API (v1) event and an HTTP API (v2) event through the Lambda adapter. Each
//! request must get the same status and body from all four (SPEC §5: one dispatch).

mod common;

use std::sync::Arc;

use base64::Engine as _;
use chalice::test::Client;
use chalice::{
    Chalice, ChaliceError, Json, LambdaContext, Method, Request, Response, Route, route,
};
use chalice_core::adapter::RouteMatch;
use serde_json::{Map, Value, json};

fn app() -> Chalice {
    let mut app = Chalice::new("parity");
    app.route("/", || Json(json!({"hello": "world"})));
    app.register(user::route());
    app.register(
        Route::new(
            "/echo",
            |r: &Request| -> Result<Json<Value>, ChaliceError> {
                Ok(Json(
                    json!({"got": r.json_body()?, "agent": r.headers().get("x-agent")}),
                ))
            },
        )
        .methods(["POST"]),
    );
    app.route("/panic", || -> String { panic!("parity panic") });
    app.route("/png", || {
        Response::new(vec![0x89u8, b'P', b'N', b'G', 0, 0xff]).header("Content-Type", "image/png")
    });
    app.register(file::route());
    app
}

// Typed captures: decoded alike on every door, where `uri_params()` holds what each kind of
// API passes (a REST API's still encoded, an HTTP API's decoded; tests/captures.rs).
#[route("/users/{name}", methods = ["GET", "PUT"], cors = true)]
fn user(name: &str, r: &Request) -> Result<Json<Value>, ChaliceError> {
    match name {
        "nobody" => Err(ChaliceError::not_found("No such user")),
        name => Ok(Json(
            json!({"name": name, "tags": r.query_params().map(|q| q.get_list("tag"))}),
        )),
    }
}

#[route("/files/{path+}")]
fn file(path: String) -> String {
    path
}

/// One request: method, route template, concrete path, query string, headers, body.
struct Case {
    method: &'static str,
    template: &'static str,
    path: &'static str,
    query: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &'static [u8],
}

const fn case(method: &'static str, template: &'static str, path: &'static str) -> Case {
    Case {
        method,
        template,
        path,
        query: "",
        headers: &[],
        body: b"",
    }
}

fn cases() -> Vec<Case> {
    vec![
        case("GET", "/", "/"),
        case("GET", "/users/{name}", "/users/bob"),
        Case {
            query: "tag=a&tag=b+c",
            ..case("GET", "/users/{name}", "/users/bob")
        },
        case("GET", "/users/{name}", "/users/nobody"),
        case("PUT", "/users/{name}", "/users/caf%C3%A9"),
        Case {
            headers: &[("Content-Type", "application/json"), ("X-Agent", "t")],
            body: br#"{"a":[1,"two"]}"#,
            ..case("POST", "/echo", "/echo")
        },
        Case {
            headers: &[("Content-Type", "application/json")],
            body: b"{broken",
            ..case("POST", "/echo", "/echo")
        },
        Case {
            headers: &[("Content-Type", "text/plain")],
            body: b"hi",
            ..case("POST", "/echo", "/echo")
        },
        case("GET", "/panic", "/panic"),
        Case {
            headers: &[("Accept", "image/png")],
            ..case("GET", "/png", "/png")
        },
        case("GET", "/png", "/png"),
        case("GET", "/files/{path+}", "/files/a/b%20c.txt"),
    ]
}

/// (status, body, access-control-allow-origin)
type Answer = (u16, Vec<u8>, Option<String>);

fn through_test_client(case: &Case) -> Answer {
    let client = Client::new(app());
    let target = if case.query.is_empty() {
        case.path.to_owned()
    } else {
        format!("{}?{}", case.path, case.query)
    };
    let mut request = client
        .http()
        .request(case.method.parse().expect("method"), &target)
        .body(case.body);
    for (name, value) in case.headers {
        request = request.header(name, value);
    }
    let response = request.send();
    let cors = response
        .headers
        .get("access-control-allow-origin")
        .map(str::to_owned);
    (response.status_code, response.body.to_vec(), cors)
}

async fn through_local_server(case: &Case) -> Answer {
    let gateway = chalice_core::adapter::Gateway::new(Arc::new(app()));
    let target = if case.query.is_empty() {
        case.path.to_owned()
    } else {
        format!("{}?{}", case.path, case.query)
    };
    let mut head = format!("{} {target} HTTP/1.1\r\nHost: x", case.method);
    for (name, value) in case.headers {
        head.push_str(&format!("\r\n{name}: {value}"));
    }
    let answer = common::through_local_server(gateway, &head, case.body).await;
    let cors = answer
        .headers
        .iter()
        .find(|(name, _)| name == "access-control-allow-origin")
        .map(|(_, value)| value.clone());
    (answer.status, answer.body, cors)
}

fn lambda_headers(case: &Case) -> (Map<String, Value>, Map<String, Value>) {
    let mut single = Map::new();
    let mut multi = Map::new();
    for (name, value) in case.headers {
        single.insert((*name).to_owned(), json!(value));
        multi.insert((*name).to_owned(), json!([value]));
    }
    (single, multi)
}

fn body_field(case: &Case) -> Value {
    if case.body.is_empty() {
        Value::Null
    } else {
        json!(String::from_utf8_lossy(case.body))
    }
}

/// `pathParameters` as API Gateway sends them: a REST API's as in the path (still
/// percent-encoded), an HTTP API's decoded.
fn path_parameters(case: &Case, decode: bool) -> Value {
    let app = app();
    let method = Method::from_bytes(case.method.as_bytes()).expect("a method");
    let (_, uri_params) = RouteMatch::by_path(&app, case.path, &method).expect("a route");
    match uri_params {
        Some(params) => Value::Object(
            params
                .iter()
                .map(|(k, v)| {
                    let v = if decode {
                        percent_encoding::percent_decode_str(v)
                            .decode_utf8_lossy()
                            .into_owned()
                    } else {
                        v.to_owned()
                    };
                    (k.to_owned(), json!(v))
                })
                .collect(),
        ),
        None => Value::Null,
    }
}

fn v1_event(case: &Case) -> Value {
    let (single, multi) = lambda_headers(case);
    let query = chalice::MultiDict::parse(case.query);
    let multi_query = query.as_ref().map(|q| {
        q.keys()
            .map(|k| (k.to_owned(), json!(q.get_list(k))))
            .collect::<Map<_, _>>()
    });
    json!({
        "resource": case.template,
        // A REST API passes the path as sent (voker-apigw-rest-live.json).
        "path": case.path,
        "httpMethod": case.method,
        "headers": single,
        "multiValueHeaders": multi,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": path_parameters(case, false),
        "stageVariables": null,
        "requestContext": {"resourcePath": case.template, "httpMethod": case.method, "stage": "api", "path": format!("/api{}", case.path)},
        "body": body_field(case),
        "isBase64Encoded": false,
    })
}

fn v2_event(case: &Case) -> Value {
    let (single, _) = lambda_headers(case);
    let headers: Map<String, Value> = single
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    json!({
        "version": "2.0",
        "routeKey": format!("{} {}", case.method, case.template),
        "rawPath": percent_encoding::percent_decode_str(case.path).decode_utf8_lossy(),
        "rawQueryString": case.query,
        "headers": headers,
        "pathParameters": path_parameters(case, true),
        "requestContext": {"http": {"method": case.method, "path": case.path}, "stage": "$default"},
        "body": body_field(case),
        "isBase64Encoded": false,
    })
}

async fn through_lambda(event: Value) -> Answer {
    let app = app();
    let bytes =
        chalice_lambda::handle_event(&app, event.to_string().as_bytes(), LambdaContext::default())
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
    let status = u16::try_from(response["statusCode"].as_u64().expect("status")).expect("u16");
    let cors = response["headers"]
        .as_object()
        .and_then(|h| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("access-control-allow-origin"))
        })
        .and_then(|(_, v)| v.as_str().map(str::to_owned));
    (status, body, cors)
}

#[test]
fn every_front_door_answers_alike() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut statuses = Vec::new();
    for case in cases() {
        let label = format!("{} {}?{}", case.method, case.path, case.query);
        let expected = through_test_client(&case);
        let local = runtime.block_on(through_local_server(&case));
        let v1 = runtime.block_on(through_lambda(v1_event(&case)));
        let v2 = runtime.block_on(through_lambda(v2_event(&case)));
        let show = |a: &Answer| (a.0, String::from_utf8_lossy(&a.1).into_owned(), a.2.clone());
        assert_eq!(
            show(&local),
            show(&expected),
            "local server vs test client: {label}"
        );
        assert_eq!(
            show(&v1),
            show(&expected),
            "REST API event vs test client: {label}"
        );
        assert_eq!(
            show(&v2),
            show(&expected),
            "HTTP API event vs test client: {label}"
        );
        statuses.push(expected.0);
    }
    // The table covers successes and each kind of failure, not one answer four times.
    assert_eq!(
        statuses,
        [200, 200, 200, 404, 200, 200, 400, 415, 500, 200, 400, 200]
    );
}
