//! Errors a view returns, and how each becomes an HTTP response.

use std::borrow::Cow;
use std::fmt;

use crate::in_view;

/// The kinds of error a view can return on purpose, named as Chalice names its exception
/// classes: the name is the `Code` of the JSON body, byte for byte.
///
/// ```
/// use chalice_core::ErrorKind;
///
/// assert_eq!(ErrorKind::NotFoundError.status_code(), 404);
/// assert_eq!(ErrorKind::NotFoundError.code(), "NotFoundError");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 500, with the view's message shown to the client (unlike an unhandled error).
    ChaliceViewError,
    /// 400.
    BadRequestError,
    /// 401.
    UnauthorizedError,
    /// 403.
    ForbiddenError,
    /// 404.
    NotFoundError,
    /// 405.
    MethodNotAllowedError,
    /// 408.
    RequestTimeoutError,
    /// 409.
    ConflictError,
    /// 422.
    UnprocessableEntityError,
    /// 429.
    TooManyRequestsError,
}

impl ErrorKind {
    /// Every kind, in Chalice's `ALL_ERRORS` order.
    pub const ALL: [ErrorKind; 10] = [
        ErrorKind::ChaliceViewError,
        ErrorKind::BadRequestError,
        ErrorKind::NotFoundError,
        ErrorKind::UnauthorizedError,
        ErrorKind::ForbiddenError,
        ErrorKind::MethodNotAllowedError,
        ErrorKind::RequestTimeoutError,
        ErrorKind::ConflictError,
        ErrorKind::UnprocessableEntityError,
        ErrorKind::TooManyRequestsError,
    ];

    /// The HTTP status this kind of error answers with.
    pub const fn status_code(self) -> u16 {
        match self {
            ErrorKind::ChaliceViewError => 500,
            ErrorKind::BadRequestError => 400,
            ErrorKind::UnauthorizedError => 401,
            ErrorKind::ForbiddenError => 403,
            ErrorKind::NotFoundError => 404,
            ErrorKind::MethodNotAllowedError => 405,
            ErrorKind::RequestTimeoutError => 408,
            ErrorKind::ConflictError => 409,
            ErrorKind::UnprocessableEntityError => 422,
            ErrorKind::TooManyRequestsError => 429,
        }
    }

    /// The `Code` field of the JSON body: Chalice's class name.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::ChaliceViewError => "ChaliceViewError",
            ErrorKind::BadRequestError => "BadRequestError",
            ErrorKind::UnauthorizedError => "UnauthorizedError",
            ErrorKind::ForbiddenError => "ForbiddenError",
            ErrorKind::NotFoundError => "NotFoundError",
            ErrorKind::MethodNotAllowedError => "MethodNotAllowedError",
            ErrorKind::RequestTimeoutError => "RequestTimeoutError",
            ErrorKind::ConflictError => "ConflictError",
            ErrorKind::UnprocessableEntityError => "UnprocessableEntityError",
            ErrorKind::TooManyRequestsError => "TooManyRequestsError",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The error type of views: either one of Chalice's [`ErrorKind`]s with a message for the
/// client, or an *unhandled* error (any other error, or a panic).
///
/// A kind answers `{"Code":"NotFoundError","Message":"..."}` with the kind's status. An
/// unhandled error answers 500 `{"Code":"InternalServerError","Message":"An internal server
/// error occurred."}`, or the error and its backtrace as `text/plain` when the app's `debug`
/// is on, and is logged with the request's path either way.
///
/// Like `anyhow::Error`, this type converts from every `std::error::Error`, so `?` works on
/// any error inside a view that returns `Result<_, ChaliceError>`; an error converted that
/// way is unhandled, as an uncaught exception is in Python. (For that reason `ChaliceError`
/// does not itself implement `std::error::Error`.)
///
/// ```
/// use chalice_core::{ChaliceError, ErrorKind};
///
/// fn find(id: u32) -> Result<String, ChaliceError> {
///     let text = std::fs::read_to_string("/nonexistent/todos.json")?; // unhandled: 500
///     text.lines()
///         .nth(id as usize)
///         .map(str::to_owned)
///         .ok_or_else(|| ChaliceError::not_found(format!("No todo {id}")))
/// }
///
/// let error = find(3).unwrap_err();
/// assert!(error.is_unhandled());
/// assert_eq!(error.status_code(), 500);
///
/// let error = ChaliceError::not_found("No todo 3");
/// assert_eq!(error.kind(), Some(ErrorKind::NotFoundError));
/// assert_eq!(error.to_string(), "NotFoundError: No todo 3");
/// ```
pub struct ChaliceError {
    repr: Box<Repr>,
}

enum Repr {
    View {
        kind: ErrorKind,
        message: Cow<'static, str>,
    },
    Unhandled(Unhandled),
}

/// What is kept of an unhandled error for the log, the debug page and error handlers.
pub(crate) struct Unhandled {
    pub(crate) error: Box<dyn std::error::Error + Send + Sync + 'static>,
    /// Where the view's code failed: the `?` that converted the error, or the panic.
    /// Captured only while a debug app runs view code (see `in_view.rs`).
    pub(crate) backtrace: Option<String>,
}

impl ChaliceError {
    /// An error of `kind` whose `message` is sent to the client.
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        ChaliceError {
            repr: Box::new(Repr::View {
                kind,
                message: message.into(),
            }),
        }
    }

