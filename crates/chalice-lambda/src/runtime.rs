//! [`run`]: the Runtime API loop, with the official `lambda_runtime` crate.

use std::sync::Arc;

use chalice_core::{Chalice, LambdaContext};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::value::RawValue;

use crate::authorizer::{AUTHORIZER_ENV, no_such_authorizer, policy_for};
use bytes::Bytes;

use crate::handle::respond;
use crate::init_error::{post_init_error, runtime_api};

/// Serves API Gateway events to `app` through the Lambda Runtime API until the process
/// ends.
///
/// Installs the core's panic hook for the process
/// ([`chalice_core::adapter::install_panic_hook`]), then checks the app ([`Chalice::check`]): an app with definition mistakes is reported to
/// Lambda as an init error (`/runtime/init/error`, error type `Chalice.DefinitionError`,
/// every mistake in the message) and `run` returns the mistakes as its error. So does a
/// Lambda environment without the variables the runtime needs, instead of the panic
/// lambda_runtime would raise.
///
/// Each event goes through [`crate::handle_event`]'s pipeline: its response is posted to
/// `/invocation/{id}/response`, and an event that is not an API Gateway proxy event fails
/// the invocation (`/invocation/{id}/error`, error type `Chalice.InvalidEvent`). The Lambda
/// context reaches views as [`chalice_core::Request::lambda_context`].
///
/// Invocations are served one at a time, or as many at once as `AWS_LAMBDA_MAX_CONCURRENCY`
/// says on Lambda Managed Instances. lambda_runtime logs through `tracing` (a span per
/// invocation with its `requestId`; errors reaching the Runtime API; panics), and prints
/// its errors to stderr when no subscriber is installed.
///
/// # Errors
///
/// Definition mistakes, a missing Lambda environment, or a Runtime API that cannot be
/// reached.
///
/// ```no_run
/// use std::sync::Arc;
/// use chalice_core::Chalice;
///
/// #[tokio::main]
/// async fn main() -> Result<(), lambda_runtime::Error> {
///     let mut app = Chalice::new("helloworld");
///     app.route("/", || "hello");
///     chalice_lambda::run(Arc::new(app)).await
/// }
/// ```
pub async fn run(app: Arc<Chalice>) -> Result<(), lambda_runtime::Error> {
    // The runtime owns its process: panicking views are logged with their location.
    chalice_core::adapter::install_panic_hook();
    let api = runtime_api()?;
    if let Some(problem) = environment_problem() {
        post_init_error(&api, "Runtime.ConfigInvalid", &problem).await?;
        return Err(problem.into());
    }
    if let Err(mistakes) = app.check() {
        let message = mistakes.to_string();
        // Logged as well: Lambda shows the init error to the invoker, the log line stays in
        // CloudWatch with the function's logs.
        tracing::error!(target: "chalice::lambda", "{message}");
        post_init_error(&api, "Chalice.DefinitionError", &message).await?;
        return Err(Box::new(mistakes));
    }
    if let Ok(name) = std::env::var(AUTHORIZER_ENV) {
        return run_authorizer(app, name, &api).await;
    }
    let service = service_fn(move |event: LambdaEvent<Box<RawValue>>| {
        let app = Arc::clone(&app);
        async move {
            let (payload, context) = event.into_parts();
            // The validated text, as shared bytes without a copy.
            let text: Box<str> = payload.into();
            let result = respond(
                &app,
                Bytes::from(text.into_boxed_bytes()),
                lambda_context(&context),
            )
            .await;
            if let Err(error) = &result {
                tracing::error!(target: "chalice::lambda", "invocation failed: {error}");
            }
            result
        }
    });
    // The event arrives as `Box<RawValue>`: lambda_runtime's one validating pass and copy,
    // which doubles as the original event the core keeps. lambda_runtime offers the raw
    // bytes only to a tower layer that must then post the response itself, and
    // `serde_json::Value` would build a tree per event.
    lambda_runtime::run_concurrent(service).await
}

/// Serves the built-in authorizer `name`'s events (the function's `CHALICE_AUTHORIZER`).
async fn run_authorizer(
    app: Arc<Chalice>,
    name: String,
    api: &http::Uri,
) -> Result<(), lambda_runtime::Error> {
    if app.builtin_authorizers().all(|known| known != name) {
        let error = no_such_authorizer(&app, &name);
        tracing::error!(target: "chalice::lambda", "{error}");
        post_init_error(api, "Chalice.DefinitionError", error.message()).await?;
        return Err(Box::new(error));
    }
    let name: Arc<str> = name.into();
    let service = service_fn(move |event: LambdaEvent<Box<RawValue>>| {
        let (app, name) = (Arc::clone(&app), Arc::clone(&name));
        async move {
            let result = policy_for(&app, &name, event.payload.get().as_bytes()).await;
            if let Err(error) = &result
                && error.error_type() != "Chalice.Unauthorized"
            {
                tracing::error!(target: "chalice::lambda", "authorizer invocation failed: {error}");
            }
            result
        }
    });
    lambda_runtime::run_concurrent(service).await
}

/// The variables lambda_runtime reads with `expect` (it panics without them).
fn environment_problem() -> Option<String> {
    for name in [
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    ] {
        match std::env::var(name) {
            Err(_) => {
                return Some(format!(
                    "{name} is not set; Lambda sets it for every function"
                ));
            }
            Ok(value) if name.ends_with("MEMORY_SIZE") && value.parse::<i32>().is_err() => {
                return Some(format!("{name} is not a number of megabytes: {value:?}"));
            }
            Ok(_) => {}
        }
    }
    None
}

/// lambda_runtime's context (request headers of `/invocation/next`, plus the function's
/// configuration it read from `AWS_LAMBDA_FUNCTION_*` and `AWS_LAMBDA_LOG_*`) as the core's.
pub(crate) fn lambda_context(context: &lambda_runtime::Context) -> LambdaContext {
    let config = &context.env_config;
    let mut out = LambdaContext::new(context.request_id.clone(), context.deadline);
    out.invoked_function_arn = context.invoked_function_arn.clone();
    out.function_name = config.function_name.clone();
    out.function_version = config.version.clone();
    out.memory_limit_in_mb = u32::try_from(config.memory).unwrap_or_default();
    out.log_group_name = config.log_group.clone();
    out.log_stream_name = config.log_stream.clone();
    out.xray_trace_id = context.xray_trace_id.clone();
    out
}
