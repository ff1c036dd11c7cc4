//! chalice for Rust on AWS Lambda: API Gateway proxy events to [`chalice_core::Request`]s
//! and back, and the Lambda Runtime API loop.
//!
//! ```text
//!  Runtime API ──► body bytes ──► decode (one borrowed serde pass over them)
//!                                   │ route template → RouteMatch + Request
//!                                   ▼
//!  Runtime API ◄── response JSON ◄── encode ◄── RouteMatch::handle
//! ```
//!
//! REST API proxy events (payload 1.0) and HTTP API events (payload 2.0) are told apart by
//! their `version` field and answered in the same shape. API Gateway has already matched
//! the route, so the request is routed once, by the template the event names (`resource`,
//! `routeKey`), and dispatched to the route found; the concrete path, without the stage
//! prefix, is matched only for an HTTP API `$default` route or a template the app does not
//! know. Multi-valued headers and query parameters, cookies, base64 bodies and binary
//! responses follow API Gateway's rules.
//!
//! [`run`] serves an app on Lambda; [`handle_event`] answers one event without the Runtime
//! API, for tests and benchmarks:
//!
//! ```
//! # let block_on = |f| tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f);
//! use chalice_core::{Chalice, LambdaContext, Request};
//! use serde_json::{json, Value};
//!
//! let mut app = Chalice::new("app");
//! app.route("/whoami", |request: &Request| {
//!     let id = request.lambda_context().map(|c| c.aws_request_id.clone()).unwrap_or_default();
//!     chalice_core::Json(json!({"request_id": id}))
//! });
//!
//! let event = json!({
//!     "resource": "/whoami",
//!     "path": "/whoami",
//!     "httpMethod": "GET",
//!     "headers": {"Accept": "*/*"},
//!     "multiValueHeaders": {"Accept": ["*/*"]},
//!     "requestContext": {"resourcePath": "/whoami", "stage": "api"},
//!     "body": null,
//!     "isBase64Encoded": false
//! });
//! let context = LambdaContext::new("c6af9ac6-7b61-11e6-9a41-93e8deadbeef", 0);
//! let response = block_on(chalice_lambda::handle_event(&app, event.to_string().as_bytes(), context))?;
//! let response: Value = serde_json::from_slice(&response)?;
//! assert_eq!(response["statusCode"], 200);
//! assert_eq!(response["body"], r#"{"request_id":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors and bad events
//!
//! Nothing in an event panics or stops the process. An event that is not exactly one API
//! Gateway proxy event (not JSON, JSON followed by more text, another event source, a
//! required field missing or of the wrong type) fails its invocation with an [`EventError`]
//! (`Chalice.InvalidEvent`) naming the problem; a bad HTTP request inside a proper
//! event (invalid base64 body, impossible method) gets a 400 `BadRequestError`; a path no
//! route matches gets API Gateway's own answer (403 `Missing Authentication Token` for a
//! REST API, 404 `Not Found` for an HTTP API).
//!
//! # Speed
//!
//! [`run`] hands the decoder the bytes the Runtime API sent, as hyper received them. One
//! serde pass reads every field of both payload versions into a borrowed struct (and, as it
//! goes, checks the whole text's JSON syntax); header values, the body and `requestContext`
//! are slices of the event's buffer, not copies; `requestContext` stays raw JSON until a view
//! reads it; the event is kept as is for `to_original_event`, parsed only if called; the
//! route template is the app's shared `Arc<str>`; the response is written by serde from
//! borrowed views. `bench/README.md` has the figures.

mod authorizer;
#[cfg(feature = "websocket-api")]
mod connections;
mod decode;
mod encode;
mod error;
mod event;
mod function;
mod handle;
mod headers;
mod init_error;
mod runtime;
mod runtime_api;
mod scan;
#[cfg(feature = "websocket-api")]
mod sigv4;
mod websocket;
mod websocket_backend;

pub use crate::authorizer::handle_authorizer_event;
pub use crate::error::EventError;
pub use crate::function::handle_function_event;
pub use crate::handle::handle_event;
pub use crate::init_error::report_init_error;
pub use crate::runtime::run;
pub use crate::websocket::handle_websocket_event;

/// The README's examples, compiled and run as doctests so they cannot go stale.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
