//! `chalice`: create, run, package and deploy chalice for Rust apps, as Chalice's CLI does
//! for Python ones.
//!
//! The CLI learns an app by running it: it builds the user's crate and runs the binary with
//! `--manifest`, which prints the app's routes and settings as JSON ([`chalice_core::Manifest`]);
//! everything it generates (Swagger, SAM, Terraform) is a pure function of that manifest and
//! the stage's `.chalice/config.json`.

mod bundle;
mod cli;
mod config;
mod deploy;
mod functions;
mod local;
mod merge;
mod models;
mod new_project;
mod output;
mod package;
mod policy;
mod project;
mod sam;
mod swagger;
#[cfg(test)]
mod template_tests;
mod terraform;
mod validate;
mod yaml;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::output::Output;
use crate::project::Project;

/// Exit status for usage and configuration errors, as Chalice's CLI uses.
const USAGE_ERROR: u8 = 2;

/// A mistake the user must fix in their input (configuration, arguments, the app's
/// definition): exit status 2 instead of 1.
#[derive(Debug)]
pub(crate) struct UsageError(pub(crate) String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(&error);
            let usage = error.downcast_ref::<UsageError>().is_some()
                || error.downcast_ref::<config::ConfigError>().is_some();
            if usage {
                ExitCode::from(USAGE_ERROR)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let output = Output::new();
    match cli.command {
        Command::NewProject(args) => {
            let parent = match cli.project_dir {
                Some(dir) => dir,
                None => std::env::current_dir()?,
            };
            new_project::new_project(&parent, &args, output)
        }
        Command::Local(args) => local::local(&Project::open(cli.project_dir)?, &args, output),
        Command::Package(args) => package::package(&Project::open(cli.project_dir)?, &args, output),
        Command::GenerateModels(args) => {
            models::generate_models(&Project::open(cli.project_dir)?, &args, output)
        }
        Command::Deploy(args) => deploy::deploy(&Project::open(cli.project_dir)?, &args, output),
        Command::Delete(args) => deploy::delete(&Project::open(cli.project_dir)?, &args, output),
        Command::Url(args) => deploy::url(&Project::open(cli.project_dir)?, &args),
        Command::Logs(args) => deploy::logs(&Project::open(cli.project_dir)?, &args),
        Command::Invoke(args) => deploy::invoke(&Project::open(cli.project_dir)?, &args),
        Command::GenPolicy(args) => deploy::gen_policy(&Project::open(cli.project_dir)?, &args),
    }
}

/// Prints an error and its causes, as cargo does.
#[allow(clippy::print_stderr)]
fn report(error: &anyhow::Error) {
    eprintln!("error: {error}");
    for cause in error.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
}
