//! A small app served through the Lambda Runtime API; the end-to-end test runs it against a
//! fake Runtime API (`tests/runtime_api.rs`).
//!
//! It is an ordinary chalice app: `chalice::run(app)` sees `AWS_LAMBDA_RUNTIME_API` and
//! serves the Runtime API. Run with a Runtime API listening on 127.0.0.1:9001 (the Lambda runtime
//! interface emulator, say):
//!
//! ```text
//! AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001 AWS_LAMBDA_FUNCTION_NAME=lambda-app \
//! AWS_LAMBDA_FUNCTION_VERSION='$LATEST' AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128 \
//!     cargo run -p chalice --example lambda-app
//! ```
//!
//! With `LAMBDA_APP_BROKEN=1`, the app has a definition mistake and reports an init error
//! instead. With `CHALICE_HANDLER=token_auth`, it is the function of its built-in
//! authorizer and answers API Gateway's authorizer events. With `CHALICE_HANDLER=worker`,
//! it is the function of its SQS worker, which reports the messages whose body is `bad` as
//! failed; with `CHALICE_HANDLER=add`, its pure function, which sums a list of numbers.

use chalice::{
    AuthRequest, AuthResponse, BatchItemFailures, Chalice, ChaliceError, Json, Request, Route,
    SqsEvent,
};
use serde_json::{Value, json};

fn hello(request: &Request) -> Json<Value> {
    let context = request.lambda_context().cloned().unwrap_or_default();
    Json(json!({
        "hello": request.uri_param("name"),
        "request_id": context.aws_request_id,
        "deadline_ms": context.deadline_ms,
        "invoked_function_arn": context.invoked_function_arn,
        "function_name": context.function_name,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "xray_trace_id": context.xray_trace_id,
        // What the AWS SDKs read to carry the X-Ray trace into a view's calls.
        "trace_env": std::env::var("_X_AMZN_TRACE_ID").ok(),
    }))
}

/// Fails the messages whose body is `bad`; a body `crash` fails the whole batch.
fn worker(event: SqsEvent) -> Result<BatchItemFailures, ChaliceError> {
    if event.records.iter().any(|m| m.body == "crash") {
        return Err(ChaliceError::bad_request("a crash message"));
    }
    Ok(event
        .records
        .into_iter()
        .filter(|m| m.body == "bad")
        .map(|m| m.message_id)
        .collect())
}

fn add(numbers: Vec<i64>) -> Json<i64> {
    Json(numbers.into_iter().sum())
}

fn main() {
    let mut app = Chalice::new("lambda-app");
    app.route("/hello/{name}", hello);
    let auth = app.authorizer("token_auth", |request: &AuthRequest| {
        match request.token.as_str() {
            "allow" => Ok(AuthResponse::new("lambda-user")
                .routes(["/private"])
                .context("tier", "gold")),
            "fail" => Err(ChaliceError::unhandled(std::io::Error::other(
                "token store unreachable",
            ))),
            _ => Err(ChaliceError::unauthorized("unknown token")),
        }
    });
    app.register(Route::new("/private", || "secret").authorizer(&auth));
    app.route("/log", || {
        chalice::log().error("a line for CloudWatch");
        "logged"
    });
    app.on_sqs_message("jobs", worker);
    app.lambda_function(add);
    if std::env::var_os("LAMBDA_APP_BROKEN").is_some() {
        app.route("/broken/", || "a trailing slash is a definition mistake");
    }
    chalice::run(app);
}
