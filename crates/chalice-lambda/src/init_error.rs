//! [`report_init_error`]: telling Lambda that the function could not start.
//!
//! lambda_runtime 1.x posts to `/runtime/init/error` only for its own SnapStart hooks and
//! keeps that request private, so this module makes the one call with the Runtime API client
//! lambda_runtime itself uses (`lambda_runtime_api_client`).
//! <https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html#runtimes-api-initerror>

use http::{Method, Uri};
use lambda_runtime_api_client::body::Body;
use lambda_runtime_api_client::{PooledClient, build_request};

/// The Runtime API's address, from `AWS_LAMBDA_RUNTIME_API` (`host:port`), which Lambda sets
/// for every function.
pub(crate) fn runtime_api() -> Result<Uri, lambda_runtime::Error> {
    let value = std::env::var("AWS_LAMBDA_RUNTIME_API").map_err(|_| {
        "AWS_LAMBDA_RUNTIME_API is not set: this binary serves the Lambda Runtime API and runs on \
         AWS Lambda (run the app locally with the local server instead)"
    })?;
    Uri::try_from(value.as_str()).map_err(|e| {
        format!("AWS_LAMBDA_RUNTIME_API is not a host:port address ({value:?}): {e}").into()
    })
}

/// Reports that the function failed to initialize, with the error's type and message, to
/// the Runtime API (`POST /2018-06-01/runtime/init/error`).
///
/// Lambda then fails the pending invocation with this error and logs it; the process should
/// exit afterwards. [`crate::run`] calls this itself for an app with definition mistakes;
/// call it for failures in your own start-up code (reading configuration, say) before
/// `run`.
///
/// `error_type` is free text; Lambda suggests `Category.Reason`, such as
/// `Runtime.ConfigInvalid`.
///
/// # Errors
///
/// When `AWS_LAMBDA_RUNTIME_API` is missing or invalid, or the Runtime API cannot be reached
/// or does not accept the report.
///
/// ```no_run
/// # async fn start() -> Result<(), lambda_runtime::Error> {
/// let table = std::env::var("TABLE_NAME");
/// if table.is_err() {
///     chalice_lambda::report_init_error("Runtime.ConfigInvalid", "TABLE_NAME is not set").await?;
///     return Err("TABLE_NAME is not set".into());
/// }
/// # Ok(()) }
/// ```
pub async fn report_init_error(
    error_type: &str,
    message: &str,
) -> Result<(), lambda_runtime::Error> {
    post_init_error(&runtime_api()?, error_type, message).await
}

pub(crate) async fn post_init_error(
    api: &Uri,
    error_type: &str,
    message: &str,
) -> Result<(), lambda_runtime::Error> {
    let body = serde_json::to_vec(&lambda_runtime::Diagnostic {
        error_type: error_type.to_owned(),
        error_message: message.to_owned(),
    })?;
    let request = build_request()
        .method(Method::POST)
        .uri("/2018-06-01/runtime/init/error")
        .header("lambda-runtime-function-error-type", error_type)
        .header("content-type", "application/json")
        .body(Body::from(body))?;
    let client = PooledClient::builder().with_endpoint(api.clone()).build();
    let response = client.call(request).await?;
    if !response.status().is_success() {
        return Err(format!(
            "the Runtime API refused the init error report: HTTP {}",
            response.status()
        )
        .into());
    }
    Ok(())
}
