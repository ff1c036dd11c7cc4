//! Fuzz targets of chalice for Rust, one function per target: each takes arbitrary bytes,
//! feeds them to the real code, and panics when an invariant breaks (a panic inside the code
//! under test is a finding too).
//!
//! | target | feeds the bytes to | checks |
//! |---|---|---|
//! | [`lambda_event`] | `chalice_lambda::handle_event`, as a REST (v1) or HTTP API (v2) event | an answer is a well-formed API Gateway response; a refusal names the problem |
//! | [`authorizer_event`] | `chalice_lambda::handle_authorizer_event` (TOKEN and REQUEST events) | a policy has a principal and statements; a refusal names the problem |
//! | [`local_request`] | the local server's connection handling, as the bytes a client sends | the server writes HTTP/1.x responses only, never a 5xx, and finishes |
//! | [`route_definitions`] | route definitions (`METHODS /path` lines) and the local router | a checked app routes every static route to its view; mistakes are reported, not panicked on |
//! | [`config_json`] | `.chalice/config.json`, read by the CLI, every stage resolved | mistakes are reported naming the file, not panicked on |
//!
//! Two ways to run them, both on stable Rust:
//!
//! - `cargo test -p chalice-fuzz` (part of the workspace's tests): every seed in `fuzz/seeds/`
//!   and a few thousand inputs mutated from them, per target, in seconds ([`short_run`]);
//! - `fuzz/run TARGET` for the long, coverage-guided run with libFuzzer (see
//!   `docs/fuzzing.md`).

mod app;
mod config;
mod lambda;
mod local;
mod mutate;
mod routes;

pub use crate::config::config_json;
pub use crate::lambda::{authorizer_event, lambda_event};
pub use crate::local::local_request;
pub use crate::mutate::{ShortRun, short_run};
pub use crate::routes::route_definitions;

use std::sync::OnceLock;

/// The runtime every target runs its futures on: one thread, timers on (the local server's
/// deadlines need them).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .expect("a current-thread runtime builds")
        })
        .block_on(future)
}
