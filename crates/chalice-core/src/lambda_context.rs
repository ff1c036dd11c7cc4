//! The Lambda invocation's context, as the Lambda adapter fills it in.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// What Lambda says about the invocation being served (Python's `context` object).
///
/// On Lambda, [`crate::Request::lambda_context`] returns it; the local server and the test
/// client fill in local values (request id, the stage's memory and timeout).
///
/// What stays the same for the whole process (the function's name and version, its log
/// group and stream) is shared between invocations as `Arc<str>`, so filling in a context
/// copies no strings; read them as `&str` with `&*context.function_name`.
///
/// ```
/// use chalice_core::LambdaContext;
///
/// let mut context = LambdaContext::new("8476a536-e9f4-11e8-9739-2dfe598c3fcd", 0);
/// context.function_name = "todo-dev".into();
/// let name: &str = &context.function_name;
/// assert_eq!(name, "todo-dev");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LambdaContext {
    /// The invocation's request id (`Lambda-Runtime-Aws-Request-Id`).
    pub aws_request_id: String,
    /// When Lambda stops the invocation, in milliseconds since the Unix epoch.
    pub deadline_ms: u64,
    /// The ARN the function was invoked with (an alias ARN when invoked through one).
    pub invoked_function_arn: String,
    /// The function's name.
    pub function_name: Arc<str>,
    /// The function's version (`$LATEST` unless published).
    pub function_version: Arc<str>,
    /// The memory configured for the function, in MB.
    pub memory_limit_in_mb: u32,
    /// The CloudWatch Logs group of the function.
    pub log_group_name: Arc<str>,
    /// The CloudWatch Logs stream of this execution environment.
    pub log_stream_name: Arc<str>,
    /// The X-Ray trace header, when tracing is on.
    pub xray_trace_id: Option<String>,
}

impl LambdaContext {
    /// A context with the given request id and deadline; other fields empty.
    pub fn new(aws_request_id: impl Into<String>, deadline_ms: u64) -> Self {
        LambdaContext {
            aws_request_id: aws_request_id.into(),
            deadline_ms,
            ..Self::default()
        }
    }

    /// When Lambda stops the invocation.
    ///
    /// Time left is `deadline().duration_since(SystemTime::now())`; the core reads no clock.
    pub fn deadline(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(self.deadline_ms)
    }
}
