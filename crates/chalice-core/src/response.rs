//! What a view returns: [`Response`], and the [`IntoResponse`] conversions for plain values.

use std::borrow::Cow;
use std::cell::Cell;

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use crate::error::ChaliceError;
use crate::headers::Headers;

/// An HTTP response (Chalice's `Response(body, headers, status_code)`).
///
/// The fields are public, as in Chalice, so middleware can read and change them; the
/// builder methods of the same names set them in a chain.
///
/// A response without a `Content-Type` is sent as `application/json`, as API Gateway does.
/// Bytes (`Vec<u8>`, [`Bytes`]) default to `application/octet-stream`, a binary type.
///
/// ```
/// use chalice_core::{Json, Response};
/// use serde_json::json;
///
/// let created = Response::new(Json(json!({"id": 7})))
///     .status_code(201)
///     .header("Location", "/todos/7");
/// assert_eq!(created.status_code, 201);
/// assert_eq!(created.body, r#"{"id":7}"#);
/// assert_eq!(created.headers.get("content-type"), Some("application/json"));
///
/// let text = Response::new("plain words").header("Content-Type", "text/plain");
/// assert_eq!(text.body, "plain words");
///
/// let cookies = Response::new("")
///     .append_header("Set-Cookie", "a=1")
///     .append_header("Set-Cookie", "b=2");
/// assert_eq!(cookies.headers.get_all("set-cookie").count(), 2);
/// ```
#[derive(Debug)]
pub struct Response {
    /// The HTTP status (default 200).
    pub status_code: u16,
    /// The headers: several values for a name become `multiValueHeaders` on Lambda.
    pub headers: Headers,
    /// The body, sent as is (base64-encoded on Lambda when its type is binary).
    pub body: Bytes,
    /// A failure found while building the response (a body that did not serialize), raised
    /// by dispatch as an unhandled error instead of sending a broken response.
    deferred: Option<ChaliceError>,
    /// Set by dispatch, which judges it once per response: the body is of one of the app's
    /// binary types.
    pub(crate) binary: bool,
    /// The error dispatch made this response from, for middleware and the test client
    /// ([`Response::error`]).
    error: Option<ChaliceError>,
    /// An error handler made this response from `error` ([`Response::unhandled_error`]).
    error_handled: bool,
    /// Set on the route's own answer, which has the route's CORS headers already: dispatch
    /// adds them after the middleware only to responses a middleware made itself, so that a
    /// middleware may change or remove them.
    pub(crate) from_route: bool,
}

impl Response {
    /// A 200 response with `body`: text, bytes, [`serde_json::Value`] or [`Json`].
    pub fn new(body: impl IntoBody) -> Self {
        let mut response = Response {
            status_code: 200,
            headers: Headers::new(),
            body: Bytes::new(),
            deferred: None,
            binary: false,
            error: None,
            error_handled: false,
            from_route: false,
        };
        match body.into_body() {
            Ok((bytes, content_type)) => {
                response.body = bytes;
                match content_type {
                    // Ours are constants: no name to parse, no value to check.
                    Some(ours @ ("application/json" | "application/octet-stream")) => {
                        response.headers.as_header_map_mut().insert(
                            http::header::CONTENT_TYPE,
                            http::HeaderValue::from_static(ours),
                        );
                    }
                    // Another `IntoBody`'s, checked as any header is.
                    Some(other) => response.headers.insert("content-type", other),
                    None => {}
                }
            }
            Err(error) => response.deferred = Some(error),
        }
        response
    }

