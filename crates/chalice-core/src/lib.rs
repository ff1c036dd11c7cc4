//! The I/O-free core of chalice for Rust.
//!
//! Everything here is a pure function of its inputs: the app and its routes, requests and
//! responses, errors, dispatch, CORS, media types, the current request, and the emulation
//! of what API Gateway does in front of Lambda. No socket, file, clock or environment
//! variable is read in this crate. Most users depend on the `chalice` crate, which
//! re-exports this one and runs apps.
//!
//! What apps use is at the crate's root. What only the front doors use (the local server,
//! the Lambda runtime, the test client) is in [`adapter`]: each routes a request once, by
//! template on Lambda or by concrete path through the gateway emulation, builds a
//! [`Request`] for the route it found, and lets the one dispatch answer it.
//!
//! ```text
//!  local server ─┬─► adapter::Gateway ─► RouteMatch::by_path ─┐
//!  test client ──┘   (API Gateway's 403, 413, preflight, authorizers, API keys)
//!  Lambda event ───────────────────────► RouteMatch::by_template ─► RouteMatch::handle ─► Response
//!          (middleware → 405 → 415 → view → error handlers → errors → CORS → binary gate)
//! ```
//!
//! ```
//! use std::sync::Arc;
//! use chalice_core::adapter::{Gateway, HttpRequest};
//! use chalice_core::{Chalice, ChaliceError, Json, Method, Request, Route};
//! use serde_json::{json, Value};
//!
//! fn user(request: &Request) -> Result<Json<Value>, ChaliceError> {
//!     let name = request.uri_param("name").unwrap_or_default();
//!     if name == "nobody" {
//!         return Err(ChaliceError::not_found("No such user: nobody"));
//!     }
//!     Ok(Json(json!({"name": name})))
//! }
//!
//! let mut app = Chalice::new("users");
//! app.register(Route::new("/users/{name}", user).methods(["GET", "PUT"]));
//! app.check().expect("a valid app");
//!
//! let gateway = Gateway::new(Arc::new(app));
//! # let block_on = chalice_core::__private::block_on;
//! let response = block_on(gateway.handle(HttpRequest::new(Method::GET, "/users/nobody")));
//! assert_eq!(response.status_code, 404);
//! assert_eq!(response.body, r#"{"Code":"NotFoundError","Message":"No such user: nobody"}"#);
//! ```

mod app;
mod auth;
mod blueprint;
mod civil;
mod cors;
mod current;
mod definition_error;
mod dispatch;
mod env;
mod error;
mod error_handler;
mod events;
mod gateway;
mod handoff;
mod headers;
mod in_view;
mod lambda_context;
mod log;
mod manifest;
mod media;
mod middleware;
mod panic;
mod params;
mod request;
mod response;
mod route;
mod router;
mod routing;
mod slot;
mod state;
mod view;
mod websocket;

pub mod adapter;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use crate::app::{ApiConfig, Chalice};
pub use crate::auth::{
    AuthRequest, AuthResponse, AuthRoute, AuthorizerFn, AuthorizerRef, ChaliceAuthorizer,
    CognitoUserPoolAuthorizer, CustomAuthorizer, IamAuthorizer,
};
#[doc(hidden)]
pub use crate::auth::{ErasedAuthorizer, markers as auth_markers};
pub use crate::blueprint::{Blueprint, BlueprintOptions};
pub use crate::cors::CorsConfig;
pub use crate::current::{current_request, log};
pub use crate::definition_error::{
    DefinitionError, DefinitionErrorKind, DefinitionErrors, ViewSite,
};
pub use crate::env::env_var;
pub use crate::error::{ChaliceError, ErrorKind};
pub use crate::events::{
    BatchHandler, BatchItemFailure, BatchItemFailures, BatchOutput, CloudWatchEvent, Cron,
    DynamoDbEvent, DynamoDbRecord, Event, EventHandler, EventMiddlewareFn, EventNext, EventOutput,
    FunctionHandler, FunctionOutput, InvokeError, KinesisEvent, KinesisRecord, LambdaFunction,
    LambdaFunctionEvent, OnCwEvent, OnDynamoDbRecord, OnKinesisRecord, OnS3Event, OnSchedule,
    OnSnsMessage, OnSqsMessage, Rate, RateUnit, S3Event, S3Record, Schedule, ScheduleExpression,
    SnsEvent, SnsMessageAttribute, SnsRecord, SqsEvent, SqsMessageAttribute, SqsQueue, SqsRecord,
    plain_json,
};
#[doc(hidden)]
pub use crate::events::{
    ErasedEventMiddleware, ErasedHandler, FromEvent, HandlerFuture, event_markers,
};
pub use crate::headers::{Headers, InvalidHeader};
pub use crate::lambda_context::LambdaContext;
pub use crate::log::Logger;
pub use crate::media::DEFAULT_BINARY_TYPES;
pub use crate::middleware::{EventType, MiddlewareFn, Next};
pub use crate::params::{MultiDict, Params};
pub use crate::request::{Request, RequestBuilder};
pub use crate::response::{IntoBody, IntoResponse, Json, Response};
pub use crate::route::{Route, RouteInfo};
pub use crate::state::State;
pub use crate::view::View;
#[doc(hidden)]
pub use crate::view::{ErasedView, markers};
pub use crate::websocket::{
    ConnectionInfo, OnWsRoute, WebsocketApi, WebsocketConnectResponse, WebsocketDisconnected,
    WebsocketError, WebsocketEvent, WebsocketEventType, WebsocketMessage, WebsocketResponse,
    websocket_api,
};

pub use bytes::Bytes;
/// The wire contract with the CLI, which [`Chalice::manifest`] speaks.
pub use chalice_manifest::{
    AuthorizerKind, AuthorizerManifest, CorsManifest, EventSource, FunctionManifest, HANDLER_ENV,
    INVOKE_ARG, MANIFEST_ARG, MANIFEST_VERSION, Manifest, RouteManifest, StartingPosition,
    WEBSOCKET_ENDPOINT_ENV, WebsocketManifest, WebsocketRouteManifest,
};
pub use chalice_path::PathError;
pub use http::Method;
pub use tracing::Level;

/// The README's examples, compiled and run as doctests so they cannot go stale.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
