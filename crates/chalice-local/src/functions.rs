//! The app's functions besides its API, locally: `POST /_chalice/invoke/NAME` delivers the
//! request's body as an event to the function `NAME` (an empty body to a `schedule` handler
//! runs it as its schedule does), and each `schedule` handler runs on its schedule (a rate
//! counted from the server's start, cron expressions in UTC). Each runs with its own
//! function's environment variables ([`in_function`]).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use chalice_core::{Chalice, InvokeError};
use http_body_util::Full;

use crate::function::{LocalFunction, in_function};

/// Where the local server takes events for the app's functions: `POST` the event to
/// `INVOKE_PREFIX` + the function's name. A `POST` with an empty body to a `schedule`
/// handler's runs it once, now, as its schedule would: with the event EventBridge sends. The
/// prefix is the local server's own: a route of the app under it is not reachable locally.
pub const INVOKE_PREFIX: &str = "/_chalice/invoke/";

/// The answer to `method` on `path` when it is the invoke endpoint's, else `None`.
pub(crate) async fn invoke_endpoint(
    app: &Chalice,
    method: &http::Method,
    path: &str,
    body: &Bytes,
) -> Option<hyper::Response<Full<Bytes>>> {
    let name = path.strip_prefix(INVOKE_PREFIX)?;
    if method != http::Method::POST {
        return Some(json_answer(
            http::StatusCode::METHOD_NOT_ALLOWED,
            &error_body(
                "Chalice.MethodNotAllowed",
                "POST the event to invoke a function",
            ),
        ));
    }
    let event = match std::str::from_utf8(body) {
        // Nothing to deliver to a schedule: it runs as on its schedule, with its own event.
        Ok("") if app.schedules().any(|(n, _)| n == name) => {
            return Some(match run_scheduled(app, name, now()).await {
                Ok(answer) => json_answer(http::StatusCode::OK, &answer.to_string()),
                Err(error) => invoke_error(&error),
            });
        }
        Ok("") => "{}",
        Ok(text) => text,
        Err(_) => {
            return Some(json_answer(
                http::StatusCode::BAD_REQUEST,
                &error_body("Chalice.InvalidEvent", "the event is not UTF-8 JSON"),
            ));
        }
    };
    let function = LocalFunction::new(format!("{}-{name}", app.app_name()));
    let invoked = in_function(name, app.invoke(name, event, function.context())).await;
    Some(match invoked {
        Ok(answer) => json_answer(http::StatusCode::OK, &answer.to_string()),
        Err(error) => invoke_error(&error),
    })
}

/// Lambda's answer to a failed invocation, with the status that says whose mistake it was.
fn invoke_error(error: &InvokeError) -> hyper::Response<Full<Bytes>> {
    let status = match error {
        InvokeError::UnknownFunction { .. } => http::StatusCode::NOT_FOUND,
        InvokeError::InvalidEvent { .. } => http::StatusCode::BAD_REQUEST,
        _ => http::StatusCode::INTERNAL_SERVER_ERROR,
    };
    json_answer(status, &error_body(error.error_type(), &error.to_string()))
}

/// Lambda's shape of a failed invocation: `{"errorType": ..., "errorMessage": ...}`.
fn error_body(error_type: &str, message: &str) -> String {
    serde_json::json!({"errorType": error_type, "errorMessage": message}).to_string()
}

fn json_answer(status: http::StatusCode, body: &str) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::from(body.to_owned())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// Starts a task per `schedule` handler of `app`, each invoking its handler with the event
/// EventBridge sends, at each time its schedule names, until the tasks are aborted. A
/// failing handler is logged by the app and runs again at its next time, as on AWS.
pub fn spawn_schedules(app: &Arc<Chalice>) -> Vec<tokio::task::JoinHandle<()>> {
    let started = now();
    let names: Vec<String> = app.schedules().map(|(name, _)| name.to_owned()).collect();
    names
        .into_iter()
        .map(|name| {
            let app = Arc::clone(app);
            tokio::spawn(async move { run_schedule(&app, &name, started).await })
        })
        .collect()
}

async fn run_schedule(app: &Chalice, name: &str, started: u64) {
    let Some((_, schedule)) = app.schedules().find(|(n, _)| *n == name) else {
        return;
    };
    tracing::info!(
        target: "chalice::local",
        "function {name} runs on {}", schedule.as_str()
    );
    let mut last = now();
    while let Some(next) = schedule.next_after(last, started) {
        // Sleep to the start of the second the schedule names.
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        tokio::time::sleep(Duration::from_secs(next).saturating_sub(since_epoch)).await;
        last = next;
        match run_scheduled(app, name, next).await {
            Ok(_) => {
                tracing::info!(target: "chalice::local", "function {name} ran ({})", schedule.as_str());
            }
            // The app logged the error with its logger.
            Err(error) => tracing::warn!(target: "chalice::local", "{error}"),
        }
    }
}

/// Runs the `schedule` handler `name` as EventBridge does at `at` (seconds since the epoch):
/// with the event of its rule, in its own function.
async fn run_scheduled(
    app: &Chalice,
    name: &str,
    at: u64,
) -> Result<serde_json::Value, InvokeError> {
    let rule = format!(
        "arn:aws:events:us-east-1:123456789012:rule/{}-{name}-event",
        app.app_name()
    );
    let context = LocalFunction::new(format!("{}-{name}", app.app_name())).context();
    let event = chalice_core::adapter::scheduled_event(&rule, &context.aws_request_id, at);
    in_function(name, app.invoke(name, &event, context)).await
}