    /// A 200 response with `value` serialized as compact JSON, `Content-Type:
    /// application/json`. A value that fails to serialize (a map with non-string keys, say)
    /// makes the request an unhandled error (a 500, logged), never a malformed body.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Self {
        Response::new(Json(value))
    }

    /// Sets the HTTP status.
    #[must_use]
    pub fn status_code(mut self, status: u16) -> Self {
        self.status_code = status;
        self
    }

    /// Sets header `name` to `value`, replacing earlier values.
    #[must_use]
    pub fn header(mut self, name: &str, value: impl AsRef<str>) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Adds a value to header `name` (for multi-valued headers such as `Set-Cookie`).
    #[must_use]
    pub fn append_header(mut self, name: &str, value: impl AsRef<str>) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Sets several headers: each pair replaces earlier values of its name, except that
    /// pairs of the same name within `headers` all stay (multi-valued).
    #[must_use]
    pub fn headers<I, N, V>(mut self, headers: I) -> Self
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<str>,
        V: AsRef<str>,
    {
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in headers {
            let key = name.as_ref().to_ascii_lowercase();
            if seen.contains(&key) {
                self.headers.append(name.as_ref(), value);
            } else {
                self.headers.insert(name.as_ref(), value);
                seen.push(key);
            }
        }
        self
    }

    /// Whether dispatch judged the body to be of one of the app's binary types, which API
    /// Gateway wants base64-encoded. For adapters: a response dispatch did not make says
    /// `false`.
    #[doc(hidden)]
    pub fn is_binary(&self) -> bool {
        self.binary
    }

    /// The body as text, if it is UTF-8.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }

    /// The error this response was made from, if dispatch made it from one: a view's (or a
    /// middleware's) [`ChaliceError`], already turned into the answer the client gets
    /// (`{"Code":"NotFoundError",...}` with its status, the 500 of an unhandled error, or
    /// what an [`error_handler`](crate::Chalice::error_handler) made of it).
    ///
    /// Middleware read it to tell an error's answer from a view's own, to map an error of
    /// their own type to another answer ([`ChaliceError::downcast_ref`]), or to report it.
    /// [`Response::unhandled_error`] tells the 500 of an unhandled error from the rest. A
    /// response a view or a middleware made itself has none; nor have the app's own answers
    /// (405, 415, the binary 400), which no view's error caused.
    ///
    /// ```
    /// use chalice_core::{Chalice, ChaliceError, EventType, Next, Request, Response};
    ///
    /// #[derive(Debug)]
    /// struct Maintenance;
    /// impl std::fmt::Display for Maintenance {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    ///         f.write_str("the store is down for maintenance")
    ///     }
    /// }
    /// impl std::error::Error for Maintenance {}
    ///
    /// let mut app = Chalice::new("app");
    /// app.middleware(EventType::Http, |request: Request, next: Next| async move {
    ///     let response = next.run(request).await;
    ///     match response.error() {
    ///         Some(error) if error.downcast_ref::<Maintenance>().is_some() => {
    ///             Response::new("back soon").status_code(503).header("Retry-After", "60")
    ///         }
    ///         _ => response,
    ///     }
    /// });
    /// app.route("/", || -> Result<String, ChaliceError> { Err(Maintenance)? });
    /// ```
    pub fn error(&self) -> Option<&ChaliceError> {
        self.error.as_ref()
    }

    /// The error, if this response is the 500 of an unhandled error: an error that is none
    /// of Chalice's kinds ([`ChaliceError::is_unhandled`]) and that no
    /// [`error_handler`](crate::Chalice::error_handler) answered, or a panic. `None` for
    /// every other response, one an error handler made included ([`Response::error`] still
    /// gives its error).
    ///
    /// ```
    /// use chalice_core::{Chalice, ChaliceError, EventType, Next, Request, Response};
    ///
    /// let mut app = Chalice::new("app");
    /// app.error_handler(|_: &std::num::ParseIntError| Response::new("not a number").status_code(400));
    /// app.middleware(EventType::Http, |request: Request, next: Next| async move {
    ///     let mut response = next.run(request).await;
    ///     if let Some(error) = response.unhandled_error() {
    ///         let incident = format!("incident: {}", error.message());
    ///         response.headers.insert("x-incident", incident);
    ///     }
    ///     response
    /// });
    /// app.route("/count", || -> Result<String, ChaliceError> { Ok("x".parse::<u8>()?.to_string()) });
    /// app.route("/disk", || -> Result<String, ChaliceError> { Err(std::io::Error::other("full"))? });
    /// # let gateway = chalice_core::adapter::Gateway::new(std::sync::Arc::new(app));
    /// # let get = |path| chalice_core::__private::block_on(gateway.handle(chalice_core::adapter::HttpRequest::new(chalice_core::Method::GET, path)));
    /// // The handler's 400 still holds the error, but it was handled.
    /// let response = get("/count");
    /// assert_eq!((response.status_code, response.headers.get("x-incident")), (400, None));
    /// assert!(response.error().is_some_and(|e| e.downcast_ref::<std::num::ParseIntError>().is_some()));
    /// let response = get("/disk");
    /// assert_eq!((response.status_code, response.headers.get("x-incident")), (500, Some("incident: full")));
    /// ```
    pub fn unhandled_error(&self) -> Option<&ChaliceError> {
        self.error
            .as_ref()
            .filter(|error| error.is_unhandled() && !self.error_handled)
    }

    /// Takes the error this response was made from out of it ([`Response::error`]), for
    /// whoever reports it: the test client prints an unhandled one to the test's output.
    ///
    /// ```
    /// use chalice_core::{ChaliceError, Chalice, Method, Route};
    /// use chalice_core::adapter::RouteMatch;
    /// # let block_on = chalice_core::__private::block_on;
    ///
    /// let mut app = Chalice::new("app");
    /// app.register(Route::new("/", || -> Result<String, ChaliceError> {
    ///     Err(std::io::Error::other("disk on fire"))?
    /// }));
    /// let route = RouteMatch::by_template(&app, "/", &Method::GET).expect("a route");
    /// let request = chalice_core::Request::builder(Method::GET, "/").build();
    /// let mut response = block_on(route.handle(request));
    /// let error = response.take_error().expect("made from the view's error");
    /// assert!(error.is_unhandled());
    /// assert_eq!(error.report(), "disk on fire");
    /// assert!(response.error().is_none());
    /// ```
    pub fn take_error(&mut self) -> Option<ChaliceError> {
        self.error_handled = false;
        self.error.take()
    }

    /// Keeps `error` as the one this response was made from.
    pub(crate) fn made_from(mut self, error: ChaliceError) -> Self {
        self.error = Some(error);
        self
    }

    /// Keeps `error` as the one an error handler made this response from.
    pub(crate) fn handled_from(mut self, error: ChaliceError) -> Self {
        self.error = Some(error);
        self.error_handled = true;
        self
    }

    /// The error that makes this response unsendable, if any (dispatch raises it).
    pub(crate) fn take_deferred_error(&mut self) -> Option<ChaliceError> {
        if let Some(error) = self.deferred.take() {
            return Some(error);
        }
        self.headers
            .invalid()
            .map(|invalid| ChaliceError::unhandled(invalid.to_owned()))
    }

    /// The response, or the error that keeps it from being sent: a deferred failure (a body
    /// that did not serialize, a header HTTP cannot carry) or a status outside 100–599.
    /// `made_by` names who returned it, for the message.
    pub(crate) fn checked(mut self, made_by: &str) -> Result<Self, ChaliceError> {
        if let Some(error) = self.take_deferred_error() {
            return Err(error);
        }
        if !(100..=599).contains(&self.status_code) {
            let message = format!(
                "Invalid status code {} returned by the {made_by}",
                self.status_code
            );
            return Err(ChaliceError::unhandled(crate::error::MessageError(message)));
        }
        Ok(self)
    }

    /// Chalice's JSON error answer: `{"Code":code,"Message":message}` with `status`.
    pub(crate) fn error_json(status: u16, code: &str, message: &str) -> Self {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "Code")]
            code: &'a str,
            #[serde(rename = "Message")]
            message: &'a str,
        }
        let body = serde_json::to_vec(&Body { code, message })
            .expect("a struct of two strings always serializes");
        Response::new(body)
            .status_code(status)
            .header("content-type", "application/json")
    }
}

