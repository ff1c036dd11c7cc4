//! The `chalice` command as a library: create, run, package and deploy chalice for Rust apps, as
//! Chalice's CLI does for Python ones. The `chalice` binary is a thin layer over it: it
//! parses the command line into the options of a [command](commands) and prints what the
//! command returns.
//!
//! The CLI learns an app by running it: it builds the user's crate and runs the binary with
//! `--manifest`, which prints the app's routes and settings as JSON
//! ([`chalice_manifest::Manifest`]). Everything it generates ([templates]: an OpenAPI
//! document, SAM, Terraform) is a pure function of that manifest and the stage's
//! [configuration](config).
//!
//! ```text
//!  main.rs (clap) ─► commands ─┬─► project ─► cargo (build), app --manifest
//!                              ├─► config (.chalice/config.json) ─► StageConfig
//!                              ├─► validate (manifest × stage)
//!                              ├─► templates (openapi, sam, terraform)
//!                              ├─► bundle (deployment.zip)
//!                              └─► deploy (graph → refresh → plan → execute → state; AWS)
//! ```
//!
//! ```
//! use chalice_cli::config::Config;
//! use chalice_cli::templates::sam::sam_template;
//! use chalice_cli::templates::policy::Policies;
//! use chalice_manifest::{Manifest, RouteManifest};
//!
//! let config = Config::parse(".chalice/config.json".into(), r#"{"app_name": "hello"}"#)?;
//! let stage = config.stage("dev")?;
//! let mut manifest = Manifest::new("hello");
//! manifest.routes.push(RouteManifest::new("/", "GET", "index"));
//!
//! let policies = Policies::defaults(&stage, &[stage.api_handler()]);
//! let template = sam_template(&manifest, &stage, "./deployment.zip", &policies)?;
//! assert_eq!(template["Resources"]["APIHandler"]["Properties"]["Runtime"], "provided.al2023");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod bundle;
mod c_compiler;
pub mod cargo;
pub mod commands;
/// `.chalice/config.json`: the [`chalice_config`] crate, which the fuzz targets and tools
/// share without linking the CLI.
pub use chalice_config as config;
mod deploy;
mod error;
pub mod output;
pub mod project;
pub mod templates;
pub mod validate;

pub use crate::error::{BuildFailed, USAGE_ERROR, UsageError, exit_status};
pub use crate::output::Output;
pub use crate::project::Project;

/// The README's examples, compiled and run as doctests so they cannot go stale.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
