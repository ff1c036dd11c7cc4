//! `chalice`: the command line over the `chalice_cli` library. Argument parsing (clap) and
//! output live here; what each command does is in `chalice_cli::commands`.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chalice_cli::commands::deploy::{DeleteOptions, DeployOptions};
use chalice_cli::commands::invoke::InvokeOptions;
use chalice_cli::commands::local::LocalOptions;
use chalice_cli::commands::logs::LogsOptions;
use chalice_cli::commands::new_project::NewProjectOptions;
use chalice_cli::commands::package::{PackageFormat, PackageOptions, TemplateFormat};
use chalice_cli::commands::planned::Planned;
use chalice_cli::commands::{
    deploy, gen_policy, generate_models, invoke, local, logs, new_project, package, url,
};
use chalice_cli::output::{ColorChoice, Verbosity};
use chalice_cli::{Output, Project, exit_status};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use serde::Serialize;

/// Serverless REST APIs on AWS Lambda + API Gateway, in Rust: create, run, package and
/// deploy chalice apps.
#[derive(Debug, Parser)]
#[command(name = "chalice", version, propagate_version = true)]
struct Cli {
    /// The project's directory (default: the current one).
    #[arg(long, global = true, value_name = "DIR")]
    project_dir: Option<PathBuf>,

    /// When to colour the output.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = Color::Auto)]
    color: Color,

    /// Print no status lines (warnings and errors still).
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,

    /// Print the commands the CLI runs, too.
    #[arg(long, short, global = true)]
    verbose: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new project: a cargo crate with a hello-world app and .chalice/config.json.
    NewProject(NewProjectArgs),
    /// Build the app and serve it locally, rebuilding when its source changes.
    Local(LocalArgs),
    /// Build a Lambda deployment package and a SAM / CloudFormation or Terraform template.
    Package(PackageArgs),
    /// Print the API's OpenAPI document, as API Gateway receives it.
    #[command(visible_alias = "openapi")]
    GenerateModels(GenerateModelsArgs),

    /// Deploy the app to AWS: its role, functions and API; prints the API's URL.
    Deploy(DeployArgs),
    /// Delete everything a deploy of the stage created, then its state file.
    Delete(DeleteArgs),
    /// Print the URL of the stage's deployed API (--websocket: its WebSocket API's wss:// URL).
    Url(UrlArgs),
    /// Print the log lines of a deployed function.
    Logs(LogsArgs),
    /// Invoke a deployed function (or, with --local, the app's own binary) with a payload from
    /// stdin (or --payload); print its answer.
    Invoke(InvokeArgs),
    /// Print the IAM policy a deploy puts on the functions' role.
    GenPolicy(StageArgs),

    // Chalice's commands that are not here yet: hidden, and each says what to use instead.
    /// Not available yet.
    #[command(hide = true, disable_help_flag = true)]
    GenerateSdk(PlannedArgs),
}

/// Whatever Chalice's command would take: accepted, so that its answer is what to use
/// instead rather than an argument error.
#[derive(Debug, Args)]
struct PlannedArgs {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    _args: Vec<OsString>,
}

#[derive(Debug, Args)]
struct DeployArgs {
    /// The stage to deploy.
    #[arg(long, default_value = "dev")]
    stage: String,
    /// The AWS profile whose credentials and region to use (default: the standard chain).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Print the plan, change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the plan or the result as JSON on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct DeleteArgs {
    /// The stage to delete.
    #[arg(long, default_value = "dev")]
    stage: String,
    /// The AWS profile whose credentials and region to use (default: the standard chain).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct StageArgs {
    /// The stage.
    #[arg(long, default_value = "dev")]
    stage: String,
}

#[derive(Debug, Args)]
struct UrlArgs {
    /// The stage.
    #[arg(long, default_value = "dev")]
    stage: String,
    /// Print the WebSocket API's wss:// URL instead of the REST API's.
    #[arg(long)]
    websocket: bool,
}

#[derive(Debug, Args)]
struct LogsArgs {
    /// The function: `api_handler` (default), a built-in authorizer's, an event handler's or
    /// a pure function's name.
    #[arg(short = 'n', long, default_value = "api_handler")]
    name: String,
    /// Only lines since then: a duration back from now (`30s`, `5m`, `2h`, `1d`) or a time
    /// (`2024-05-01T12:00:00Z`, `2024-05-01`).
    #[arg(short = 's', long, value_name = "WHEN")]
    since: Option<String>,
    /// Keep printing new lines as they arrive (polls every 5 s; Ctrl-C stops).
    #[arg(short = 'f', long)]
    follow: bool,
    /// Also print Lambda's own START, END and REPORT lines.
    #[arg(long)]
    include_lambda_messages: bool,
    /// The stage of the function.
    #[arg(long, default_value = "dev")]
    stage: String,
    /// The AWS profile whose credentials and region to use (default: the standard chain).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
}

