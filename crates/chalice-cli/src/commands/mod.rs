//! What each `chalice` command does, given its options. The binary turns the command line
//! into these options and prints what they return; everything else happens here.
//!
//! The commands that reach AWS (`deploy`, `delete`, `url`, `logs`, `invoke`, `gen-policy`)
//! belong beside these, each over the deployer in `crate::deploy`; until they arrive,
//! [`planned`] says what to use instead.

pub mod generate_models;
pub mod local;
pub mod new_project;
pub mod package;
pub mod planned;
