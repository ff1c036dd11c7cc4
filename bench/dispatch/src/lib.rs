//! What the dispatch benches run: one API Gateway event in, its response JSON out, for each
//! side, plus the floor (parsing the event alone).
//!
//! - **ours**: [`chalice_lambda::handle_event`], what our Runtime API loop does per event.
//! - **lambda_http + axum**: what `lambda_http::run(router)` does per event, step by step:
//!   lambda_runtime's `serde_path_to_error` pass into [`LambdaRequest`], lambda_http's
//!   `Adapter` (→ `http::Request` with the Lambda context, the axum router, →
//!   `LambdaResponse`), and lambda_runtime's `serde_json::to_vec` of the response.
//! - **floor**: serde into borrowed typed structs (`&str` fields, `Cow` where escapes may
//!   be), nothing else: the least any adapter can do with the event.
//!
//! Each side is checked once (a 200 with the expected body) before it is timed.

use std::borrow::Cow;
use std::sync::Arc;

use chalice_core::LambdaContext;
use lambda_http::request::LambdaRequest;
use lambda_http::tower::{Service, ServiceExt};
use lambda_http::{Adapter, Context, LambdaEvent};
use serde::Deserialize;

mod floor;

pub use crate::floor::{FloorV1, FloorV2};

/// The benchmark's events: (name, bytes, expected response body).
pub const EVENTS: [(&str, &str, Expected); 4] = [
    (
        "v1_get_user",
        include_str!("../../fixtures/v1-get-user.json"),
        Expected::User,
    ),
    (
        "v1_post_echo",
        include_str!("../../fixtures/v1-post-echo.json"),
        Expected::Echo,
    ),
    (
        "v2_get_user",
        include_str!("../../fixtures/v2-get-user.json"),
        Expected::User,
    ),
    (
        "v2_post_echo",
        include_str!("../../fixtures/v2-post-echo.json"),
        Expected::Echo,
    ),
];

/// The 1 KB JSON body of the echo events.
pub const BODY_1K: &str = include_str!("../../fixtures/body-1k.json");

/// What a response body must be.
#[derive(Debug, Clone, Copy)]
pub enum Expected {
    /// `{"name":"bob"}`
    User,
    /// The 1 KB body, as JSON.
    Echo,
}

/// The function configuration Lambda gives every invocation (what lambda_runtime reads from
/// `AWS_LAMBDA_FUNCTION_*` once per process).
struct Function {
    arn: String,
    name: String,
    version: String,
    log_group: String,
    log_stream: String,
}

fn function() -> Function {
    Function {
        arn: "arn:aws:lambda:us-east-1:123456789012:function:bench".to_owned(),
        name: "bench".to_owned(),
        version: "$LATEST".to_owned(),
        log_group: "/aws/lambda/bench".to_owned(),
        log_stream: "2024/01/01/[$LATEST]0123456789abcdef".to_owned(),
    }
}

const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
const DEADLINE_MS: u64 = 1_900_000_000_000;

/// Our side: the benchmark app and a current-thread runtime, as our Lambda bootstrap has.
pub struct Ours {
    app: chalice::Chalice,
    runtime: tokio::runtime::Runtime,
    /// The function's configuration, read once, as `chalice_lambda::run` reads it.
    context: LambdaContext,
}

impl Ours {
    /// The benchmark app, checked.
    pub fn new() -> Self {
        let app = bench_ours::app();
        app.check().expect("the benchmark app is valid");
        let f = function();
        let mut context = LambdaContext::new(String::new(), 0);
        context.function_name = f.name.into();
        context.function_version = f.version.into();
        context.memory_limit_in_mb = 128;
        context.log_group_name = f.log_group.into();
        context.log_stream_name = f.log_stream.into();
        context.invoked_function_arn = f.arn;
        Ours {
            app,
            runtime: current_thread(),
            context,
        }
    }

    /// One event → response JSON. The context is built per event as `chalice_lambda::run`
    /// builds it: the request id and the invoked ARN (a header of each invocation) copied
    /// in, the function's constant strings shared.
    pub fn dispatch(&self, event: &[u8]) -> Vec<u8> {
        let mut context = self.context.clone();
        context.aws_request_id = REQUEST_ID.to_owned();
        context.deadline_ms = DEADLINE_MS;
        self.runtime
            .block_on(chalice_lambda::handle_event(&self.app, event, context))
            .expect("an API Gateway event")
    }
}

