//! Calling an app's function by name: [`Chalice::invoke`], what the Lambda runtime, the
//! local server and the test client all do with an event for a function.

use std::fmt;

use chalice_manifest::EventSource;
use serde_json::Value;

use super::chain::EventNext;
use super::schedule::Schedule;
use crate::app::Chalice;
use crate::error::{ChaliceError, ErrorKind};
use crate::lambda_context::LambdaContext;

/// Why an invocation of a function failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum InvokeError {
    /// The app has no function of that name.
    #[non_exhaustive]
    UnknownFunction {
        /// The name asked for.
        name: String,
        /// The names the app has (built-in authorizers excepted), in declaration order.
        known: Vec<String>,
    },
    /// The event is not one the function's source sends.
    #[non_exhaustive]
    InvalidEvent {
        /// The function's name.
        name: String,
        /// Its source (Chalice's decorator: `on_sqs_message`, ...).
        decorator: &'static str,
        /// What is wrong with the event.
        message: String,
    },
    /// The handler (or a middleware) failed. Shown without the error's kind, which is
    /// [`InvokeError::error_type`].
    #[non_exhaustive]
    Failed {
        /// The function's name.
        name: String,
        /// Its error.
        error: ChaliceError,
    },
}

impl InvokeError {
    /// The error type Lambda reports for it (`errorType`): the error's Chalice code
    /// (`BadRequestError`, ...) for a handler's error of a kind, else `Chalice.HandlerError`,
    /// `Chalice.InvalidEvent` or `Chalice.UnknownFunction`.
    pub fn error_type(&self) -> &'static str {
        match self {
            InvokeError::UnknownFunction { .. } => "Chalice.UnknownFunction",
            InvokeError::InvalidEvent { .. } => "Chalice.InvalidEvent",
            InvokeError::Failed { error, .. } => {
                error.kind().map_or("Chalice.HandlerError", ErrorKind::code)
            }
        }
    }

    /// The handler's error, when it failed.
    pub fn handler_error(&self) -> Option<&ChaliceError> {
        match self {
            InvokeError::Failed { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl fmt::Display for InvokeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvokeError::UnknownFunction { name, known } => {
                write!(f, "the app has no function \"{name}\" ")?;
                if known.is_empty() {
                    f.write_str("(it has none besides its API)")
                } else {
                    let quoted: Vec<String> = known.iter().map(|n| format!("\"{n}\"")).collect();
                    write!(f, "(it has {})", quoted.join(", "))
                }
            }
            InvokeError::InvalidEvent {
                name,
                decorator,
                message,
            } => write!(
                f,
                "function \"{name}\" ({decorator}) can't read the event: {message}"
            ),
            // An error of a kind says it once, as the error type: `errorType` is
            // `BadRequestError`, `errorMessage` `function "worker" failed: bad job`.
            InvokeError::Failed { name, error } => match error.kind() {
                Some(_) => write!(f, "function \"{name}\" failed: {}", error.message()),
                None => write!(f, "function \"{name}\" failed: {error}"),
            },
        }
    }
}

impl std::error::Error for InvokeError {}

impl Chalice {
    /// Runs the function (event handler or pure function) `name` on `event`, the JSON text
    /// its source sends, with the event middleware for its kind around it: its answer as
    /// JSON (`null` for most handlers, `{"batchItemFailures": [...]}` for a batch handler
    /// that reports failures, a pure function's result).
    ///
    /// This is what a deployed function does with each event; the local server and the test
    /// client do the same. The event is decoded once, into the handler's type; a panic in
    /// the handler is an error, not a crash. A failure is logged with the app's logger.
    ///
    /// # Errors
    ///
    /// An unknown name, an event the source does not send, or the handler's error.
    ///
    /// ```
    /// use chalice_core::{Chalice, Json, LambdaContext};
    /// # let block_on = chalice_core::__private::block_on;
    ///
    /// let mut app = Chalice::new("app");
    /// app.lambda_function(|numbers: Vec<i64>| Json(numbers.iter().sum::<i64>())).name("add");
    /// let answer = block_on(app.invoke("add", "[1, 2, 3]", LambdaContext::default()));
    /// assert_eq!(answer.unwrap(), serde_json::json!(6));
    /// ```
    pub async fn invoke(
        &self,
        name: &str,
        event: &str,
        context: LambdaContext,
    ) -> Result<Value, InvokeError> {
        let Some(decl) = self
            .functions
            .decls
            .iter()
            .find(|decl| decl.name.as_deref() == Some(name))
        else {
            return Err(InvokeError::UnknownFunction {
                name: name.to_owned(),
                known: self.function_names().map(str::to_owned).collect(),
            });
        };
        let mut decoded = (decl.decode)(event).map_err(|error| InvokeError::InvalidEvent {
            name: name.to_owned(),
            decorator: decl.source.chalice_name(),
            message: error.to_string(),
        })?;
        decoded.set_context(context);
        let chain = self.functions.middleware.chain(decoded.event_type());
        let next = EventNext::new(chain, decl.handler.clone(), self.debug());
        next.run(decoded).await.map_err(|error| {
            self.log().error(format!(
                "Caught exception for function {name}\n{}",
                error.report()
            ));
            InvokeError::Failed {
                name: name.to_owned(),
                error,
            }
        })
    }

    /// The names of the app's functions (event handlers and pure functions), in declaration
    /// order; built-in authorizers are in [`Chalice::builtin_authorizers`].
    pub fn function_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.functions
            .decls
            .iter()
            .filter_map(|decl| decl.name.as_deref())
    }

    /// The source of the function `name`, with its parameters.
    pub fn function_source(&self, name: &str) -> Option<&EventSource> {
        self.functions
            .decls
            .iter()
            .find(|decl| decl.name.as_deref() == Some(name))
            .map(|decl| &decl.source)
    }

    /// The scheduled handlers and their schedules, for a local runner (an app with an
    /// invalid schedule fails [`Chalice::check`] before this matters: such a handler is left
    /// out).
    pub fn schedules(&self) -> impl Iterator<Item = (&str, Schedule)> + '_ {
        self.functions
            .decls
            .iter()
            .filter_map(|decl| match &decl.source {
                EventSource::Schedule { expression, .. } => {
                    let schedule = super::schedule::ScheduleExpression::from(expression.as_str())
                        .parse()
                        .ok()?;
                    Some((decl.name.as_deref()?, schedule))
                }
                _ => None,
            })
    }
}
