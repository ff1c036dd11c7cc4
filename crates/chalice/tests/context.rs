//! The same request through the test client, the local server (a real socket) and a REST
//! API (v1) event: every field a view can read is the same (SPEC §5), the `requestContext`
//! included, built as API Gateway builds it for the configured stage.
//!
//! The event starts from a live REST API capture (`voker-apigw-rest-live.json`) with this
//! request's method, path, headers, query and body. Its logger wrote the identity fields of
//! an anonymous caller as `""` and added `operationName`, `authorizer` and
//! `identity.clientCert`, which API Gateway sends as `null` or not at all (tests/data/README.md):
//! those are put back as API Gateway sends them.

mod common;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use chalice::test::Client;
use chalice::{Chalice, Json, Params, Request, Route};
use chalice_core::adapter::Gateway;
use serde_json::{Map, Value, json};

use common::{runtime, through_lambda, through_local_server};

const HOST: &str = "api.example.test";
const USER_AGENT: &str = "curl/8.7.1";
const BODY: &str = r#"{"note":"λ"}"#;

/// The fields only a deployed API has: ids of its resource and of its own request log.
const ONLY_ON_AWS: [&str; 2] = ["extendedRequestId", "resourceId"];

/// Everything a view can read of its request.
fn everything(request: &Request) -> Json<Value> {
    let headers: Map<String, Value> = ["host", "user-agent", "content-type"]
        .into_iter()
        .map(|name| (name.to_owned(), json!(request.header(name))))
        .collect();
    let event = request.to_original_event();
    let event_fields: Map<String, Value> = [
        "resource",
        "path",
        "httpMethod",
        "pathParameters",
        "stageVariables",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "body",
        "isBase64Encoded",
    ]
    .into_iter()
    .map(|name| (name.to_owned(), event[name].clone()))
    .collect();
    let mut dict = request.to_dict();
    let dict = dict.as_object_mut().expect("an object");
    // Compared on their own below.
    dict.remove("context");
    dict.remove("headers");
    Json(json!({
        "method": request.method().as_str(),
        "path": request.path(),
        "uri_params": request.uri_params(),
        "query_params": request.query_params(),
        "headers": headers,
        "stage_vars": request.stage_vars(),
        "json_body": request.json_body().ok(),
        "raw_body": String::from_utf8_lossy(request.raw_body()),
        "to_dict": dict,
        "original_event": event_fields,
        "context": request.context(),
    }))
}

fn app() -> Chalice {
    let mut app = Chalice::new("context");
    app.register(Route::new("/users/{name}", everything).methods(["POST"]));
    app
}

/// The REST API event for `POST /users/john%20doe?x=1&x=2` on `stage`.
fn rest_event(stage: &str, stage_vars: Option<&Params>) -> Value {
    let mut event: Value = serde_json::from_str(include_str!(
        "../../chalice-lambda/tests/data/voker-apigw-rest-live.json"
    ))
    .expect("the capture is JSON");
    let path = "/users/john%20doe";
    event["resource"] = json!("/users/{name}");
    event["path"] = json!(path);
    event["httpMethod"] = json!("POST");
    let headers = event["headers"].as_object_mut().expect("headers");
    headers.retain(|name, _| name.starts_with("X-"));
    headers.insert("Host".to_owned(), json!(HOST));
    headers.insert("User-Agent".to_owned(), json!(USER_AGENT));
    headers.insert("content-type".to_owned(), json!("application/json"));
    let multi: Map<String, Value> = headers
        .iter()
        .map(|(name, value)| (name.clone(), json!([value])))
        .collect();
    event["multiValueHeaders"] = Value::Object(multi);
    event["queryStringParameters"] = json!({"x": "2"});
    event["multiValueQueryStringParameters"] = json!({"x": ["1", "2"]});
    event["pathParameters"] = json!({"name": "john%20doe"});
    event["stageVariables"] = json!(stage_vars);
    event["body"] = json!(BODY);
    let context = event["requestContext"].as_object_mut().expect("context");
    context.remove("operationName");
    context.remove("authorizer");
    context.insert("resourcePath".to_owned(), json!("/users/{name}"));
    context.insert("httpMethod".to_owned(), json!("POST"));
    context.insert("stage".to_owned(), json!(stage));
    context.insert("path".to_owned(), json!(format!("/{stage}{path}")));
    context.insert("domainName".to_owned(), json!(HOST));
    context.insert("domainPrefix".to_owned(), json!("api"));
    let identity = context["identity"].as_object_mut().expect("identity");
    identity.remove("clientCert");
    for value in identity.values_mut() {
        if value == "" {
            *value = Value::Null;
        }
    }
    identity.insert("sourceIp".to_owned(), json!("127.0.0.1"));
    identity.insert("userAgent".to_owned(), json!(USER_AGENT));
    event
}

