//! SPEC §2: every Request field as a view sees it, through the test client (the same gateway
//! emulation as the local server).

use chalice::test::Client;
use chalice::{Chalice, Json, Request, Route};
use serde_json::{Value, json};

/// An app whose views echo what they see of the request.
fn client() -> Client {
    let mut app = Chalice::new("fields");
    let everything = |r: &Request| {
        Json(json!({
            "method": r.method().as_str(),
            "path": r.path(),
            "query_params": r.query_params().map(|q| q.keys().map(|k| (k.to_owned(), json!(q.get_list(k)))).collect::<serde_json::Map<_, _>>()),
            "last_tag": r.query_param("tag"),
            "uri_params": r.uri_params().map(|p| p.iter().map(|(k, v)| (k.to_owned(), json!(v))).collect::<serde_json::Map<_, _>>()),
            "x_multi": r.headers().get_all("x-multi").collect::<Vec<_>>(),
            "x_multi_get": r.headers().get("X-MULTI"),
            "raw_body": String::from_utf8_lossy(r.raw_body()),
            "context_path": r.context()["path"],
            "resource_path": r.context()["resourcePath"],
            "source_ip": r.context()["identity"]["sourceIp"],
            "stage": r.context()["stage"],
            "has_request_id": r.context()["requestId"].as_str().is_some_and(|id| id.len() == 36),
            "stage_vars": r.stage_vars().is_some(),
            "lambda_function": r.lambda_context().map(|c| c.function_name.clone()),
        }))
    };
    app.register(
        Route::new("/fields/{a}/{b}", everything)
            .methods(["GET", "POST", "PUT", "DELETE", "PATCH"])
            .content_types(Vec::<String>::new()),
    );
    app.register(
        Route::new("/plain", everything)
            .methods(["GET", "POST"])
            .content_types(Vec::<String>::new()),
    );
    app.register(
        Route::new(
            "/json",
            |r: &Request| -> Result<Json<Value>, chalice::ChaliceError> {
                Ok(Json(json!({"json_body": r.json_body()?})))
            },
        )
        .methods(["POST"])
        .content_types(Vec::<String>::new()),
    );
    app.register(Route::new("/dict", |r: &Request| Json(r.to_dict())).methods(["GET"]));
    app.register(
        Route::new("/event", |r: &Request| Json(r.to_original_event()))
            .methods(["POST"])
            .content_types(Vec::<String>::new()),
    );
    Client::new(app)
}

#[test]
fn query_params_are_multi_valued_or_absent() {
    let client = client();
    // (target, query_params, last "tag")
    let cases: &[(&str, Value, Value)] = &[
        ("/plain", Value::Null, Value::Null),
        ("/plain?", Value::Null, Value::Null),
        ("/plain?tag=a", json!({"tag": ["a"]}), json!("a")),
        (
            "/plain?tag=a&tag=b&x=1",
            json!({"tag": ["a", "b"], "x": ["1"]}),
            json!("b"),
        ),
        (
            "/plain?q=a+b%20c&flag",
            json!({"q": ["a b c"], "flag": [""]}),
            Value::Null,
        ),
        (
            "/plain?%E2%9C%93=%F0%9F%91%8D",
            json!({"✓": ["👍"]}),
            Value::Null,
        ),
        ("/plain?bad=%zz", json!({"bad": ["%zz"]}), Value::Null),
    ];
    for (target, query, tag) in cases {
        let seen = client.http().get(target).send().json();
        assert_eq!(&seen["query_params"], query, "{target}");
        assert_eq!(&seen["last_tag"], tag, "{target}");
    }
}

