//! The deployer behind `chalice deploy` and `delete` (and the AWS side of `logs` and
//! `invoke`): the only code that uses the AWS SDK.
//!
//! A deploy flows one way, each stage a value the next takes as it is (Chalice's deployer
//! is built the same way; we add resumable state and skip what did not change):
//!
//! ```text
//! manifest + stage config + zip + API document
//!     → graph   (graph.rs: the resources the stage should have, no AWS call)
//!     → refresh (refresh.rs: the state file checked against AWS, read calls only)
//!     → plan    (plan.rs: create / update / delete steps, values; `--dry-run` prints it)
//!     → execute (execute.rs: the only code that changes AWS; saves the state after each step)
//!     → state   (state.rs: `.chalice/deployed/<stage>.json`)
//! ```
//!
//! A new kind of resource (an event source, a WebSocket API) is a variant of
//! `graph::Resource` with its spec, of `state::Record`, of `step::Step` with its planner,
//! and the executor's calls for it; the pipeline stays as it is. Each file imports only
//! the stages below its own (state ← graph ← step ← plan ← execute), so a resource that
//! has a part in each stage is a folder of one file per stage (`events/`, `websocket/`:
//! record or spec, plan, run), each part next to the stage it serves.

pub(crate) mod aws;
pub(crate) mod errors;
pub(crate) mod events;
pub(crate) mod execute;
pub(crate) mod graph;
mod hash;
pub(crate) mod plan;
#[cfg(test)]
mod plan_tests;
pub(crate) mod progress;
pub(crate) mod refresh;
pub(crate) mod state;
mod step;
pub(crate) mod time;
mod url;
pub(crate) mod websocket;

use anyhow::Context;

/// A runtime for the SDK's futures: the CLI makes one call at a time.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
