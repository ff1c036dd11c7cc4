//! `chalice invoke [-n NAME] [--payload JSON]`: invokes a deployed function with the payload
//! (else stdin) and returns its answer, which the binary prints on stdout. A function that
//! fails (Lambda's `FunctionError`: an unhandled error or a crash) is an error carrying what
//! the function answered, which the binary prints on stderr, exiting 1. Chalice reads only
//! stdin (aws/chalice#1229); `--payload` is for the command line.
//!
//! With `--local`, nothing is deployed or called on AWS: the app is built (debug) and its
//! binary runs the function once with `--invoke NAME`, the payload on its stdin and the
//! stage's environment variables for that function set, as Lambda would run it.

use std::io::{IsTerminal, Read, Write};
use std::process::{Command, Stdio};

use anyhow::Context;
use aws_sdk_lambda::primitives::Blob;

use crate::cargo::Profile;
use crate::commands::logs::deployed_function;
use crate::deploy::aws::Aws;
use crate::deploy::errors::explain;
use crate::deploy::runtime;
use crate::error::UsageError;
use crate::output::Output;
use crate::project::Project;
use chalice_manifest::INVOKE_ARG;

/// What to invoke, with what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvokeOptions {
    /// The function: `api_handler` or a built-in authorizer's name.
    pub name: String,
    /// The payload; `None` reads stdin.
    pub payload: Option<String>,
    /// The stage.
    pub stage: String,
    /// The AWS profile (default: the standard chain).
    pub profile: Option<String>,
    /// Run the function locally instead of invoking the deployed one.
    pub local: bool,
}

/// The function failed (Lambda's `FunctionError`, such as `Unhandled`), with the error it
/// answered.
#[derive(Debug)]
pub struct FunctionFailed {
    /// Lambda's kind of failure.
    pub kind: String,
    /// The function's answer: its error.
    pub payload: String,
}

impl std::fmt::Display for FunctionFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the function failed ({}): {}", self.kind, self.payload)
    }
}

impl std::error::Error for FunctionFailed {}

/// Invokes the function and returns its answer; a function error is [`FunctionFailed`].
pub fn invoke(
    project: &Project,
    options: &InvokeOptions,
    output: Output,
) -> anyhow::Result<Vec<u8>> {
    // Before anything is built or called: a payload that is not JSON is the user's mistake,
    // which the function would only report as an invalid event.
    let payload = read_payload(options)?;
    if options.local {
        return invoke_locally(project, options, &payload, output);
    }
    let function = deployed_function(project, &options.stage, &options.name)?;
    runtime()?.block_on(async {
        let aws = Aws::load(options.profile.as_deref()).await?;
        let answer = aws
            .lambda
            .invoke()
            .function_name(&function)
            .payload(Blob::new(payload))
            .send()
            .await
            .map_err(|error| explain(&format!("invoking function {function}"), &error))?;
        let body = answer
            .payload()
            .map(|payload| payload.as_ref().to_vec())
            .unwrap_or_default();
        if let Some(kind) = answer.function_error() {
            return Err(FunctionFailed {
                kind: kind.to_owned(),
                payload: String::from_utf8_lossy(&body).into_owned(),
            }
            .into());
        }
        Ok(body)
    })
}

/// The payload: `--payload`, else stdin (`{}` when stdin is a terminal or empty), checked
/// to be JSON: a [`UsageError`] naming where it is not.
fn read_payload(options: &InvokeOptions) -> anyhow::Result<Vec<u8>> {
    let (payload, source) = match &options.payload {
        Some(payload) => (payload.clone().into_bytes(), "--payload"),
        // Nothing to read from a terminal: an empty event, as `{}`.
        None if std::io::stdin().is_terminal() => (b"{}".to_vec(), "stdin"),
        None => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .context("cannot read the payload from stdin")?;
            (bytes, "the payload on stdin")
        }
    };
    check_json(payload, source).map_err(Into::into)
}

/// `payload` if it is JSON; else what is wrong with it, and where. An empty stdin (nothing
/// piped, as from `< /dev/null`) is the empty event `{}`, as a terminal's is.
fn check_json(payload: Vec<u8>, source: &str) -> Result<Vec<u8>, UsageError> {
    if source != "--payload" && payload.iter().all(u8::is_ascii_whitespace) {
        return Ok(b"{}".to_vec());
    }
    match serde_json::from_slice::<serde::de::IgnoredAny>(&payload) {
        Ok(_) => Ok(payload),
        Err(error) => Err(UsageError(format!("{source} is not JSON: {error}"))),
    }
}

/// Runs the function in the app's own binary, built for this machine (`--invoke NAME`).
fn invoke_locally(
    project: &Project,
    options: &InvokeOptions,
    payload: &[u8],
    output: Output,
) -> anyhow::Result<Vec<u8>> {
    let stage = project.config.stage(&options.stage)?;
    let binary = project.build(Profile::Debug, None, output)?;
    output.verbose(
        "Running",
        format!("{} {INVOKE_ARG} {}", binary.display(), options.name),
    );
    let mut child = Command::new(&binary)
        .args([INVOKE_ARG, &options.name])
        .envs(&stage.function(&options.name).environment_variables)
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(payload)
            .context("cannot give the payload to the app")?;
    }
    let run = child
        .wait_with_output()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    // The app's log lines are the function's logs: passed on to stderr. Its last `error: `
    // line, written when the invocation fails, is the failure.
    let stderr = String::from_utf8_lossy(&run.stderr);
    let mut failure = None;
    let mut logs = String::new();
    for line in stderr.lines() {
        match line.strip_prefix("error: ") {
            Some(message) if !run.status.success() => failure = Some(message.to_owned()),
            _ => {
                logs.push_str(line);
                logs.push('\n');
            }
        }
    }
    let _ = std::io::stderr().write_all(logs.as_bytes());
    if !run.status.success() {
        return Err(FunctionFailed {
            kind: "Unhandled".to_owned(),
            payload: failure.unwrap_or_else(|| format!("the app exited with {}", run.status)),
        }
        .into());
    }
    Ok(run.stdout)
}