    /// An unhandled error: logged, and answered with a 500 that hides it (unless `debug`).
    pub fn unhandled(error: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        let backtrace = in_view::capture_backtrace();
        ChaliceError {
            repr: Box::new(Repr::Unhandled(Unhandled {
                error: error.into(),
                backtrace,
            })),
        }
    }

    pub(crate) fn from_unhandled(unhandled: Unhandled) -> Self {
        ChaliceError {
            repr: Box::new(Repr::Unhandled(unhandled)),
        }
    }

    /// `ChaliceViewError`: 500 with a message shown to the client.
    pub fn view_error(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::ChaliceViewError, message)
    }
    /// `BadRequestError`: 400.
    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::BadRequestError, message)
    }
    /// `UnauthorizedError`: 401.
    pub fn unauthorized(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::UnauthorizedError, message)
    }
    /// `ForbiddenError`: 403.
    pub fn forbidden(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::ForbiddenError, message)
    }
    /// `NotFoundError`: 404.
    pub fn not_found(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::NotFoundError, message)
    }
    /// `MethodNotAllowedError`: 405.
    pub fn method_not_allowed(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::MethodNotAllowedError, message)
    }
    /// `RequestTimeoutError`: 408.
    pub fn request_timeout(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::RequestTimeoutError, message)
    }
    /// `ConflictError`: 409.
    pub fn conflict(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::ConflictError, message)
    }
    /// `UnprocessableEntityError`: 422.
    pub fn unprocessable_entity(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::UnprocessableEntityError, message)
    }
    /// `TooManyRequestsError`: 429.
    pub fn too_many_requests(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::TooManyRequestsError, message)
    }

    /// The kind, or `None` for an unhandled error.
    pub fn kind(&self) -> Option<ErrorKind> {
        match &*self.repr {
            Repr::View { kind, .. } => Some(*kind),
            Repr::Unhandled(_) => None,
        }
    }

    /// Whether this is an unhandled error (answered with a generic 500).
    pub fn is_unhandled(&self) -> bool {
        matches!(*self.repr, Repr::Unhandled(_))
    }

    /// The HTTP status this error answers with.
    pub fn status_code(&self) -> u16 {
        self.kind().map_or(500, ErrorKind::status_code)
    }

    /// The message: what the client reads for a kind, the error's text for an unhandled one.
    pub fn message(&self) -> Cow<'_, str> {
        match &*self.repr {
            Repr::View { message, .. } => Cow::Borrowed(message),
            Repr::Unhandled(unhandled) => Cow::Owned(unhandled.error.to_string()),
        }
    }

    /// The underlying error of an unhandled error, for downcasting to your own type.
    pub fn source_error(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        match &*self.repr {
            Repr::Unhandled(unhandled) => Some(&*unhandled.error),
            Repr::View { .. } => None,
        }
    }

    /// The error of type `E` this unhandled error is, or wraps: the error itself or the
    /// first of its causes (`source()` chain) of that type, the same match
    /// [`app.error_handler`](crate::Chalice::error_handler) makes. `None` for one of
    /// Chalice's kinds, or when no error in the chain is an `E`.
    ///
    /// Middleware use it to map errors to answers of their own, reading the error that
    /// [`Response::error`](crate::Response::error) keeps:
    ///
    /// ```
    /// use chalice_core::ChaliceError;
    ///
    /// let error = ChaliceError::from(std::io::Error::other("disk on fire"));
    /// let io = error.downcast_ref::<std::io::Error>().expect("an io::Error");
    /// assert_eq!(io.to_string(), "disk on fire");
    /// assert!(error.downcast_ref::<std::fmt::Error>().is_none());
    /// assert!(ChaliceError::not_found("no").downcast_ref::<std::io::Error>().is_none());
    /// ```
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(self.source_error()?);
        while let Some(current) = cause {
            if let Some(typed) = current.downcast_ref::<E>() {
                return Some(typed);
            }
            cause = current.source();
        }
        None
    }

    /// What the client reads: the status, the `Code` and the `Message` of the JSON body. An
    /// unhandled error hides itself behind Chalice's generic 500. Made into a response by
    /// [`ChaliceError::to_response`], next to the other responses in `response.rs`.
    pub(crate) fn client_answer(&self) -> (u16, &'static str, &str) {
        match &*self.repr {
            Repr::View { kind, message } => (kind.status_code(), kind.code(), message),
            Repr::Unhandled(_) => (
                500,
                "InternalServerError",
                "An internal server error occurred.",
            ),
        }
    }

    /// The error, its causes and, when one was taken, its backtrace: the text of the debug
    /// page, of the log line an unhandled error makes, and of what the test client prints
    /// for one. A panic's message says where the code panicked.
    ///
    /// ```
    /// use chalice_core::ChaliceError;
    ///
    /// #[derive(Debug)]
    /// struct Outer(std::io::Error);
    /// impl std::fmt::Display for Outer {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    ///         f.write_str("could not save the note")
    ///     }
    /// }
    /// impl std::error::Error for Outer {
    ///     fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
    ///         Some(&self.0)
    ///     }
    /// }
    ///
    /// let error = ChaliceError::from(Outer(std::io::Error::other("disk full")));
    /// assert_eq!(error.report(), "could not save the note\n\nCaused by:\n    disk full");
    /// assert_eq!(ChaliceError::not_found("no note 7").report(), "NotFoundError: no note 7");
    /// ```
    pub fn report(&self) -> String {
        let mut report = self.to_string();
        if let Repr::Unhandled(unhandled) = &*self.repr {
            let mut source = unhandled.error.source();
            if source.is_some() {
                report.push_str("\n\nCaused by:");
            }
            while let Some(cause) = source {
                report.push_str("\n    ");
                report.push_str(&cause.to_string());
                source = cause.source();
            }
            if let Some(backtrace) = &unhandled.backtrace {
                report.push_str("\n\nBacktrace:\n");
                report.push_str(backtrace);
            }
        }
        report
    }
}

