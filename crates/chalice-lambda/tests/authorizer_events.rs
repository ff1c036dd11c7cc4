//! Built-in authorizers' own invocations: API Gateway's TOKEN and REQUEST events in, IAM
//! policies (or the failures API Gateway expects) out.

use chalice_core::{AuthRequest, AuthResponse, AuthRoute, Chalice, ChaliceError};
use serde_json::{Value, json};

fn app() -> Chalice {
    let mut app = Chalice::new("auth");
    app.authorizer("echo", |request: &AuthRequest| {
        if request.token.is_empty() {
            return Err(ChaliceError::unauthorized("no token"));
        }
        Ok(AuthResponse::new(request.token.clone())
            .route(AuthRoute::new("/users/{id}", ["GET", "PUT"]))
            .context("type", request.auth_type.clone())
            .context(
                "q",
                request
                    .query_params
                    .as_ref()
                    .and_then(|q| q.get("q"))
                    .unwrap_or("-"),
            )
            .context(
                "id",
                request
                    .uri_params
                    .as_ref()
                    .and_then(|p| p.get("id"))
                    .unwrap_or("-"),
            ))
    });
    app
}

fn run(name: &str, event: &Value) -> Result<Value, chalice_lambda::EventError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let app = app();
    runtime
        .block_on(chalice_lambda::handle_authorizer_event(
            &app,
            name,
            event.to_string().as_bytes(),
        ))
        .map(|bytes| serde_json::from_slice(&bytes).expect("policy JSON"))
}

const ARN: &str = "arn:aws:execute-api:eu-west-1:111122223333:a1b2c3/prod/GET/users/7";

#[test]
fn token_and_request_events_become_policies() {
    let policy = run(
        "echo",
        &json!({"type": "TOKEN", "authorizationToken": "t-1", "methodArn": ARN}),
    )
    .expect("a policy");
    assert_eq!(policy["principalId"], "t-1");
    assert_eq!(
        policy["policyDocument"]["Statement"][0]["Resource"],
        json!([
            "arn:aws:execute-api:eu-west-1:111122223333:a1b2c3/prod/GET/users/*",
            "arn:aws:execute-api:eu-west-1:111122223333:a1b2c3/prod/PUT/users/*"
        ])
    );
    assert_eq!(
        policy["context"],
        json!({"type": "TOKEN", "q": "-", "id": "-"})
    );

    let event = json!({
        "type": "REQUEST", "methodArn": ARN, "resource": "/users/{id}", "path": "/users/7",
        "httpMethod": "GET", "headers": {"authorization": "t-2"},
        "multiValueQueryStringParameters": {"q": ["a", "b"]}, "queryStringParameters": {"q": "b"},
        "pathParameters": {"id": "7"}, "stageVariables": null
    });
    let policy = run("echo", &event).expect("a policy");
    assert_eq!(policy["principalId"], "t-2");
    assert_eq!(
        policy["context"],
        json!({"type": "REQUEST", "q": "b", "id": "7"})
    );
}

#[test]
fn refusals_and_bad_events_fail_the_invocation_with_a_reason() {
    // (authorizer name, event, error type, message)
    let cases = [
        (
            "echo",
            json!({"type": "TOKEN", "authorizationToken": "", "methodArn": ARN}),
            "Chalice.Unauthorized",
            "Unauthorized".to_owned(),
        ),
        (
            "other",
            json!({"type": "TOKEN", "authorizationToken": "x", "methodArn": ARN}),
            "Chalice.InvalidEvent",
            "the app has no built-in authorizer \"other\" (it has \"echo\")".to_owned(),
        ),
        (
            "echo",
            json!({"version": "2.0", "routeKey": "GET /"}),
            "Chalice.InvalidEvent",
            "not an API Gateway authorizer event (this function serves authorizer \"echo\"): missing field `type` at line 1 column 36".to_owned(),
        ),
    ];
    for (name, event, error_type, message) in cases {
        let error = run(name, &event).expect_err("a failed invocation");
        assert_eq!(
            (error.error_type(), error.message()),
            (error_type, message.as_str()),
            "{event}"
        );
    }
}
