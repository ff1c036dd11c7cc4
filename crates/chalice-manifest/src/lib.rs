//! The wire contract between a chalice for Rust app and the `chalice` CLI.
//!
//! The CLI learns an app by running it rather than by reading its source: the app's binary,
//! started with [`MANIFEST_ARG`], prints a [`Manifest`] as JSON (its routes, their options,
//! its authorizers, CORS and binary types, and its other functions: event handlers with
//! their sources, pure functions), and the CLI turns that into an OpenAPI
//! document, SAM / CloudFormation, Terraform and AWS calls. Both sides depend on this crate
//! and on nothing else of each other: the CLI never links the runtime, and the app never
//! links the CLI's AWS SDK.
//!
//! ```text
//!  app binary (chalice-core)                          chalice CLI
//!  Chalice::manifest() ──► Manifest ──JSON on stdout──► Manifest ──► OpenAPI, SAM, Terraform
//!  reads HANDLER_ENV at init ◄────── set on each function by the templates / the deployer
//! ```
//!
//! Beside the manifest live the constants both sides must agree on ([`MANIFEST_VERSION`],
//! [`MANIFEST_ARG`], [`INVOKE_ARG`], [`HANDLER_ENV`]) and the one model of CORS headers
//! ([`CorsManifest`]), of authorizer kinds ([`AuthorizerKind`]) and of event sources
//! ([`EventSource`]) that the app's declarations convert into.
//!
//! ```
//! use chalice_manifest::{AuthorizerKind, AuthorizerManifest, CorsManifest, Manifest, RouteManifest};
//!
//! // What an app prints...
//! let mut manifest = Manifest::new("todo");
//! let mut route = RouteManifest::new("/todos", "POST", "add_todo");
//! route.cors = Some(CorsManifest::default());
//! route.authorizer = Some("token_auth".to_owned());
//! manifest.routes.push(route);
//! manifest
//!     .authorizers
//!     .push(AuthorizerManifest::new("token_auth", AuthorizerKind::builtin()));
//! let json = serde_json::to_string(&manifest).unwrap();
//!
//! // ...is what the CLI reads.
//! let read: Manifest = serde_json::from_str(&json).unwrap();
//! let route = &read.routes[0];
//! let auth = read.authorizer(route.authorizer.as_deref().unwrap()).unwrap();
//! assert_eq!(auth.kind.authorization_type(), "CUSTOM");
//! let preflight = route.cors.as_ref().unwrap().preflight_headers([route.method.as_str()]);
//! assert_eq!(preflight[0].1, "POST,OPTIONS");
//! ```

mod authorizer;
mod cors;
mod function;
mod manifest;
mod websocket;
mod wire;

pub use crate::authorizer::{
    AuthorizerKind, AuthorizerManifest, DEFAULT_TOKEN_HEADER, DEFAULT_TTL_SECONDS,
};
pub use crate::cors::{CorsManifest, REQUIRED_HEADERS};
pub use crate::function::{
    DEFAULT_EVENT_BUS, DEFAULT_S3_EVENTS, DEFAULT_SQS_BATCH_SIZE, DEFAULT_STREAM_BATCH_SIZE,
    EventSource, FunctionManifest, StartingPosition,
};
pub use crate::manifest::{Manifest, RouteManifest};
pub use crate::websocket::{
    CONNECT_HANDLER, CONNECT_ROUTE, DEFAULT_ROUTE, DEFAULT_ROUTE_SELECTION_EXPRESSION,
    DISCONNECT_HANDLER, DISCONNECT_ROUTE, MESSAGE_HANDLER, WebsocketManifest,
    WebsocketRouteManifest,
};
pub use crate::wire::{
    EXIT_WITH_STDIN_ENV, FUNCTION_ENV_VARS_ENV, HANDLER_ENV, INVOKE_ARG, LAMBDA_ONLY_ENV,
    MANIFEST_ARG, MANIFEST_VERSION, WEBSOCKET_ENDPOINT_ENV,
};

/// The README's examples, compiled and run as doctests so they cannot go stale.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
