//! [`EventError`]: an event this adapter cannot serve.

use std::fmt;

/// An event that is not an API Gateway proxy event this adapter can serve, or a built-in
/// authorizer's refusal.
///
/// API Gateway never sends one: it comes from a direct `aws lambda invoke`, a test, or an
/// event source the app does not handle. It fails the invocation (the Runtime API's
/// `/invocation/{id}/error`) with a message that names the problem, because an HTTP-shaped
/// answer would mislead a caller that did not speak HTTP. Problems *inside* a recognisable
/// HTTP event (a body that is not valid base64, an impossible method) are the client's and
/// get a 400 response instead.
///
/// ```
/// # let block_on = |f| tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f);
/// use chalice_core::{Chalice, LambdaContext};
///
/// let app = Chalice::new("app");
/// let error = block_on(chalice_lambda::handle_event(&app, b"{\"Records\": []}", LambdaContext::default()))
///     .unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "not an API Gateway proxy event: it has neither \"httpMethod\" (REST API, payload 1.0) \
///      nor \"version\": \"2.0\" (HTTP API, payload 2.0)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventError {
    error_type: &'static str,
    message: String,
}

impl EventError {
    /// The error type reported to Lambda (`errorType` of the invocation error).
    pub const ERROR_TYPE: &'static str = "Chalice.InvalidEvent";

    pub(crate) fn new(message: impl Into<String>) -> Self {
        EventError::with_type(EventError::ERROR_TYPE, message)
    }

    pub(crate) fn with_type(error_type: &'static str, message: impl Into<String>) -> Self {
        EventError {
            error_type,
            message: message.into(),
        }
    }

    /// The error type reported to Lambda: [`EventError::ERROR_TYPE`] for an event this
    /// adapter cannot serve; `Chalice.Unauthorized` (message `Unauthorized`, which API Gateway
    /// turns into a 401) and `Chalice.AuthorizerError` for a built-in authorizer's refusal
    /// and failure.
    pub fn error_type(&self) -> &str {
        self.error_type
    }

    /// The event was not JSON, or a field had the wrong JSON type.
    pub(crate) fn json(error: &serde_json::Error) -> Self {
        let message = match error.classify() {
            serde_json::error::Category::Data => format!("invalid API Gateway event: {error}"),
            _ => format!("the event is not JSON: {error}"),
        };
        EventError::new(message)
    }

    /// A field that every event of this payload version has is missing.
    pub(crate) fn missing(version: &str, field: &str) -> Self {
        EventError::new(format!(
            "invalid API Gateway event (payload {version}): missing field \"{field}\""
        ))
    }

    /// What is wrong with the event.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EventError {}
