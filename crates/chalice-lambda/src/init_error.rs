//! [`report_init_error`]: telling Lambda that the function could not start.
//! <https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html#runtimes-api-initerror>

use crate::runtime_api::{self, BoxError, RuntimeApi};

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
/// # async fn start() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
/// let table = std::env::var("TABLE_NAME");
/// if table.is_err() {
///     chalice_lambda::report_init_error("Runtime.ConfigInvalid", "TABLE_NAME is not set").await?;
///     return Err("TABLE_NAME is not set".into());
/// }
/// # Ok(()) }
/// ```
pub async fn report_init_error(error_type: &str, message: &str) -> Result<(), BoxError> {
    RuntimeApi::new(runtime_api::address()?)?
        .init_error(error_type, message)
        .await
}