/// Takes the fields that differ by invocation out of `answer["context"]`, checking each has
/// API Gateway's form: a request id, a time and its epoch, the API's id.
#[track_caller]
fn per_invocation(door: &str, answer: &mut Value) -> Value {
    let context = answer["context"].as_object_mut().expect("a context");
    let id = context.remove("requestId").expect("requestId");
    let id = id.as_str().expect("a string");
    let groups: Vec<usize> = id.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "{door}: requestId {id}");
    // The API's and the account's ids: the deployed API's, or locally the placeholders of
    // the local `methodArn` (Chalice's), of the same form.
    let api_id = context.remove("apiId").expect("apiId");
    let api_id = api_id.as_str().expect("a string");
    let is_id = |id: &str| {
        id.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    assert!(
        api_id.len() == 10 && is_id(api_id),
        "{door}: apiId {api_id}"
    );
    let account = context.remove("accountId").expect("accountId");
    let account = account.as_str().expect("a string");
    assert!(
        account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()),
        "{door}: accountId {account}"
    );
    let epoch = context
        .remove("requestTimeEpoch")
        .expect("requestTimeEpoch");
    let epoch = epoch.as_u64().expect("a number");
    let time = context.remove("requestTime").expect("requestTime");
    let time = time.as_str().expect("a string");
    // `10/Jul/2026:19:19:04 +0000`: its seconds agree with the epoch's.
    let seconds = (epoch / 1000) % 60;
    assert_eq!(time.len(), 26, "{door}: requestTime {time}");
    assert!(
        time.ends_with(&format!(":{seconds:02} +0000")),
        "{door}: {time} vs {epoch}"
    );
    json!({"epoch_ms": epoch})
}

#[test]
fn a_view_reads_the_same_request_on_every_front_door() {
    let runtime = runtime();
    let table: Params = [("table", "todos-test")].into_iter().collect();
    // (API Gateway stage, stage variables given to the local doors and in the event)
    let cases: [(&str, Option<&Params>); 2] = [("api", None), ("v1", Some(&table))];
    for (stage, stage_vars) in cases {
        let client = Client::new(app()).stage(stage);
        let client = match stage_vars {
            Some(vars) => client.stage_vars(vars.iter()),
            None => client,
        };
        let by_client = client
            .http()
            .post("/users/john%20doe?x=1&x=2")
            .header("Host", HOST)
            .header("User-Agent", USER_AGENT)
            .header("Content-Type", "application/json")
            .body(BODY)
            .send();
        assert_eq!(by_client.status_code, 200, "{}", by_client.text());
        let mut by_client = by_client.json();

        let gateway = Gateway::new(Arc::new(app()))
            .stage(stage)
            .stage_vars(stage_vars.cloned());
        let head = format!(
            "POST /users/john%20doe?x=1&x=2 HTTP/1.1\r\nHost: {HOST}\r\nUser-Agent: {USER_AGENT}\r\n\
             Content-Type: application/json"
        );
        let by_socket = runtime.block_on(through_local_server(gateway, &head, BODY.as_bytes()));
        assert_eq!(by_socket.status, 200);
        let mut by_socket = by_socket.json();

        let by_lambda = runtime.block_on(through_lambda(&app(), &rest_event(stage, stage_vars)));
        assert_eq!(by_lambda.status, 200);
        let mut by_lambda = by_lambda.json();

        // The REST API's fields are the local ones and those only a deployed API has.
        let keys = |answer: &Value| {
            let mut keys: Vec<String> = answer["context"]
                .as_object()
                .expect("context")
                .keys()
                .cloned()
                .collect();
            keys.sort();
            keys
        };
        let mut local_and_aws_only = keys(&by_client);
        local_and_aws_only.extend(ONLY_ON_AWS.map(str::to_owned));
        local_and_aws_only.sort();
        assert_eq!(keys(&by_lambda), local_and_aws_only, "stage {stage}");
        if let Some(context) = by_lambda["context"].as_object_mut() {
            context.retain(|key, _| !ONLY_ON_AWS.contains(&key.as_str()));
        }

        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("a clock")
            .as_millis();
        for (door, answer) in [
            ("test client", &mut by_client),
            ("local server", &mut by_socket),
        ] {
            let epoch = per_invocation(door, answer)["epoch_ms"]
                .as_u64()
                .expect("ms");
            let age = now.abs_diff(u128::from(epoch));
            assert!(
                age < 60_000,
                "{door}: requestTimeEpoch {epoch} is not now ({now})"
            );
        }
        per_invocation("REST API event", &mut by_lambda);

        assert_eq!(
            by_client, by_lambda,
            "test client vs REST API event, stage {stage}"
        );
        assert_eq!(
            by_socket, by_lambda,
            "local server vs REST API event, stage {stage}"
        );
        // What the fields are, once: API Gateway's values for this request.
        assert_eq!(
            by_lambda["context"]["path"],
            format!("/{stage}/users/john%20doe")
        );
        assert_eq!(by_lambda["stage_vars"], json!(stage_vars));
        assert_eq!(by_lambda["uri_params"], json!({"name": "john%20doe"}));
    }
}
