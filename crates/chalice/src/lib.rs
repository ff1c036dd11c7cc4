//! chalice for Rust: serverless REST APIs on AWS Lambda + API Gateway, the way AWS Chalice
//! does them.
//!
//! One small `main.rs` declares an app and its routes; the same binary answers a local dev
//! server, the in-process [test client](test::Client) and Lambda invocations.
//!
//! ```no_run
//! use chalice::{Chalice, ChaliceError, Json, Request, Route};
//! use serde_json::{json, Value};
//!
//! fn main() {
//!     let mut app = Chalice::new("helloworld");
//!     app.route("/", index);
//!     app.register(Route::new("/users/{name}", user).methods(["GET", "PUT"]).cors(true));
//!     chalice::run(app); // local server on 127.0.0.1:8000, or Lambda when deployed
//! }
//!
//! fn index() -> Json<Value> {
//!     Json(json!({"hello": "world"}))
//! }
//!
//! fn user(request: &Request) -> Result<Json<Value>, ChaliceError> {
//!     let name = request.uri_param("name").unwrap_or_default();
//!     if request.method() == "PUT" {
//!         let body = request.json_body()?.ok_or_else(|| ChaliceError::bad_request("Expected JSON"))?;
//!         return Ok(Json(json!({"name": name, "saved": body})));
//!     }
//!     Ok(Json(json!({"name": name})))
//! }
//! ```
//!
//! How a request flows: an adapter (the local server, the Lambda runtime, the test client)
//! builds a [`Request`]; the app's one dispatch routes it, checks method and content type,
//! calls the view with the request current, turns errors into Chalice's JSON errors, adds
//! CORS headers and applies the binary rules; the adapter sends the [`Response`].

mod client;
mod events;
mod logging;
mod memory_backend;
mod mode;
mod run;
mod websocket;

pub use crate::run::run;
pub use chalice_core::{
    ApiConfig, AuthRequest, AuthResponse, AuthRoute, AuthorizerFn, AuthorizerRef, Blueprint,
    BlueprintOptions, Bytes, Chalice, ChaliceAuthorizer, ChaliceError, CognitoUserPoolAuthorizer,
    CorsConfig, CustomAuthorizer, DEFAULT_BINARY_TYPES, DefinitionError, DefinitionErrorKind,
    DefinitionErrors, ErrorKind, EventType, Headers, IamAuthorizer, IntoBody, IntoResponse,
    InvalidHeader, Json, LambdaContext, Level, Logger, Manifest, Method, MiddlewareFn, MultiDict,
    Next, Params, PathError, Request, RequestBuilder, Response, Route, RouteInfo, State, View,
    ViewSite, current_request, env_var, log,
};
/// Event handlers and pure functions: their events, answers and declarations.
pub use chalice_core::{
    BatchItemFailure, BatchItemFailures, CloudWatchEvent, Cron, DynamoDbEvent, DynamoDbRecord,
    Event, EventNext, InvokeError, KinesisEvent, KinesisRecord, LambdaFunctionEvent, Rate,
    RateUnit, S3Event, S3Record, Schedule, ScheduleExpression, SnsEvent, SnsMessageAttribute,
    SnsRecord, SqsEvent, SqsMessageAttribute, SqsQueue, SqsRecord, StartingPosition, plain_json,
};
/// WebSocket APIs: handlers' event, sending to connections from anywhere.
pub use chalice_core::{
    ConnectionInfo, OnWsRoute, WebsocketApi, WebsocketConnectResponse, WebsocketDisconnected,
    WebsocketError, WebsocketEvent, WebsocketEventType, WebsocketMessage, websocket_api,
};
pub use chalice_macros::route;

/// Testing an app without a server: Chalice's `chalice.test`.
pub mod test {
    pub use crate::client::{
        Client, HttpClient, InvokeResponse, LambdaClient, TestInvocation, TestRequest, TestResponse,
    };
    pub use crate::events::{DynamoDbChange, EventGenerator};
    pub use crate::websocket::{
        TestClose, TestConnect, TestMessage, TestWebsocket, TestWebsocketResponse, WebsocketClient,
        WebsocketRefused,
    };
}

/// Support for code `#[route]` generates. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use chalice_core::__private::*;
}

/// The README's examples, compiled and run as doctests so they cannot go stale.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
