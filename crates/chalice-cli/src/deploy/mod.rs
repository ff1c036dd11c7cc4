//! `chalice deploy` and the commands that work on what it deployed: `delete`, `url`,
//! `logs`, `invoke`, `gen-policy`.
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

mod aws;
mod command;
mod errors;
mod execute;
mod gen_policy;
mod graph;
mod invoke;
mod logs;
mod openapi3;
mod plan;
#[cfg(test)]
mod plan_tests;
mod progress;
mod refresh;
mod state;
mod time;
mod url;

pub(crate) use command::{delete, deploy};
pub(crate) use gen_policy::gen_policy;
pub(crate) use invoke::invoke;
pub(crate) use logs::logs;
pub(crate) use url::url;