impl Default for Ours {
    fn default() -> Self {
        Self::new()
    }
}

/// The peer: lambda_http 1.x's adapter around the same app written with axum 0.8.
pub struct LambdaHttpAxum {
    adapter: Adapter<'static, axum::response::Response, axum::Router>,
    runtime: tokio::runtime::Runtime,
    config: Arc<lambda_http::lambda_runtime::Config>,
    arn: String,
}

impl LambdaHttpAxum {
    /// The axum router inside lambda_http's adapter, as `lambda_http::run(router)` builds it.
    pub fn new() -> Self {
        ignore_stage_in_path();
        let f = function();
        let config = lambda_http::lambda_runtime::Config {
            function_name: f.name,
            memory: 128,
            version: f.version,
            log_stream: f.log_stream,
            log_group: f.log_group,
        };
        LambdaHttpAxum {
            adapter: Adapter::from(peer_axum::router()),
            runtime: current_thread(),
            config: Arc::new(config),
            arn: f.arn,
        }
    }

    /// One event → response JSON, as lambda_runtime and lambda_http do it per invocation.
    pub fn dispatch(&mut self, event: &[u8]) -> Vec<u8> {
        // lambda_runtime's `deserializer::deserialize`.
        let request: LambdaRequest =
            serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(event))
                .expect("an API Gateway event");
        // lambda_runtime's `Context::new`: the invocation's headers plus the shared config.
        let mut context = Context::default();
        context.request_id = REQUEST_ID.to_owned();
        context.deadline = DEADLINE_MS;
        context.invoked_function_arn.clone_from(&self.arn);
        context.env_config = Arc::clone(&self.config);
        let adapter = &mut self.adapter;
        let response = self.runtime.block_on(async move {
            let service = adapter.ready().await.expect("axum is always ready");
            service
                .call(LambdaEvent::new(request, context))
                .await
                .expect("axum is infallible")
        });
        // lambda_runtime's `EventCompletionRequest`.
        serde_json::to_vec(&response).expect("a LambdaResponse serializes")
    }
}

impl Default for LambdaHttpAxum {
    fn default() -> Self {
        Self::new()
    }
}

/// lambda_http puts a REST API's stage in front of the path (`/testStage/users/bob`) unless
/// `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH` is set, which is what its users set to route on
/// the path as API Gateway matched it (ours strips the stage itself). It reads the variable
/// per event, so it is set for the whole process, once.
fn ignore_stage_in_path() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: set once, before the peer handles its first event; no other thread of the
    // bench reads or writes the environment meanwhile.
    ONCE.call_once(|| unsafe { std::env::set_var("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true") });
}

/// The floor for one event: the parse alone, into the struct of its payload version (known
/// per bench, so no detection pass is counted). Returns something of the parse so the
/// optimizer keeps it.
pub fn floor(event: &str) -> usize {
    if event.starts_with(r#"{"version":"2.0""#) {
        let parsed: FloorV2<'_> = serde_json::from_str(event).expect("a v2 event");
        parsed.weight()
    } else {
        let parsed: FloorV1<'_> = serde_json::from_str(event).expect("a v1 event");
        parsed.weight()
    }
}

/// Checks a response: status 200 and the expected body.
pub fn check(side: &str, event: &str, response: &[u8], expected: Expected) {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer<'a> {
        status_code: u16,
        #[serde(borrow)]
        body: Cow<'a, str>,
    }
    let answer: Answer<'_> = serde_json::from_slice(response)
        .unwrap_or_else(|e| panic!("{side}, {event}: not a response ({e}): {}", show(response)));
    assert_eq!(
        answer.status_code,
        200,
        "{side}, {event}: {}",
        show(response)
    );
    let body: serde_json::Value = serde_json::from_str(&answer.body).expect("a JSON body");
    let want: serde_json::Value = match expected {
        Expected::User => serde_json::json!({"name": "bob"}),
        Expected::Echo => serde_json::from_str(BODY_1K).expect("the body is JSON"),
    };
    assert_eq!(body, want, "{side}, {event}");
}

fn show(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_side_answers_every_event() {
        let ours = Ours::new();
        let mut theirs = LambdaHttpAxum::new();
        for (name, event, expected) in EVENTS {
            check("ours", name, &ours.dispatch(event.as_bytes()), expected);
            check(
                "lambda_http",
                name,
                &theirs.dispatch(event.as_bytes()),
                expected,
            );
            assert!(floor(event) > 0, "{name}");
        }
    }
}
