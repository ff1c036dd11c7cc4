//! `chalice invoke [-n NAME] [--payload JSON]`: invokes a deployed function with the payload
//! (else stdin) and prints its answer on stdout. A function that fails (Lambda's
//! `FunctionError`: an unhandled error or a crash) prints its error on stderr and exits 1.
//! Chalice reads only stdin (aws/chalice#1229); `--payload` is for the command line.

use std::io::{IsTerminal, Read};

use anyhow::Context;
use aws_sdk_lambda::primitives::Blob;

use super::aws::Aws;
use super::command::{print_text, runtime};
use super::errors::explain;
use super::logs::deployed_function;
use crate::cli::Invoke;
use crate::project::Project;

/// The function failed; its error was printed.
#[derive(Debug)]
pub(crate) struct FunctionFailed(pub(crate) String);

impl std::fmt::Display for FunctionFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the function failed ({}): its error is above", self.0)
    }
}

impl std::error::Error for FunctionFailed {}

pub(crate) fn invoke(project: &Project, args: &Invoke) -> anyhow::Result<()> {
    let function = deployed_function(project, &args.stage, &args.name)?;
    let payload = match &args.payload {
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
        let aws = Aws::load(args.profile.as_deref()).await?;
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
            .map(|payload| String::from_utf8_lossy(payload.as_ref()).into_owned())
            .unwrap_or_default();
        if let Some(kind) = answer.function_error() {
            report_failure(&body);
            return Err(FunctionFailed(kind.to_owned()).into());
        }
        let mut text = body;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        print_text(&text)
    })
}

#[allow(clippy::print_stderr)]
fn report_failure(body: &str) {
    eprintln!("{body}");
}
