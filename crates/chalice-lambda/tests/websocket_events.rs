//! Real API Gateway WebSocket events through `handle_websocket_event`: what each handler
//! sees, the answer API Gateway gets, and events that are not WebSocket events.

mod common;

use std::sync::{Arc, Mutex};

use chalice_core::{Chalice, ChaliceError, LambdaContext, WebsocketEvent};
use common::{fixture, fixture_bytes, patch, unset};
use serde_json::{Value, json};

/// An app whose every WebSocket handler records what it saw, as JSON; the `fail` route
/// fails with an unhandled error.
fn recording(seen: &Arc<Mutex<Vec<Value>>>) -> Chalice {
    let mut app = Chalice::new("ws");
    let record = |seen: &Arc<Mutex<Vec<Value>>>| {
        let seen = Arc::clone(seen);
        move |event: WebsocketEvent| {
            seen.lock().expect("not poisoned").push(json!({
                "connection_id": event.connection_id,
                "domain_name": event.domain_name,
                "stage": event.stage,
                "route_key": event.route_key,
                "event_type": event.event_type.as_str(),
                "body": event.body_text(),
                "binary": event.body.is_binary(),
                "bytes": event.body.as_bytes().len(),
                "x_api_key": event.headers.get("x-api-key"),
                "query": event.query_params.as_ref().and_then(|q| q.get("room")),
                "source_ip": event.source_ip(),
                "request_id": event.request_id(),
                "function": event.context.function_name,
                "endpoint": event.endpoint(),
            }));
        }
    };
    app.on_ws_connect(record(seen));
    app.on_ws_message(record(seen));
    app.on_ws_disconnect(record(seen));
    app.on_ws_route("action", record(seen)).name("on_action");
    app.on_ws_route("fail", |_: WebsocketEvent| -> Result<(), ChaliceError> {
        Err(ChaliceError::unhandled(std::io::Error::other("disk full")))
    })
    .name("fail");
    app
}

fn run(app: &Chalice, event: &[u8]) -> Result<Value, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let mut context = LambdaContext::new("req-1", 0);
    context.function_name = "ws-dev-handler".into();
    runtime
        .block_on(chalice_lambda::handle_websocket_event(app, event, context))
        .map(|answer| serde_json::from_slice(&answer).expect("JSON"))
        .map_err(|error| format!("{}: {error}", error.error_type()))
}

#[test]
fn captured_events_reach_their_handler() {
    // (fixture, what the handler saw)
    let cases = [
        (
            "example-apigw-websocket-request-without-method.json",
            json!({
                "connection_id": "asdfasdf=", "domain_name": "asdfasdf.execute-api.us-west-2.amazonaws.com",
                "stage": "dev", "route_key": "$connect", "event_type": "CONNECT", "body": "",
                "binary": false, "bytes": 0, "x_api_key": "asdfasdf", "query": null,
                "source_ip": "10.0.0.13", "request_id": "asdf=", "function": "ws-dev-handler",
                "endpoint": "https://asdfasdf.execute-api.us-west-2.amazonaws.com/dev",
            }),
        ),
        (
            "websocket-message-live.json",
            json!({
                "connection_id": "Kf2bOdYwywMCEkQ=", "domain_name": "st9ayyxbo0.execute-api.ap-southeast-2.amazonaws.com",
                "stage": "Prod", "route_key": "action", "event_type": "MESSAGE",
                "body": r#"{"action":"action","data":{"move":"e4"}}"#, "binary": false, "bytes": 40,
                "x_api_key": null, "query": null, "source_ip": "122.109.158.61",
                "request_id": "Kf2dGGnuywMFdFA=", "function": "ws-dev-handler",
                "endpoint": "https://st9ayyxbo0.execute-api.ap-southeast-2.amazonaws.com/Prod",
            }),
        ),
        (
            "example-apigw-websocket-request-disconnect-route.json",
            json!({
                "connection_id": "AAAA1234=", "domain_name": "abcd1234.execute-api.us-east-1.amazonaws.com",
                "stage": "prod", "route_key": "$disconnect", "event_type": "DISCONNECT", "body": "",
                "binary": false, "bytes": 0, "x_api_key": "", "query": null, "source_ip": "192.0.2.1",
                "request_id": "ABCD1234=", "function": "ws-dev-handler",
                "endpoint": "https://abcd1234.execute-api.us-east-1.amazonaws.com/prod",
            }),
        ),
    ];
    for (name, expected) in cases {
        let seen = Arc::default();
        let app = recording(&seen);
        assert_eq!(
            run(&app, &fixture_bytes(name)),
            Ok(json!({"statusCode": 200})),
            "{name}"
        );
        assert_eq!(
            seen.lock().expect("not poisoned").as_slice(),
            [expected],
            "{name}"
        );
    }
}