#[derive(Debug, Args)]
struct InvokeArgs {
    /// The function: `api_handler` (default), a built-in authorizer's, an event handler's or
    /// a pure function's name.
    #[arg(short = 'n', long, default_value = "api_handler")]
    name: String,
    /// The payload (JSON); without it, stdin is read.
    #[arg(long, value_name = "JSON")]
    payload: Option<String>,
    /// The stage of the function.
    #[arg(long, default_value = "dev")]
    stage: String,
    /// The AWS profile whose credentials and region to use (default: the standard chain).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Run the function here, in the app's own binary, instead of the deployed one: any
    /// event handler or pure function, no AWS needed.
    #[arg(long)]
    local: bool,
}

#[derive(Debug, Args)]
struct NewProjectArgs {
    /// The project's name: the directory, the crate and the app are named after it.
    name: String,
    /// Depend on the chalice crate at this path instead of the checkout this CLI was built from.
    #[arg(long, value_name = "PATH", conflicts_with = "chalice_version")]
    chalice_path: Option<PathBuf>,
    /// Depend on this published version of the chalice crate (from crates.io).
    #[arg(long, value_name = "VERSION")]
    chalice_version: Option<String>,
}

#[derive(Debug, Args)]
struct LocalArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The port to listen on.
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// The stage whose configuration (environment variables) the app runs with.
    #[arg(long, default_value = "dev")]
    stage: String,
    /// Do not rebuild and restart when the source changes.
    #[arg(long)]
    no_autoreload: bool,
}