impl fmt::Display for ChaliceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.repr {
            Repr::View { kind, message } => write!(f, "{kind}: {message}"),
            Repr::Unhandled(unhandled) => fmt::Display::fmt(&unhandled.error, f),
        }
    }
}

impl fmt::Debug for ChaliceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.repr {
            Repr::View { kind, message } => f
                .debug_struct("ChaliceError")
                .field("kind", kind)
                .field("message", message)
                .finish(),
            Repr::Unhandled(unhandled) => f
                .debug_struct("ChaliceError")
                .field("unhandled", &unhandled.error)
                .finish(),
        }
    }
}

impl<E> From<E> for ChaliceError
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn from(error: E) -> Self {
        ChaliceError::unhandled(error)
    }
}

/// A plain message as an unhandled error (for failures found by dispatch itself).
#[derive(Debug)]
pub(crate) struct MessageError(pub(crate) String);

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MessageError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_chalice_status_and_code() {
        let table = [
            (ErrorKind::ChaliceViewError, 500, "ChaliceViewError"),
            (ErrorKind::BadRequestError, 400, "BadRequestError"),
            (ErrorKind::UnauthorizedError, 401, "UnauthorizedError"),
            (ErrorKind::ForbiddenError, 403, "ForbiddenError"),
            (ErrorKind::NotFoundError, 404, "NotFoundError"),
            (
                ErrorKind::MethodNotAllowedError,
                405,
                "MethodNotAllowedError",
            ),
            (ErrorKind::RequestTimeoutError, 408, "RequestTimeoutError"),
            (ErrorKind::ConflictError, 409, "ConflictError"),
            (
                ErrorKind::UnprocessableEntityError,
                422,
                "UnprocessableEntityError",
            ),
            (ErrorKind::TooManyRequestsError, 429, "TooManyRequestsError"),
        ];
        assert_eq!(table.len(), ErrorKind::ALL.len());
        for (kind, status, code) in table {
            assert_eq!((kind.status_code(), kind.code()), (status, code));
            let response = ChaliceError::new(kind, "boom").to_response();
            assert_eq!(response.status_code, status);
            assert_eq!(
                response.body,
                format!(r#"{{"Code":"{code}","Message":"boom"}}"#)
            );
        }
    }

    #[test]
    fn std_errors_become_unhandled_with_their_causes() {
        let io = std::io::Error::other("disk on fire");
        let error = ChaliceError::from(io);
        assert!(error.is_unhandled());
        assert_eq!(error.status_code(), 500);
        assert_eq!(error.kind(), None);
        assert!(error.report().starts_with("disk on fire"));
        assert!(
            error
                .source_error()
                .expect("unhandled")
                .downcast_ref::<std::io::Error>()
                .is_some()
        );
    }
}
