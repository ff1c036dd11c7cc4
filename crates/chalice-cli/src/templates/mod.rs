//! The documents `chalice package` and `chalice generate-models` write, each a pure function
//! of the app's [manifest](chalice_manifest::Manifest) and the stage's
//! [configuration](crate::config::StageConfig).
//!
//! ```text
//!   sam ──────────┐        terraform
//!    │  merge     ├──► openapi (the API document both embed)
//!    │  yaml      │        │
//!    └────────────┴────────┴──► functions, policy, literal (what they all share)
//! ```
//!
//! - [`openapi`]: the API as an OpenAPI document with API Gateway's extensions;
//! - [`sam`]: the SAM / CloudFormation template, written as JSON or [`yaml`], with the
//!   user's template [`merge`]d in;
//! - [`terraform`]: the Terraform configuration;
//! - [`websocket`]: the WebSocket API, in both;
//! - [`domain`]: the APIs' custom domains, in both;
//! - [`functions`] (the Lambda functions and their names in each template), [`policy`] (the
//!   IAM documents) and [`literal`] (text that templating languages must not interpret),
//!   which all of them use.

pub mod domain;
pub mod functions;
pub mod literal;
pub mod merge;
pub mod openapi;
pub mod policy;
pub mod sam;
pub mod terraform;
pub mod websocket;
pub mod yaml;
