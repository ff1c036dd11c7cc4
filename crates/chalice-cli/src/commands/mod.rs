//! What each `chalice` command does, given its options. The binary turns the command line
//! into these options and prints what they return; everything else happens here.
//!
//! The commands that reach AWS (`deploy`, `delete`, `logs`, `invoke`) work over the
//! deployer in `crate::deploy`; `url` and `gen-policy` need no AWS call. [`planned`] says
//! what to use instead of the Chalice commands not here yet.

pub mod deploy;
pub mod gen_policy;
pub mod generate_models;
pub mod invoke;
pub mod local;
pub mod logs;
pub mod new_project;
pub mod package;
pub mod planned;
pub mod url;
