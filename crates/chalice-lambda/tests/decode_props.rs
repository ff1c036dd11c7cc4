//! Property tests: no input makes decoding panic, and every answer is a well-formed API
//! Gateway response.

mod common;

use chalice_core::{Chalice, LambdaContext};
use common::{block_on, echo_app, fixture};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn app() -> Chalice {
    echo_app(&[
        "/",
        "/users/{name}",
        "/users/{name}/posts/{id}",
        "/files/{path+}",
        "/my/path",
    ])
}

/// Runs an event through `handle_event`; on success, checks the response's shape.
fn check(app: &Chalice, event: &[u8]) -> Result<(), TestCaseError> {
    let Ok(bytes) = block_on(chalice_lambda::handle_event(
        app,
        event,
        LambdaContext::default(),
    )) else {
        return Ok(());
    };
    let response: Value = serde_json::from_slice(&bytes)
        .map_err(|e| TestCaseError::fail(format!("response is not JSON: {e}")))?;
    let status = response["statusCode"].as_u64().unwrap_or_default();
    prop_assert!(
        (100..=599).contains(&status),
        "statusCode {status} in {response}"
    );
    prop_assert!(response["body"].is_string(), "body in {response}");
    prop_assert!(
        response["isBase64Encoded"].is_boolean(),
        "isBase64Encoded in {response}"
    );
    prop_assert!(response["headers"].is_object(), "headers in {response}");
    Ok(())
}

/// Strings that mean something to an API Gateway event decoder.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("2.0".to_owned()),
        Just("1.0".to_owned()),
        Just("$default".to_owned()),
        Just("GET".to_owned()),
        Just("ANY /files/{path+}".to_owned()),
        Just("GET /users/{name}".to_owned()),
        Just("POST /nowhere/{x}".to_owned()),
        Just("/users/bob".to_owned()),
        Just("/api/files/a/b%2Fc".to_owned()),
        Just("/files/100% off+more".to_owned()),
        Just("/{proxy+}".to_owned()),
        Just("/users/{name".to_owned()),
        Just("a=1&a=2&b=%zz&c=%E2%9C%93+x".to_owned()),
        Just("AP9hYg==".to_owned()),
        Just("not base64!".to_owned()),
        Just("line\nbreak\u{0}".to_owned()),
        Just("api".to_owned()),
        "[ -~]{0,24}",
        "\\PC{0,16}",
    ]
}

/// Any JSON value, biased towards strings and small containers.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        3 => tricky_string().prop_map(Value::String),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(|n| json!(n)),
        1 => any::<f64>().prop_map(|n| json!(n)),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((field_name(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// The fields of both payload versions and of `requestContext`, and some others.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "version",
            "resource",
            "path",
            "httpMethod",
            "headers",
            "multiValueHeaders",
            "queryStringParameters",
            "multiValueQueryStringParameters",
            "pathParameters",
            "stageVariables",
            "requestContext",
            "body",
            "isBase64Encoded",
            "routeKey",
            "rawPath",
            "rawQueryString",
            "cookies",
            "stage",
            "resourcePath",
            "http",
            "method",
            "name",
            "path+",
            "Accept",
            "Content-Type",
            "cookie",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z]{1,8}",
    ]
}

/// An event-shaped object: top-level fields from both payloads with arbitrary values.
fn event_like() -> impl Strategy<Value = Value> {
    prop::collection::vec((field_name(), json_value()), 0..12)
        .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
}

/// A real sample with one field replaced by an arbitrary value.
fn mutated_fixture() -> impl Strategy<Value = Value> {
    let fixtures = prop::sample::select(vec![
        "example-apigw-request.json",
        "example-apigw-console-test-request.json",
        "example-apigw-v2-request-no-authorizer.json",
        "example-apigw-v2-request-jwt-authorizer.json",
        "example-apigw-sam-http-request.json",
    ]);
    (
        fixtures,
        field_name(),
        prop::option::of(field_name()),
        json_value(),
    )
        .prop_map(|(name, field, inner, value)| {
            let mut event = fixture(name);
            let target = match inner {
                Some(inner) => event
                    .as_object_mut()
                    .and_then(|o| o.get_mut(&field))
                    .and_then(Value::as_object_mut)
                    .map(|o| (o, inner)),
                None => None,
            };
            match target {
                Some((object, key)) => {
                    object.insert(key, value);
                }
                None => {
                    if let Some(object) = event.as_object_mut() {
                        object.insert(field, value);
                    }
                }
            }
            event
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check(&app(), &bytes)?;
    }

    #[test]
    fn json_of_any_shape_never_panics(value in json_value()) {
        check(&app(), value.to_string().as_bytes())?;
    }

    #[test]
    fn event_like_objects_never_panic(event in event_like()) {
        check(&app(), event.to_string().as_bytes())?;
    }

    #[test]
    fn mutated_samples_never_panic(event in mutated_fixture()) {
        check(&app(), event.to_string().as_bytes())?;
    }
}
