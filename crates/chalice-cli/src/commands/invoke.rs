//! `chalice invoke [-n NAME] [--payload JSON]`: invokes a deployed function with the payload
//! (else stdin) and returns its answer, which the binary prints on stdout. A function that
//! fails (Lambda's `FunctionError`: an unhandled error or a crash) is an error carrying what
//! the function answered, which the binary prints on stderr, exiting 1. Chalice reads only
//! stdin (aws/chalice#1229); `--payload` is for the command line.

use std::io::{IsTerminal, Read};

use anyhow::Context;
use aws_sdk_lambda::primitives::Blob;

use crate::commands::logs::deployed_function;
use crate::deploy::aws::Aws;
use crate::deploy::errors::explain;
use crate::deploy::runtime;
use crate::project::Project;

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
pub fn invoke(project: &Project, options: &InvokeOptions) -> anyhow::Result<Vec<u8>> {
    let function = deployed_function(project, &options.stage, &options.name)?;
    let payload = match &options.payload {
        Some(payload) => payload.clone().into_bytes(),
        // Nothing to read from a terminal: an empty event, as `{}`.
        None if std::io::stdin().is_terminal() => b"{}".to_vec(),
        None => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .context("cannot read the payload from stdin")?;
            bytes
        }
    };
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
