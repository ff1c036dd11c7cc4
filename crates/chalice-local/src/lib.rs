//! The local development server of chalice for Rust.
//!
//! A real HTTP/1.1 server (hyper) that turns each request into the [`HttpRequest`] API
//! Gateway would receive and answers it through [`Gateway`]: the same routing, the same
//! 403s and preflights, the same dispatch as on Lambda. One log line per request.
//!
//! ```no_run
//! use std::sync::Arc;
//! use chalice_core::{Chalice, Gateway};
//! use chalice_local::Server;
//!
//! # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
//! let mut app = Chalice::new("app");
//! app.route("/", || "hello");
//! let server = Server::bind("127.0.0.1:8000".parse()?, Gateway::new(Arc::new(app))).await?;
//! server.serve().await?; // until Ctrl-C
//! # Ok(())
//! # }
//! ```
//!
//! [`HttpRequest`]: chalice_core::HttpRequest
//! [`Gateway`]: chalice_core::Gateway

mod function;
mod server;

pub use crate::function::LocalFunction;
pub use crate::server::{BindError, Server};

/// The README's examples, compiled and run as doctests so they cannot go stale.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
