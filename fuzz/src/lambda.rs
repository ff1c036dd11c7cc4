//! Lambda events: API Gateway proxy events (REST v1, HTTP API v2) and authorizer events.

use chalice_core::LambdaContext;
use serde_json::Value;

use crate::app::app;
use crate::block_on;

/// Feeds `data` to `handle_event` as an API Gateway event. An answer must be a well-formed
/// proxy response (`statusCode` 100–599, string `body`, `headers` object, boolean
/// `isBase64Encoded`), never a 5xx (the app's views do not fail); a refusal must name the
/// problem.
pub fn lambda_event(data: &[u8]) {
    let answer = block_on(chalice_lambda::handle_event(
        app(),
        data,
        LambdaContext::default(),
    ));
    let bytes = match answer {
        Ok(bytes) => bytes,
        Err(error) => return check_refusal(error.message()),
    };
    let response: Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("the response is not JSON ({e}): {bytes:?}"));
    let status = response["statusCode"].as_u64().unwrap_or_default();
    assert!(
        (100..500).contains(&status),
        "statusCode {status}: {response}"
    );
    assert!(response["body"].is_string(), "body: {response}");
    assert!(response["headers"].is_object(), "headers: {response}");
    assert!(
        response["isBase64Encoded"].is_boolean(),
        "isBase64Encoded: {response}"
    );
}

/// Feeds `data` to `handle_authorizer_event` for the app's built-in authorizer `auth`. A
/// policy must name a principal and hold statements; a refusal must name the problem.
pub fn authorizer_event(data: &[u8]) {
    let policy = match block_on(chalice_lambda::handle_authorizer_event(app(), "auth", data)) {
        Ok(bytes) => bytes,
        Err(error) => return check_refusal(error.message()),
    };
    let policy: Value = serde_json::from_slice(&policy)
        .unwrap_or_else(|e| panic!("the policy is not JSON ({e}): {policy:?}"));
    assert!(policy["principalId"].is_string(), "principalId: {policy}");
    assert!(
        policy["policyDocument"]["Statement"].is_array(),
        "Statement: {policy}"
    );
}

/// A refusal must say what was wrong. (Whether it hides a panic cannot be read from its
/// text, which may quote the event: libFuzzer found one quoting "panicked". A panic that
/// escapes fails the target by itself, and one turned into an answer shows as a 5xx.)
fn check_refusal(message: &str) {
    assert!(!message.is_empty(), "a refusal without a message");
}
