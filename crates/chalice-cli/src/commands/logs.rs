//! `chalice logs [-n NAME] [--since WHEN] [--follow] [--include-lambda-messages]`: a
//! deployed function's log lines, from its CloudWatch Logs group (`/aws/lambda/<name>`),
//! oldest first, one `timestamp stream message` line each on stdout.
//!
//! `FilterLogEvents` is paged with its `nextToken`. `--follow` starts ten minutes back
//! unless `--since` says otherwise (as Chalice does), then polls every five seconds from
//! the newest time seen; events come back more than once across polls (the window
//! overlaps, so late arrivals are not missed), and their ids keep each printed once.

use std::collections::HashSet;
use std::time::Duration;

use std::io::Write;

use anyhow::Context;

use crate::commands::deploy::not_deployed;
use crate::deploy::aws::Aws;
use crate::deploy::errors::Failure;
use crate::deploy::graph::log_group;
use crate::deploy::plan::function_name;
use crate::deploy::runtime;
use crate::deploy::state::DeployedState;
use crate::deploy::time::{format_timestamp, now, parse_since};
use crate::error::UsageError;
use crate::project::Project;

/// Which lines to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogsOptions {
    /// The function: `api_handler` or a built-in authorizer's name.
    pub name: String,
    /// Only lines since then: `30s`, `5m`, `2h`, `1d`, `1w`, or a time.
    pub since: Option<String>,
    /// Keep printing new lines as they arrive.
    pub follow: bool,
    /// Also print Lambda's own START, END and REPORT lines.
    pub include_lambda_messages: bool,
    /// The stage.
    pub stage: String,
    /// The AWS profile (default: the standard chain).
    pub profile: Option<String>,
}

/// How often `--follow` asks for new lines.
const FOLLOW_INTERVAL: Duration = Duration::from_secs(5);
/// Where `--follow` starts without `--since`.
const FOLLOW_START_MS: i64 = 10 * 60 * 1000;

/// Lines Lambda itself writes around each invocation, hidden unless asked for.
const LAMBDA_MESSAGES: [&str; 5] = [
    "START RequestId",
    "END RequestId",
    "REPORT RequestId",
    "INIT_START",
    "INIT_REPORT",
];

/// Prints the function's lines to `out` (stdout, for the binary), oldest first; with
/// `follow`, until the process is stopped.
pub fn logs(project: &Project, args: &LogsOptions, out: &mut dyn Write) -> anyhow::Result<()> {
    let function = deployed_function(project, &args.stage, &args.name)?;
    let group = log_group(&function);
    let mut start = match (&args.since, args.follow) {
        (Some(since), _) => Some(parse_since(since, now())?),
        (None, true) => Some(now() - FOLLOW_START_MS),
        (None, false) => None,
    };
    runtime()?.block_on(async {
        let aws = Aws::load(args.profile.as_deref()).await?;
        let mut seen = HashSet::new();
        loop {
            let newest = print_events(&aws, &group, start, &mut seen, args, out).await?;
            if !args.follow {
                return Ok(());
            }
            // Overlap the next window by a second: CloudWatch may still be storing events
            // stamped just before the newest one seen.
            start = newest.map(|newest| newest - 1000).or(start);
            tokio::time::sleep(FOLLOW_INTERVAL).await;
        }
    })
}

/// The Lambda name of the function `name` (`api_handler` or an authorizer) of `stage`.
pub(crate) fn deployed_function(
    project: &Project,
    stage: &str,
    name: &str,
) -> anyhow::Result<String> {
    let Some(state) = DeployedState::load(&project.dir, stage)? else {
        return Err(not_deployed(project, stage).into());
    };
    match state.function(name) {
        Some(record) => Ok(function_name(record)),
        None => {
            let names: Vec<&str> = state
                .resources
                .iter()
                .filter(|record| record.kind() == "lambda_function")
                .map(|record| record.name())
                .collect();
            Err(UsageError(format!(
                "stage {stage} has no function {name:?}; its functions: {}",
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            ))
            .into())
        }
    }
}

/// Prints the events of `group` from `start` not printed yet; returns the newest timestamp.
async fn print_events(
    aws: &Aws,
    group: &str,
    start: Option<i64>,
    seen: &mut HashSet<String>,
    args: &LogsOptions,
    out: &mut dyn Write,
) -> anyhow::Result<Option<i64>> {
    let mut token = None;
    let mut newest = None;
    loop {
        let page = aws
            .logs
            .filter_log_events()
            .log_group_name(group)
            .set_start_time(start)
            .set_next_token(token.clone())
            .send()
            .await;
        let page = match page {
            Ok(page) => page,
            Err(error) => {
                let failure = Failure::of(&error);
                if failure.is_not_found() && args.follow {
                    // No line yet: Lambda creates the group on the first invocation.
                    return Ok(newest);
                }
                if failure.is_not_found() {
                    return Err(UsageError(format!(
                        "log group {group} does not exist yet: Lambda creates it when the \
                         function first runs (invoke it, or use --follow to wait for lines)"
                    ))
                    .into());
                }
                return Err(failure.explain(&format!("reading log group {group}")));
            }
        };
        let mut text = String::new();
        for event in page.events() {
            let id = event.event_id().unwrap_or_default().to_owned();
            if !id.is_empty() && !seen.insert(id) {
                continue;
            }
            let timestamp = event.timestamp().unwrap_or_default();
            newest = newest.max(Some(timestamp));
            let message = event.message().unwrap_or_default().trim_end();
            if !args.include_lambda_messages
                && LAMBDA_MESSAGES
                    .iter()
                    .any(|prefix| message.starts_with(prefix))
            {
                continue;
            }
            text.push_str(&format!(
                "{} {} {message}\n",
                format_timestamp(timestamp),
                short_stream(event.log_stream_name().unwrap_or_default())
            ));
        }
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .context("cannot write the log lines")?;
        // FilterLogEvents may answer an empty page with a token while it searches on: follow
        // it, unless it hands back the token it was given (nothing more to read).
        match page.next_token() {
            Some(next) if !next.is_empty() && token.as_deref() != Some(next) => {
                token = Some(next.to_owned());
            }
            _ => return Ok(newest),
        }
    }
}

/// Lambda's stream names are `2024/05/01/[$LATEST]<32 hex>`: the hex part alone tells the
/// execution environment apart, as Chalice prints it.
fn short_stream(stream: &str) -> &str {
    match stream.rsplit_once(']') {
        Some((_, id)) if !id.is_empty() => &id[..id.len().min(8)],
        _ => stream,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn streams_are_shortened() {
        let cases = [
            (
                "2024/05/01/[$LATEST]0123456789abcdef0123456789abcdef",
                "01234567",
            ),
            ("2024/05/01/[$LATEST]abc", "abc"),
            ("custom-stream", "custom-stream"),
        ];
        for (stream, short) in cases {
            assert_eq!(super::short_stream(stream), short);
        }
    }
}
