//! For adapters: what a front door (the local server, the Lambda runtime, the test client)
//! needs to hand requests to an app. Apps and their tests never name anything here; they
//! use [`Chalice`](crate::Chalice) and the `chalice` crate's test client.
//!
//! An adapter routes each request once, with [`RouteMatch::by_template`] (Lambda: API
//! Gateway names the route) or [`RouteMatch::by_path`] (a concrete path), builds a
//! [`Request`](crate::Request) for the route it found, and answers it with
//! [`RouteMatch::handle`]. The local server and the test client do all of that through
//! [`Gateway`], which first does what API Gateway does in front of Lambda (on the request's
//! head alone, with [`Gateway::admit`], for an adapter that reads bodies itself); the Lambda
//! adapter needs only API Gateway's answer for a route it does not have
//! ([`missing_authentication_token`]).
//!
//! A panicking view is answered 500 either way; [`install_panic_hook`], which adapters that
//! own their process call once, adds the panic's location to the error the app logs and keeps
//! the panic out of stderr. The core has no global side effects of its own.

pub use crate::civil::civil_from_days;
pub use crate::env::{EnvVars, with_env_vars};
pub use crate::events::scheduled_event;
pub use crate::gateway::{
    Admission, Admitted, Gateway, HttpRequest, MAX_BODY_BYTES, missing_authentication_token,
    payload_too_large,
};
pub use crate::headers::HeaderSource;
pub use crate::panic::install_hook as install_panic_hook;
pub use crate::routing::RouteMatch;
pub use crate::slot::WithSlot;
pub use crate::websocket::{
    BackendFuture, WebsocketBackend, WebsocketConnection, install_websocket_backend,
    websocket_gateway_message, with_websocket_backend,
};
