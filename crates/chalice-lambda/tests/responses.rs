//! What goes back to API Gateway, what a view can reach, and what is refused.

mod common;

use chalice_core::{Chalice, Json, LambdaContext, Request, Response, Route};
use common::{block_on, body_json, fixture, fixture_bytes, patch, respond};
use serde_json::{Value, json};

const V1: &str = "example-apigw-request.json";
const V2: &str = "example-apigw-v2-request-no-authorizer.json";

/// The sample of `version` routed to `template` with a GET (and an `Accept` header, if any).
fn event_for(version: &str, template: &str, accept: Option<&str>) -> Value {
    let mut event = fixture(version);
    if version == V1 {
        patch(&mut event, "resource", json!(template));
        patch(&mut event, "httpMethod", json!("GET"));
        patch(&mut event, "pathParameters", Value::Null);
        patch(&mut event, "multiValueHeaders", json!({}));
        patch(&mut event, "headers", json!({}));
        if let Some(accept) = accept {
            patch(&mut event, "multiValueHeaders/Accept", json!([accept]));
        }
    } else {
        patch(&mut event, "routeKey", json!(format!("GET {template}")));
        patch(&mut event, "headers", json!({}));
        if let Some(accept) = accept {
            patch(&mut event, "headers/accept", json!(accept));
        }
    }
    event
}

fn cookies() -> Response {
    Response::new("ok")
        .header("Content-Type", "text/plain")
        .append_header("Set-Cookie", "a=1; Path=/")
        .append_header("Set-Cookie", "b=2; HttpOnly")
        .append_header("X-Repeated", "1")
        .append_header("X-Repeated", "2")
}

#[test]
fn set_cookie_and_repeated_headers_go_where_each_version_wants_them() {
    let mut app = Chalice::new("cookies");
    app.route("/cookies", cookies);
    // (version, expected response)
    let cases = [
        (
            V1,
            json!({
                "statusCode": 200,
                "headers": {"content-type": "text/plain"},
                "multiValueHeaders": {
                    "set-cookie": ["a=1; Path=/", "b=2; HttpOnly"],
                    "x-repeated": ["1", "2"],
                },
                "body": "ok",
                "isBase64Encoded": false,
            }),
        ),
        (
            V2,
            json!({
                "statusCode": 200,
                "headers": {"content-type": "text/plain", "x-repeated": "1, 2"},
                "cookies": ["a=1; Path=/", "b=2; HttpOnly"],
                "body": "ok",
                "isBase64Encoded": false,
            }),
        ),
    ];
    for (version, expected) in cases {
        let response = respond(&app, &event_for(version, "/cookies", None));
        assert_eq!(response, expected, "{version}");
    }
}

#[test]
fn binary_responses_are_base64_and_need_an_accept_header() {
    let mut app = Chalice::new("images");
    app.route("/logo.png", || {
        Response::new(vec![0x89u8, b'P', b'N', b'G']).header("Content-Type", "image/png")
    });
    // (version, Accept, status, body, isBase64Encoded)
    let refused = "{\"Code\":\"BadRequest\",\"Message\":\"Request did not specify an Accept header with \
                   image/png, The response has a Content-Type of image/png. If a response has a binary \
                   Content-Type then the request must specify an Accept header that matches.\"}";
    let cases = [
        (V1, Some("image/png"), 200, "iVBORw==", true),
        (V2, Some("image/png"), 200, "iVBORw==", true),
        (V1, Some("*/*"), 200, "iVBORw==", true),
        (V1, None, 400, refused, false),
        (V2, Some("text/html"), 400, refused, false),
    ];
    for (version, accept, status, body, is_base64) in cases {
        let response = respond(&app, &event_for(version, "/logo.png", accept));
        assert_eq!(response["statusCode"], status, "{version} {accept:?}");
        assert_eq!(response["body"], body, "{version} {accept:?}");
        assert_eq!(
            response["isBase64Encoded"], is_base64,
            "{version} {accept:?}"
        );
    }
}

#[test]
fn the_lambda_context_is_reachable_from_the_request() {
    let mut app = Chalice::new("context");
    app.route("/ctx", |request: &Request| {
        let context = request.lambda_context().cloned().unwrap_or_default();
        Json(json!({
            "aws_request_id": context.aws_request_id,
            "deadline_ms": context.deadline_ms,
            "invoked_function_arn": context.invoked_function_arn,
            "function_name": context.function_name,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "xray_trace_id": context.xray_trace_id,
        }))
    });
    let mut context = LambdaContext::new("8476a536-e9f4-11e8-9739-2dfe598c3fcd", 1_542_409_706_888);
    context.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:app".into();
    context.function_name = "app".into();
    context.memory_limit_in_mb = 128;
    context.xray_trace_id = Some("Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700".into());
    for version in [V1, V2] {
        let event = event_for(version, "/ctx", None).to_string();
        let response = block_on(chalice_lambda::handle_event(
            &app,
            event.as_bytes(),
            context.clone(),
        ))
        .expect("a response");
        let response: Value = serde_json::from_slice(&response).expect("JSON");
        assert_eq!(
            body_json(&response),
            json!({
                "aws_request_id": "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
                "deadline_ms": 1_542_409_706_888_u64,
                "invoked_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:app",
                "function_name": "app",
                "memory_limit_in_mb": 128,
                "xray_trace_id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700",
            }),
            "{version}"
        );
    }
}

