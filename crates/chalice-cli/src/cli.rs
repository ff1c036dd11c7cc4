//! The command line: every command, its flags, and `--help` for each (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Serverless REST APIs on AWS Lambda + API Gateway, in Rust: create, run and package chalice
/// apps.
#[derive(Debug, Parser)]
#[command(name = "chalice", version, propagate_version = true)]
pub(crate) struct Cli {
    /// The project's directory (default: the current one).
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) project_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a new project: a cargo crate with a hello-world app and .chalice/config.json.
    NewProject(NewProject),
    /// Build the app and serve it locally, rebuilding when its source changes.
    Local(Local),
    /// Build a Lambda deployment package and a SAM / CloudFormation or Terraform template.
    Package(Package),
    /// Print the API's Swagger 2.0 (OpenAPI) document, as API Gateway receives it.
    #[command(alias = "openapi")]
    GenerateModels(GenerateModels),
    /// Deploy the app to AWS: its role, functions and REST API; prints the API's URL.
    Deploy(Deploy),
    /// Delete everything a deploy of the stage created, then its state file.
    Delete(Delete),
    /// Print the URL of the stage's deployed REST API.
    Url(Url),
    /// Print the log lines of a deployed function.
    Logs(Logs),
    /// Invoke a deployed function with a payload from stdin (or --payload); print its answer.
    Invoke(Invoke),
    /// Print the IAM policy a deploy attaches to the functions' role.
    GenPolicy(GenPolicy),
}

#[derive(Debug, Args)]
pub(crate) struct Deploy {
    /// The stage to deploy.
    #[arg(long, default_value = "dev")]
    pub(crate) stage: String,
    /// The AWS profile whose credentials and region to use (default: the standard chain).
    #[arg(long, value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// Print the plan, change nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Print the plan or the result as JSON on stdout.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct Delete {
    /// The stage to delete.
    #[arg(long, default_value = "dev")]
    pub(crate) stage: String,
    /// The AWS profile whose credentials and region to use (default: the standard chain).
    #[arg(long, value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct Url {
    /// The stage whose URL to print.
    #[arg(long, default_value = "dev")]
    pub(crate) stage: String,
}

#[derive(Debug, Args)]
pub(crate) struct Logs {
    /// The function: `api_handler` (default) or a built-in authorizer's name.
    #[arg(short = 'n', long, default_value = "api_handler")]
    pub(crate) name: String,
    /// Only lines since then: a duration back from now (`30s`, `5m`, `2h`, `1d`) or a time
    /// (`2024-05-01T12:00:00Z`, `2024-05-01`).
    #[arg(short = 's', long, value_name = "WHEN")]
    pub(crate) since: Option<String>,
    /// Keep printing new lines as they arrive (polls every 5 s; Ctrl-C stops).
    #[arg(short = 'f', long)]
    pub(crate) follow: bool,
    /// Also print Lambda's own START, END and REPORT lines.
    #[arg(long)]
    pub(crate) include_lambda_messages: bool,
    /// The stage of the function.
    #[arg(long, default_value = "dev")]
    pub(crate) stage: String,
    /// The AWS profile whose credentials and region to use (default: the standard chain).
    #[arg(long, value_name = "NAME")]
    pub(crate) profile: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct Invoke {
    /// The function: `api_handler` (default) or a built-in authorizer's name.
    #[arg(short = 'n', long, default_value = "api_handler")]
    pub(crate) name: String,
    /// The payload (JSON); without it, stdin is read.
    #[arg(long, value_name = "JSON")]
    pub(crate) payload: Option<String>,
    /// The stage of the function.
    #[arg(long, default_value = "dev")]
    pub(crate) stage: String,
    /// The AWS profile whose credentials and region to use (default: the standard chain).
    #[arg(long, value_name = "NAME")]
    pub(crate) profile: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct GenPolicy {
    /// The stage whose policy to print.
    #[arg(long, default_value = "dev")]
    pub(crate) stage: String,
}

#[derive(Debug, Args)]
pub(crate) struct NewProject {
    /// The project's name: the directory, the crate and the app are named after it.
    pub(crate) name: String,
    /// Depend on the chalice crate at this path instead of the checkout this CLI was built from.
    #[arg(long, value_name = "PATH", conflicts_with = "chalice_version")]
    pub(crate) chalice_path: Option<PathBuf>,
    /// Depend on this published version of the chalice crate (from crates.io).
    #[arg(long, value_name = "VERSION")]
    pub(crate) chalice_version: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct Local {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub(crate) host: String,
    /// The port to listen on.
    #[arg(long, default_value_t = 8000)]
    pub(crate) port: u16,
    /// The stage whose configuration (environment variables) the app runs with.
    #[arg(long, default_value = "dev")]
    pub(crate) stage: String,
    /// Do not rebuild and restart when the source changes.
    #[arg(long)]
    pub(crate) no_autoreload: bool,
}

#[derive(Debug, Args)]
pub(crate) struct Package {
    /// The directory to write the deployment package and template to.
    pub(crate) out: PathBuf,
    /// The stage whose configuration to package.
    #[arg(long, default_value = "dev")]
    pub(crate) stage: String,
    /// The kind of template.
    #[arg(long, value_enum, default_value_t = PkgFormat::Cloudformation)]
    pub(crate) pkg_format: PkgFormat,
    /// The template's format (CloudFormation only; Terraform is always JSON).
    #[arg(long, value_enum, default_value_t = TemplateFormat::Json)]
    pub(crate) template_format: TemplateFormat,
    /// A JSON or YAML template to merge into the generated one (CloudFormation only).
    #[arg(long, value_name = "FILE")]
    pub(crate) merge_template: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PkgFormat {
    /// A SAM template (`sam.json` / `sam.yaml`) for CloudFormation.
    Cloudformation,
    /// A Terraform configuration (`chalice.tf.json`).
    Terraform,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TemplateFormat {
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

#[derive(Debug, Args)]
pub(crate) struct GenerateModels {
    /// The stage whose configuration to use.
    #[arg(long, default_value = "dev")]
    pub(crate) stage: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_has_help() {
        let mut cli = Cli::command();
        for command in cli.get_subcommands_mut() {
            let help = command.render_long_help().to_string();
            assert!(help.contains("Usage:"), "{}: {help}", command.get_name());
            assert!(
                command.get_about().is_some(),
                "{} has no description",
                command.get_name()
            );
        }
    }
}