impl ChaliceError {
    /// The response this error answers with: `{"Code":"...","Message":"..."}` and the kind's
    /// status, or for an unhandled error the 500 that hides it (the debug page, which needs
    /// the app's `debug`, is made by dispatch).
    ///
    /// ```
    /// use chalice_core::ChaliceError;
    ///
    /// let response = ChaliceError::bad_request("Invalid base64 body").to_response();
    /// assert_eq!(response.status_code, 400);
    /// assert_eq!(response.body, r#"{"Code":"BadRequestError","Message":"Invalid base64 body"}"#);
    /// assert_eq!(response.headers.get("content-type"), Some("application/json"));
    /// ```
    pub fn to_response(&self) -> Response {
        let (status, code, message) = self.client_answer();
        Response::error_json(status, code, message)
    }
}

impl Default for Response {
    fn default() -> Self {
        Response::new(())
    }
}

/// A body for [`Response::new`]: its bytes, and the `Content-Type` it implies, if any.
///
/// Implemented for text (no type: sent as `application/json`, as API Gateway and Chalice
/// do), bytes (`application/octet-stream`), [`serde_json::Value`] and [`Json`]
/// (`application/json`), and `()` (JSON `null`).
pub trait IntoBody {
    /// The body's bytes and implied content type, or why it could not be made.
    fn into_body(self) -> Result<(Bytes, Option<&'static str>), ChaliceError>;
}

impl IntoBody for String {
    fn into_body(self) -> Result<(Bytes, Option<&'static str>), ChaliceError> {
        Ok((Bytes::from(self), None))
    }
}

impl IntoBody for &'static str {
    fn into_body(self) -> Result<(Bytes, Option<&'static str>), ChaliceError> {
        Ok((Bytes::from_static(self.as_bytes()), None))
    }
}