#[test]
fn quirks_of_the_event_are_read_as_api_gateway_means_them() {
    // (quirk, fields patched into the captured message, what the handler saw: pointer, JSON)
    let cases: &[(&str, &[(&str, Value)], &[(&str, Value)])] = &[
        (
            "a binary frame arrives base64-encoded",
            &[
                ("body", json!("AJ+Slg==")),
                ("isBase64Encoded", json!(true)),
            ],
            &[
                ("/binary", json!(true)),
                ("/bytes", json!(4)),
                ("/body", Value::Null),
            ],
        ),
        (
            "query parameters of the upgrade: the multi-valued form wins",
            &[
                ("queryStringParameters", json!({"room": "b"})),
                (
                    "multiValueQueryStringParameters",
                    json!({"room": ["a", "c"]}),
                ),
            ],
            &[("/query", json!("c"))],
        ),
        (
            "a single-valued query alone",
            &[("queryStringParameters", json!({"room": "lobby"}))],
            &[("/query", json!("lobby"))],
        ),
    ];
    for (quirk, patches, expected) in cases {
        let mut event = fixture("websocket-message-live.json");
        for (pointer, value) in *patches {
            patch(&mut event, pointer, value.clone());
        }
        let seen = Arc::default();
        let app = recording(&seen);
        assert_eq!(
            run(&app, event.to_string().as_bytes()),
            Ok(json!({"statusCode": 200})),
            "{quirk}"
        );
        let seen = seen.lock().expect("not poisoned");
        for (pointer, value) in *expected {
            assert_eq!(seen[0].pointer(pointer), Some(value), "{quirk}: {pointer}");
        }
    }
}

#[test]
fn bad_events_fail_the_invocation_and_errors_answer_without_leaking() {
    let message = || fixture("websocket-message-live.json");
    let without = |pointer: &str| {
        let mut event = message();
        unset(&mut event, pointer);
        event.to_string().into_bytes()
    };
    let with = |pointer: &str, value: Value| {
        let mut event = message();
        patch(&mut event, pointer, value);
        event.to_string().into_bytes()
    };
    // (case, event, the answer or the invocation's error)
    let cases: Vec<(&str, Vec<u8>, Result<Value, String>)> = vec![
        (
            "not JSON",
            b"hello".to_vec(),
            Err("Chalice.InvalidEvent: the event is not an API Gateway WebSocket event: expected value at line 1 column 1".into()),
        ),
        (
            "an HTTP API event",
            fixture_bytes("example-apigw-v2-request-no-authorizer.json"),
            Err("Chalice.InvalidEvent: the event is not an API Gateway WebSocket event: requestContext.eventType is missing; not an API Gateway WebSocket event".into()),
        ),
        (
            "no connection id",
            without("requestContext/connectionId"),
            Err("Chalice.InvalidEvent: the event is not an API Gateway WebSocket event: requestContext.connectionId is missing; not an API Gateway WebSocket event".into()),
        ),
        (
            "an event type API Gateway does not send",
            with("requestContext/eventType", json!("PING")),
            Err("Chalice.InvalidEvent: the event is not an API Gateway WebSocket event: requestContext.eventType is \"PING\", not CONNECT, MESSAGE or DISCONNECT; not an API Gateway WebSocket event".into()),
        ),
        (
            "a stage that is not text",
            with("requestContext/stage", json!(5)),
            Err("Chalice.InvalidEvent: the event is not an API Gateway WebSocket event: requestContext.stage is not a string: 5; not an API Gateway WebSocket event".into()),
        ),
        (
            "a base64 body that is not base64",
            {
                let mut event = message();
                patch(&mut event, "isBase64Encoded", json!(true));
                patch(&mut event, "body", json!("%%%"));
                event.to_string().into_bytes()
            },
            Err("Chalice.InvalidEvent: the event is not an API Gateway WebSocket event: the body is not valid base64: Invalid symbol 37, offset 0.".into()),
        ),
        (
            "an unhandled error: a 500 that hides it",
            with("requestContext/routeKey", json!("fail")),
            Ok(json!({"statusCode": 500, "body": r#"{"Code":"InternalServerError","Message":"An internal server error occurred."}"#})),
        ),
        (
            "a route key the app does not have",
            with("requestContext/routeKey", json!("dance")),
            Ok(json!({"statusCode": 500, "body": r#"{"Code":"InternalServerError","Message":"An internal server error occurred."}"#})),
        ),
    ];
    for (case, event, expected) in cases {
        let seen = Arc::default();
        let app = recording(&seen);
        assert_eq!(run(&app, &event), expected, "{case}");
    }

    // With debug on, the body says why.
    let seen = Arc::default();
    let mut app = recording(&seen);
    app.set_debug(true);
    let answer = run(&app, &with("requestContext/routeKey", json!("fail"))).expect("an answer");
    assert_eq!(answer["statusCode"], 500);
    assert!(
        answer["body"]
            .as_str()
            .is_some_and(|body| body.starts_with("disk full")),
        "{answer}"
    );
}

#[test]
fn a_connect_handler_chooses_the_subprotocol_in_its_answer() {
    // The captured $connect event, offering subprotocols as a browser does.
    let mut event: Value = fixture("example-apigw-websocket-request-without-method.json");
    event["headers"]["Sec-WebSocket-Protocol"] = json!("chat.v1, chat.v2");
    event["multiValueHeaders"]["Sec-WebSocket-Protocol"] = json!(["chat.v1, chat.v2"]);
    let event = serde_json::to_vec(&event).expect("JSON");
    // (what the handler returns, the answer API Gateway gets)
    let cases: Vec<(Option<&str>, Value)> = vec![
        (
            Some("chat.v2"),
            json!({"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": "chat.v2"}}),
        ),
        (None, json!({"statusCode": 200})),
    ];
    for (choice, expected) in cases {
        let mut app = Chalice::new("ws");
        app.on_ws_connect(move |event: WebsocketEvent| {
            let offered = event
                .headers
                .get("sec-websocket-protocol")
                .unwrap_or_default();
            assert_eq!(offered, "chat.v1, chat.v2");
            match choice {
                Some(protocol) => {
                    chalice_core::WebsocketConnectResponse::new().subprotocol(protocol)
                }
                None => chalice_core::WebsocketConnectResponse::new(),
            }
        });
        assert_eq!(run(&app, &event), Ok(expected), "{choice:?}");
    }
}
