//! Error handlers (`app.error_handler`), and how an error becomes the answer the client gets.
//!
//! Every error a view or a middleware returns goes through [`answer_error`], once, where it
//! happened: an error handler for its type first, else Chalice's JSON error (or, unhandled,
//! the logged 500). The answer keeps the error ([`Response::error`]) and whether it was
//! handled, so the middleware around it, and the test client, can still read it.

use std::sync::Arc;

use crate::error::ChaliceError;
use crate::log::Logger;
use crate::response::{IntoResponse, Response};

type ErasedHandler = dyn Fn(&(dyn std::error::Error + Send + Sync + 'static)) -> Option<Result<Response, ChaliceError>>
    + Send
    + Sync;

/// Error handlers: a user's error types mapped to responses. Shared: cloning copies a
/// pointer, as the middleware chain does once per request.
#[derive(Clone, Default)]
pub(crate) struct ErrorHandlers {
    handlers: Arc<[Arc<ErasedHandler>]>,
}

impl ErrorHandlers {
    pub(crate) fn push<E, F, R>(&mut self, handler: F)
    where
        E: std::error::Error + Send + Sync + 'static,
        F: Fn(&E) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        let handler: Arc<ErasedHandler> = Arc::new(move |error| {
            // The error itself or, for a wrapper, one of its causes.
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
            while let Some(current) = cause {
                if let Some(typed) = current.downcast_ref::<E>() {
                    return Some(handler(typed).into_response());
                }
                cause = current.source();
            }
            None
        });
        // Definition time only: the list is rebuilt, so that requests share it.
        self.handlers = self.handlers.iter().cloned().chain([handler]).collect();
    }

    /// The response the first matching handler makes for an unhandled error, if any.
    fn handle(&self, error: &ChaliceError) -> Option<Result<Response, ChaliceError>> {
        let source = error.source_error()?;
        self.handlers.iter().find_map(|handler| handler(source))
    }
}

/// The answer to `error`, which a view or a middleware returned while handling a request
/// for the route `path`: an error handler's response for its type if one matches, else
/// Chalice's `{"Code":..,"Message":..}` with the kind's status, or for an unhandled error
/// the 500 (the error's report as `text/plain` when `debug` is on), logged with `path`.
///
/// The answer keeps the error it was made from ([`Response::error`]); a handler's own
/// response keeps the error it answered, marked handled ([`Response::unhandled_error`]).
pub(crate) fn answer_error(
    error: ChaliceError,
    handlers: &ErrorHandlers,
    log: &Logger,
    debug: bool,
    path: &str,
) -> Response {
    let error = match handlers.handle(&error) {
        Some(Ok(response)) => match response.checked("error handler") {
            Ok(response) => return response.handled_from(error),
            // A handler's response that cannot be sent is the handler's own failure.
            Err(failure) => failure,
        },
        // The handler answered with one of Chalice's errors (or failed): its response.
        Some(Err(other)) => other,
        None => error,
    };
    if !error.is_unhandled() {
        return error.to_response().made_from(error);
    }
    let report = error.report();
    log.error(format!("Caught exception for path {path}\n{report}"));
    let response = if debug {
        Response::new(report)
            .status_code(500)
            .header("content-type", "text/plain")
    } else {
        error.to_response()
    };
    response.made_from(error)
}