impl IntoBody for Cow<'static, str> {
    fn into_body(self) -> Result<(Bytes, Option<&'static str>), ChaliceError> {
        match self {
            Cow::Borrowed(text) => text.into_body(),
            Cow::Owned(text) => text.into_body(),
        }
    }
}

impl IntoBody for Vec<u8> {
    fn into_body(self) -> Result<(Bytes, Option<&'static str>), ChaliceError> {
        Ok((Bytes::from(self), Some("application/octet-stream")))
    }
}

impl IntoBody for Bytes {
    fn into_body(self) -> Result<(Bytes, Option<&'static str>), ChaliceError> {
        Ok((self, Some("application/octet-stream")))
    }
}

impl IntoBody for &'static [u8] {
    fn into_body(self) -> Result<(Bytes, Option<&'static str>), ChaliceError> {
        Ok((Bytes::from_static(self), Some("application/octet-stream")))
    }
}

impl IntoBody for Value {
    fn into_body(self) -> Result<(Bytes, Option<&'static str>), ChaliceError> {
        Json(self).into_body()
    }
}

impl IntoBody for () {
    fn into_body(self) -> Result<(Bytes, Option<&'static str>), ChaliceError> {
        Ok((Bytes::from_static(b"null"), Some("application/json")))
    }
}

impl<T: Serialize> IntoBody for Json<T> {
    fn into_body(self) -> Result<(Bytes, Option<&'static str>), ChaliceError> {
        // Serialized into the thread's buffer, kept between calls, then copied out at its
        // exact size: a fresh `Vec` grew from empty (or from a guess) through a realloc and
        // a copy per doubling (four for a 1 KB body), and `Bytes` of a `Vec` with spare room
        // allocates a header of its own. A serializer that makes a `Json` body itself finds
        // the buffer taken and uses a fresh one.
        thread_local! {
            static BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
        }
        /// Larger buffers are dropped after use rather than kept for the thread's life.
        const KEEP: usize = 64 * 1024;
        let mut buffer = BUFFER.with(Cell::take);
        buffer.clear();
        let written = serde_json::to_writer(&mut buffer, &self.0);
        let body = written.map(|()| Bytes::copy_from_slice(&buffer));
        if buffer.capacity() <= KEEP {
            BUFFER.with(|kept| kept.set(buffer));
        }
        Ok((
            body.map_err(ChaliceError::unhandled)?,
            Some("application/json"),
        ))
    }
}

/// Any [`Serialize`] value, sent as compact JSON with `Content-Type: application/json`.
///
/// ```
/// use chalice_core::Json;
///
/// #[derive(serde::Serialize)]
/// struct User { name: String }
///
/// fn show() -> Json<User> {
///     Json(User { name: "bob".into() })
/// }
/// # let _ = show;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

/// What a view may return: anything that becomes a [`Response`], or the error it failed with.
///
/// Implemented for [`Response`], text (`String`, `&'static str`), bytes (`Vec<u8>`,
/// [`Bytes`]), [`serde_json::Value`] and [`Json`], `()` (JSON `null`), `Option<T>` (`None`
/// is JSON `null`, as a Python view returning `None`), [`ChaliceError`], and
/// `Result<T, E>` for any `E` that converts into a [`ChaliceError`] (every
/// `std::error::Error` does, as an unhandled error).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a Chalice view",
    label = "not a response",
    note = "return a Response, a String or &'static str, bytes, serde_json::Value, Json<T> for any T: Serialize, \
            (), an Option of one of these, or a Result of one of these and an error"
)]
pub trait IntoResponse {
    /// The response, or the error the view failed with.
    fn into_response(self) -> Result<Response, ChaliceError>;
}

impl IntoResponse for Response {
    fn into_response(self) -> Result<Response, ChaliceError> {
        Ok(self)
    }
}

macro_rules! body_into_response {
    ($($ty:ty),*) => {$(
        impl IntoResponse for $ty {
            fn into_response(self) -> Result<Response, ChaliceError> {
                Ok(Response::new(self))
            }
        }
    )*};
}