/// `chalice package OUT`, with Chalice's options: `--pkg-format terraform` writes a Terraform
/// configuration instead of a SAM template.
#[derive(Debug, Args)]
struct PackageArgs {
    /// The directory to write the deployment package and the template to.
    out: PathBuf,
    /// What to write beside the deployment package: a SAM template for CloudFormation, or a
    /// Terraform configuration (chalice.tf.json) for the AWS provider 5 or 6.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = PkgFormat::Cloudformation)]
    pkg_format: PkgFormat,
    /// The stage whose configuration to package.
    #[arg(long, default_value = "dev")]
    stage: String,
    /// The SAM template's format (CloudFormation only).
    #[arg(long, value_enum, ignore_case = true, default_value_t = TemplateFormatArg::Json)]
    template_format: TemplateFormatArg,
    /// A JSON or YAML template to merge into the generated one (CloudFormation only).
    #[arg(long, value_name = "FILE")]
    merge_template: Option<PathBuf>,
    /// Print what was written as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// A second positional argument: only there to answer `package terraform OUT` (this
    /// CLI's spelling for a while) with Chalice's.
    #[arg(hide = true)]
    unexpected: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PkgFormat {
    /// A SAM template (sam.json or sam.yaml).
    Cloudformation,
    /// A Terraform configuration (chalice.tf.json).
    Terraform,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TemplateFormatArg {
    /// sam.json.
    Json,
    /// sam.yaml.
    Yaml,
}

impl PackageArgs {
    /// Refuses what clap's own checks can't express: its conflicts are between arguments, not
    /// values (`--template-format json` goes with Terraform, as in Chalice, `yaml` does not).
    /// Options that mean nothing for the chosen kind are refused as Chalice refuses them, but
    /// before anything runs and naming the one at fault; a second positional argument gets a
    /// tip when it looks like `package terraform OUT`.
    fn check(&self) -> Result<(), clap::Error> {
        let conflict = match (self.pkg_format, self.template_format, &self.merge_template) {
            (PkgFormat::Terraform, TemplateFormatArg::Yaml, _) => Some((
                "--template-format yaml",
                "a Terraform configuration is JSON (chalice.tf.json)",
            )),
            (PkgFormat::Terraform, _, Some(_)) => Some((
                "--merge-template <FILE>",
                "it merges into a SAM template; edit or override chalice.tf.json instead",
            )),
            _ => None,
        };
        let mut command = Cli::command();
        command.build();
        let package = command
            .find_subcommand_mut("package")
            .expect("the CLI has a package command");
        if let Some((argument, why)) = conflict {
            return Err(package.error(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "the argument '{argument}' cannot be used with '--pkg-format terraform': {why}"
                ),
            ));
        }
        if let Some(unexpected) = &self.unexpected {
            let out = self.out.display();
            let tip = match out.to_string().as_str() {
                kind @ ("terraform" | "cloudformation") => format!(
                    "\n\n  tip: the kind of template is an option, as in Chalice: \
                     'chalice package --pkg-format {kind} {unexpected}'"
                ),
                _ => String::new(),
            };
            return Err(package.error(
                clap::error::ErrorKind::UnknownArgument,
                format!("unexpected argument '{unexpected}' found{tip}"),
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Args)]
struct GenerateModelsArgs {
    /// The stage whose configuration to use.
    #[arg(long, default_value = "dev")]
    stage: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Package(args) = &cli.command
        && let Err(error) = args.check()
    {
        error.exit();
    }
    let output = Output::new(
        match cli.color {
            Color::Auto => ColorChoice::Auto,
            Color::Always => ColorChoice::Always,
            Color::Never => ColorChoice::Never,
        },
        if cli.quiet {
            Verbosity::Quiet
        } else if cli.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        },
    );
    match run(cli, output) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            output.error(&error);
            ExitCode::from(exit_status(&error))
        }
    }
}

fn run(cli: Cli, output: Output) -> anyhow::Result<()> {
    let project = || Project::open(cli.project_dir.clone(), output);
    match cli.command {
        Command::NewProject(args) => {
            let parent = match &cli.project_dir {
                Some(dir) => dir.clone(),
                None => std::env::current_dir().context("cannot read the current directory")?,
            };
            let options = NewProjectOptions {
                name: args.name,
                chalice_path: args.chalice_path,
                chalice_version: args.chalice_version,
            };
            new_project::new_project(&parent, &options, output)
        }
        Command::Local(args) => {
            let options = LocalOptions {
                host: args.host,
                port: args.port,
                stage: args.stage,
                autoreload: !args.no_autoreload,
            };
            local::local(&project()?, &options, output)
        }
        Command::Package(args) => {
            let (options, json) = package_options(args);
            let report = package::package(&project()?, &options, output)?;
            if json {
                print_json(&report)?;
            }
            Ok(())
        }
        Command::GenerateModels(args) => {
            let document = generate_models::generate_models(&project()?, &args.stage, output)?;
            print_json(&document)
        }
        Command::Deploy(args) => {
            let options = DeployOptions {
                stage: args.stage,
                profile: args.profile,
                dry_run: args.dry_run,
            };
            let report = deploy::deploy(&project()?, &options, output)?;
            if args.json {
                print_json(&report)
            } else if report.dry_run {
                let mut text = report.plan.clone();
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                text.push_str(&format!(
                    "(dry run: nothing changed; {} AWS calls, {} changing)\n",
                    report.calls.len(),
                    report.changing_calls
                ));
                print_text(&text)
            } else {
                // Chalice's lines.
                let mut text = String::new();
                if let Some(url) = &report.url {
                    text.push_str(&format!("Rest API URL: {url}\n"));
                }
                if let Some(url) = &report.websocket_url {
                    text.push_str(&format!("Websocket API URL: {url}\n"));
                }
                print_text(&text)
            }
        }
        Command::Delete(args) => {
            let options = DeleteOptions {
                stage: args.stage,
                profile: args.profile,
            };
            let report = deploy::delete(&project()?, &options, output)?;
            if args.json {
                print_json(&report)?;
            }
            Ok(())
        }
        Command::Url(args) => {
            let url = url::url(&project()?, &args.stage, args.websocket)?;
            print_text(&format!("{url}\n"))
        }
        Command::Logs(args) => {
            let options = LogsOptions {
                name: args.name,
                since: args.since,
                follow: args.follow,
                include_lambda_messages: args.include_lambda_messages,
                stage: args.stage,
                profile: args.profile,
            };
            logs::logs(&project()?, &options, &mut std::io::stdout().lock())
        }
        Command::Invoke(args) => {
            let options = InvokeOptions {
                name: args.name,
                payload: args.payload,
                stage: args.stage,
                profile: args.profile,
                local: args.local,
            };
            // A function error is an error whose message carries what the function
            // answered (FunctionFailed): printed on stderr, exit status 1.
            let mut answer = invoke::invoke(&project()?, &options, output)?;
            if !answer.ends_with(b"\n") {
                answer.push(b'\n');
            }
            print_bytes(&answer)
        }
        Command::GenPolicy(args) => {
            print_json(&gen_policy::gen_policy(&project()?, &args.stage, output)?)
        }
        Command::GenerateSdk(_) => Err(Planned::GenerateSdk.error().into()),
    }
}

fn package_options(args: PackageArgs) -> (PackageOptions, bool) {
    let format = match args.pkg_format {
        PkgFormat::Cloudformation => PackageFormat::Cloudformation {
            template_format: match args.template_format {
                TemplateFormatArg::Json => TemplateFormat::Json,
                TemplateFormatArg::Yaml => TemplateFormat::Yaml,
            },
            merge_template: args.merge_template,
        },
        PkgFormat::Terraform => PackageFormat::Terraform,
    };
    let options = PackageOptions {
        out: args.out,
        stage: args.stage,
        format,
    };
    (options, args.json)
}

/// `text` on stdout.
fn print_text(text: &str) -> anyhow::Result<()> {
    print_bytes(text.as_bytes())
}

fn print_bytes(bytes: &[u8]) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .context("cannot write to stdout")
}

/// `value` as pretty JSON on stdout: what scripts read.
fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value).context("cannot write JSON")?;
    text.push('\n');
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to stdout")
}

#[cfg(test)]
mod tests {
    use super::*;

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