#[test]
fn the_original_event_and_request_context_are_the_event_as_sent() {
    let mut app = Chalice::new("original");
    app.register(
        Route::new("/{proxy+}", |request: &Request| {
            Json(json!({
                "original": request.to_original_event(),
                "context": request.context(),
            }))
        })
        .methods(["GET", "POST"]),
    );
    for name in [V1, "example-apigw-v2-request-jwt-authorizer.json"] {
        let mut event = fixture(name);
        if name != V1 {
            patch(&mut event, "routeKey", json!("GET /{proxy+}"));
        }
        let seen = body_json(&respond(&app, &event));
        assert_eq!(seen["original"], event, "{name}");
        assert_eq!(seen["context"], event["requestContext"], "{name}");
    }
}

#[test]
fn events_that_are_not_api_gateway_proxy_events_fail_the_invocation() {
    let app = common::echo_app(&["/users/{name}"]);
    // (input, the error's message)
    let cases: &[(&[u8], &str)] = &[
        (b"", "the event is not JSON: EOF while parsing a value at line 1 column 0"),
        (
            &fixture_bytes("hostile-not-json.txt"),
            "the event is not JSON: expected value at line 1 column 1",
        ),
        (b"{\"a\": 1", "the event is not JSON: EOF while parsing an object at line 1 column 7"),
        (b"[1, 2]", "not an API Gateway proxy event: expected a JSON object, got an array"),
        (b"null", "not an API Gateway proxy event: expected a JSON object, got null"),
        (b"42", "not an API Gateway proxy event: expected a JSON object, got a number"),
        (
            &fixture_bytes("hostile-s3-event.json"),
            "not an API Gateway proxy event: it has neither \"httpMethod\" (REST API, payload 1.0) \
             nor \"version\": \"2.0\" (HTTP API, payload 2.0)",
        ),
        (
            &fixture_bytes("example-apigw-websocket-request-disconnect-route.json"),
            "not an API Gateway proxy event: it has neither \"httpMethod\" (REST API, payload 1.0) \
             nor \"version\": \"2.0\" (HTTP API, payload 2.0)",
        ),
        (
            br#"{"version": "0", "detail-type": "Scheduled Event"}"#,
            "not an API Gateway proxy event: payload version \"0\" is neither \"1.0\" (REST API) \
             nor \"2.0\" (HTTP API)",
        ),
        (
            br#"{"version": "1.0", "path": "/users/bob"}"#,
            "invalid API Gateway event (payload 1.0): missing field \"httpMethod\"",
        ),
        (
            br#"{"httpMethod": "GET"}"#,
            "invalid API Gateway event (payload 1.0): missing field \"resource\"",
        ),
        (
            &fixture_bytes("hostile-v2-without-method.json"),
            "invalid API Gateway event (payload 2.0): missing field \"requestContext.http.method\"",
        ),
        (
            br#"{"version": "2.0", "routeKey": "$default", "requestContext": {"http": {"method": "GET"}}}"#,
            "invalid API Gateway event (payload 2.0): missing field \"rawPath\"",
        ),
        (
            &fixture_bytes("hostile-wrong-types.json"),
            "invalid API Gateway event: invalid type: integer `42`, expected a string or a list \
             of strings for \"accept\" at line 5 column 26",
        ),
        (
            br#"{"httpMethod": "GET", "httpMethod": "POST", "resource": "/users/{name}"}"#,
            "invalid API Gateway event: duplicate field `httpMethod` at line 1 column 34",
        ),
        (
            br#"{"version": "2.0", "routeKey": "ANY /x", "requestContext": {"http": "GET"}}"#,
            "invalid API Gateway event: requestContext: invalid type: string \"GET\", expected \
             struct HttpFields at line 1 column 14",
        ),
        (
            br#"{"httpMethod": "GET", "resource": "/users/{name}", "body": "\ud800"}"#,
            "the event is not JSON: unexpected end of hex escape at line 1 column 67",
        ),
    ];
    for (input, message) in cases {
        let error = block_on(chalice_lambda::handle_event(
            &app,
            input,
            LambdaContext::default(),
        ))
        .map(|r| String::from_utf8_lossy(&r).into_owned())
        .expect_err(&String::from_utf8_lossy(input));
        assert_eq!(
            error.message(),
            *message,
            "{}",
            String::from_utf8_lossy(input)
        );
    }
}

/// Regression: `http::HeaderMap` panics past 32,768 entries unless filled with its `try_`
/// methods.
#[test]
fn an_event_with_more_headers_than_a_header_map_holds_does_not_panic() {
    let app = common::echo_app(&["/{proxy+}"]);
    let mut event = fixture(V1);
    let many: serde_json::Map<String, Value> = (0..40_000)
        .map(|i| (format!("x-h{i}"), json!([i.to_string(), "again"])))
        .collect();
    patch(&mut event, "multiValueHeaders", Value::Object(many));
    let response = respond(&app, &event);
    assert_eq!(response["statusCode"], 200);
}
