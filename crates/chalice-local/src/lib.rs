//! The local development server of chalice for Rust.
//!
//! A real HTTP/1.1 server (hyper) that turns each request into the [`HttpRequest`] API
//! Gateway would receive and answers it through [`Gateway`]: the same routing, the same
//! 403s and preflights, the same dispatch as on Lambda. One log line per request, of target
//! [`REQUEST_TARGET`].
//!
//! It bounds what any one client can hold ([`Limits`]): the time to send a request, the
//! connections open at once, the size of a request's head (API Gateway's 10,240 bytes) and
//! body (10 MB), the memory all bodies in flight take together, and it refuses heads a
//! strict HTTP/1.1 server refuses. It routes (and checks authorizers, API keys and the
//! content type) on a request's head, and reads a body only for a request that reaches the
//! app.
//!
//! The app's other functions run here too: each `schedule` handler on its schedule (a rate
//! counted from the server's start, cron expressions in UTC), and `POST /_chalice/invoke/NAME`
//! ([`INVOKE_PREFIX`]) delivers the request's body as an event to the function `NAME` (an S3
//! notification to an `on_s3_event` handler, ...), answering its JSON (`200`), or Lambda's
//! `{"errorType", "errorMessage"}` with `404` for an unknown name, `400` for an event its
//! source does not send, `500` for the handler's error.
//!
//! An app with WebSocket handlers has its WebSocket API on the same port: a request with
//! `Upgrade: websocket` on `/` (or [`WEBSOCKET_PATH`]) opens a connection, which runs the
//! `$connect` handler (its error refuses the upgrade), each message's route handler, and
//! `$disconnect`, with the events API Gateway sends. `websocket_api()` reaches the
//! connections from any of the app's code, and other programs reach them through the local
//! `@connections` ([`CONNECTIONS_PREFIX`]). Messages are limited as API Gateway limits them,
//! and each connection's outgoing queue is bounded: a client that stops reading is
//! disconnected rather than held in memory.
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//! use chalice_core::Chalice;
//! use chalice_core::adapter::Gateway;
//! use chalice_local::{Limits, Server};
//!
//! # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
//! let mut app = Chalice::new("app");
//! app.route("/", || "hello");
//! let server = Server::bind("127.0.0.1:8000".parse()?, Gateway::new(Arc::new(app)))
//!     .await?
//!     .limits(Limits::new().request_timeout(Duration::from_secs(10)));
//! server.serve().await?; // until Ctrl-C
//! # Ok(())
//! # }
//! ```
//!
//! How a connection is served: `server` accepts it (within the connection limit) and hands
//! it to hyper through `wire`, which scans every byte read (`framing`: where requests begin
//! and end, bare LFs) and bounds every wait on the client; `service` answers each request:
//! the gateway decides on its head ([`Gateway::admit`]), and only then is its body read,
//! within the server's `budget` for bodies in flight.
//!
//! [`HttpRequest`]: chalice_core::adapter::HttpRequest
//! [`Gateway`]: chalice_core::adapter::Gateway
//! [`Gateway::admit`]: chalice_core::adapter::Gateway::admit

mod budget;
mod connection;
mod framing;
mod function;
mod functions;
mod limits;
mod reserved;
mod server;
mod service;
mod shutdown;
mod websocket;
mod wire;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
#[path = "fuzzing.rs"]
pub mod __fuzz;

pub use crate::function::LocalFunction;
pub use crate::functions::{INVOKE_PREFIX, spawn_schedules};
pub use crate::limits::Limits;
pub use crate::server::{BindError, Server};
pub use crate::shutdown::Stopped;
pub use crate::websocket::{CONNECTIONS_PREFIX, WEBSOCKET_PATH};

/// The `tracing` target of the server's one line per request (`GET /users/bob 200 0.182ms`,
/// an `INFO` event): filter on it to send those lines elsewhere or nowhere.
pub const REQUEST_TARGET: &str = "chalice::request";

/// The README's examples, compiled and run as doctests so they cannot go stale.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