#[test]
fn uri_params_path_and_method() {
    let client = client();
    let cases: &[(&str, &str, Value)] = &[
        ("GET", "/fields/1/2", json!({"a": "1", "b": "2"})),
        // As API Gateway passes them: still percent-encoded (tests/captures.rs has more).
        (
            "POST",
            "/fields/x%20y/caf%C3%A9",
            json!({"a": "x%20y", "b": "caf%C3%A9"}),
        ),
        ("PUT", "/fields/a%2Fb/c/", json!({"a": "a%2Fb", "b": "c"})),
        ("DELETE", "/fields/+/-", json!({"a": "+", "b": "-"})),
    ];
    for (method, target, params) in cases {
        let seen = client
            .http()
            .request(method.parse().expect("method"), target)
            .send()
            .json();
        assert_eq!(&seen["uri_params"], params, "{target}");
        assert_eq!(seen["method"], *method);
        assert_eq!(seen["path"], "/fields/{a}/{b}");
        assert_eq!(seen["resource_path"], "/fields/{a}/{b}");
        assert_eq!(
            seen["context_path"],
            format!("/api{target}"),
            "requestContext.path is the path as sent, after the stage (tests/context.rs has more)"
        );
    }
    let seen = client.http().get("/plain").send().json();
    assert_eq!(
        seen["uri_params"],
        Value::Null,
        "no captures: None, as API Gateway's pathParameters"
    );
}

#[test]
fn headers_are_case_insensitive_and_multi_valued() {
    let seen = client()
        .http()
        .get("/plain")
        .header("X-Multi", "one")
        .header("x-multi", "two")
        .send()
        .json();
    assert_eq!(seen["x_multi"], json!(["one", "two"]));
    assert_eq!(seen["x_multi_get"], "two");
}

#[test]
fn body_context_and_lambda_context() {
    let seen = client().http().post("/plain").body("raw ✓").send().json();
    assert_eq!(seen["raw_body"], "raw ✓");
    assert_eq!(seen["source_ip"], "127.0.0.1");
    assert_eq!(seen["stage"], "api");
    assert_eq!(seen["has_request_id"], true);
    assert_eq!(seen["stage_vars"], false);
    assert_eq!(seen["lambda_function"], "fields-dev");
}

#[test]
fn json_body_is_lazy_and_chalice_compatible() {
    let client = client();
    // (content type, body, status, response)
    let cases: &[(Option<&str>, &str, u16, Value)] = &[
        (
            Some("application/json"),
            r#"{"a":[1,2]}"#,
            200,
            json!({"json_body": {"a": [1, 2]}}),
        ),
        (
            Some("application/json; charset=utf-8"),
            "3",
            200,
            json!({"json_body": 3}),
        ),
        (
            Some("application/json"),
            "{nope",
            400,
            json!({"Code": "BadRequestError", "Message": "Error Parsing JSON"}),
        ),
        (
            Some("application/json"),
            "",
            400,
            json!({"Code": "BadRequestError", "Message": "Error Parsing JSON"}),
        ),
        (Some("text/plain"), "{nope", 200, json!({"json_body": null})),
        (None, r#"{"a":1}"#, 200, json!({"json_body": null})),
    ];
    for (content_type, body, status, expected) in cases {
        let mut request = client.http().post("/json").body(*body);
        if let Some(ct) = content_type {
            request = request.header("Content-Type", ct);
        }
        let response = request.send();
        assert_eq!(
            (response.status_code, response.json()),
            (*status, expected.clone()),
            "{content_type:?} {body:?}"
        );
    }
}

#[test]
fn to_dict_has_chalice_keys() {
    let dict = client()
        .http()
        .get("/dict?x=1&x=2")
        .header("X-A", "b")
        .send()
        .json();
    let keys: Vec<&str> = dict
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "query_params",
            "headers",
            "uri_params",
            "method",
            "context",
            "stage_vars",
            "path"
        ]
    );
    assert_eq!(dict["query_params"], json!({"x": "2"}));
    assert_eq!(dict["headers"]["x-a"], "b");
    assert_eq!(dict["path"], "/dict");
}

#[test]
fn original_event_is_a_rest_api_proxy_event() {
    let event = client()
        .http()
        .post("/event?k=v&k=w")
        .header("X-A", "1")
        .body(vec![0xffu8, 0xfe])
        .send()
        .json();
    assert_eq!(event["resource"], "/event");
    assert_eq!(event["path"], "/event");
    assert_eq!(event["httpMethod"], "POST");
    assert_eq!(
        event["multiValueQueryStringParameters"],
        json!({"k": ["v", "w"]})
    );
    assert_eq!(event["queryStringParameters"], json!({"k": "w"}));
    assert_eq!(event["headers"]["x-a"], "1");
    assert_eq!(event["isBase64Encoded"], true);
    assert_eq!(event["body"], "//4=");
    assert_eq!(event["requestContext"]["resourcePath"], "/event");
}