body_into_response!(
    String,
    &'static str,
    Cow<'static, str>,
    Vec<u8>,
    Bytes,
    &'static [u8],
    Value,
    ()
);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Result<Response, ChaliceError> {
        Ok(Response::new(self))
    }
}

impl<T: IntoResponse> IntoResponse for Option<T> {
    fn into_response(self) -> Result<Response, ChaliceError> {
        match self {
            Some(value) => value.into_response(),
            None => Ok(Response::new(())),
        }
    }
}

impl IntoResponse for ChaliceError {
    fn into_response(self) -> Result<Response, ChaliceError> {
        Err(self)
    }
}

impl<T, E> IntoResponse for Result<T, E>
where
    T: IntoResponse,
    E: Into<ChaliceError>,
{
    fn into_response(self) -> Result<Response, ChaliceError> {
        self.map_err(Into::into)?.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn sent(value: impl IntoResponse) -> (u16, Option<String>, String) {
        let response = value.into_response().expect("a response");
        let content_type = response.headers.get("content-type").map(str::to_owned);
        (
            response.status_code,
            content_type,
            String::from_utf8_lossy(&response.body).into_owned(),
        )
    }

    #[test]
    fn return_values_become_responses() {
        let json_type = Some("application/json".to_owned());
        let octets = Some("application/octet-stream".to_owned());
        assert_eq!(
            sent(json!({"hello": "world"})),
            (200, json_type.clone(), r#"{"hello":"world"}"#.into())
        );
        assert_eq!(
            sent(json!({"b": 1, "a": 2})),
            (200, json_type.clone(), r#"{"b":1,"a":2}"#.into())
        );
        assert_eq!(
            sent(Json(vec![1, 2])),
            (200, json_type.clone(), "[1,2]".into())
        );
        assert_eq!(sent("text"), (200, None, "text".into()));
        assert_eq!(sent(String::from("owned")), (200, None, "owned".into()));
        assert_eq!(sent(vec![0u8, 1]), (200, octets.clone(), "\0\u{1}".into()));
        assert_eq!(sent(Bytes::from_static(b"b")), (200, octets, "b".into()));
        assert_eq!(sent(()), (200, json_type.clone(), "null".into()));
        assert_eq!(
            sent(None::<String>),
            (200, json_type.clone(), "null".into())
        );
        assert_eq!(sent(Some("x")), (200, None, "x".into()));
        assert_eq!(
            sent(Ok::<_, ChaliceError>(Json(1))),
            (200, json_type, "1".into())
        );
        assert_eq!(
            sent(Response::new("x").status_code(418)),
            (418, None, "x".into())
        );
    }

    #[test]
    fn errors_pass_through() {
        let error = Err::<String, _>(ChaliceError::conflict("taken"))
            .into_response()
            .expect_err("error");
        assert_eq!(error.status_code(), 409);
        let error = Err::<String, _>(std::io::Error::other("io"))
            .into_response()
            .expect_err("error");
        assert!(error.is_unhandled());
    }

    #[test]
    fn error_messages_are_json_escaped() {
        let response = Response::error_json(400, "BadRequestError", "quote \" and \n newline");
        assert_eq!(
            response.body,
            br#"{"Code":"BadRequestError","Message":"quote \" and \n newline"}"#[..]
        );
    }

    #[test]
    fn unserializable_json_is_deferred_not_sent() {
        let mut bad: BTreeMap<Vec<u8>, u8> = BTreeMap::new();
        bad.insert(vec![1], 1);
        let mut response = Response::json(&bad);
        let error = response.take_deferred_error().expect("deferred");
        assert!(error.is_unhandled());
        assert!(
            error.to_string().contains("key must be a string"),
            "{error}"
        );
    }

    #[test]
    fn bad_headers_are_deferred() {
        let mut response = Response::new("x").header("X-A", "1\n2");
        assert_eq!(
            response
                .take_deferred_error()
                .expect("deferred")
                .to_string(),
            r#"Bad value for header 'X-A': "1\n2""#
        );
    }

    #[test]
    fn headers_builder_keeps_repeats_within_one_call() {
        let response = Response::new("").header("X-A", "old").headers([
            ("X-A", "1"),
            ("x-a", "2"),
            ("X-B", "3"),
        ]);
        assert_eq!(
            response.headers.get_all("x-a").collect::<Vec<_>>(),
            ["1", "2"]
        );
        assert_eq!(response.headers.get("x-b"), Some("3"));
    }
}
