//! The request a view handles (Chalice's `app.current_request`).

use std::fmt;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http::Method;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use crate::error::ChaliceError;
use crate::headers::{HeaderSource, Headers};
use crate::lambda_context::LambdaContext;
use crate::params::{MultiDict, Params};
use crate::state::StateMap;

/// An HTTP request as API Gateway hands it to Lambda, read-only to views.
///
/// A cheap handle: cloning it copies a pointer, so views, [`crate::current_request`] and
/// spawned tasks can all hold it. The local server, the test client and the Lambda adapter
/// each build one with [`Request::builder`] for the route they found, and hand it to
/// [`RouteMatch::handle`](crate::adapter::RouteMatch::handle). Tests of code that reads a
/// request can build one the same way.
///
/// ```
/// use chalice_core::{Method, Request};
///
/// let request = Request::builder(Method::POST, "/users/{name}")
///     .header("Content-Type", "application/json")
///     .uri_param("name", "bob")
///     .query_string("verbose=1")
///     .body(r#"{"age": 42}"#)
///     .build();
/// assert_eq!(request.method(), Method::POST);
/// assert_eq!(request.path(), "/users/{name}");
/// assert_eq!(request.uri_param("name"), Some("bob"));
/// assert_eq!(request.query_param("verbose"), Some("1"));
/// assert_eq!(request.json_body().unwrap().unwrap()["age"], 42);
/// ```
#[derive(Clone)]
pub struct Request {
    inner: Arc<Inner>,
}

struct Inner {
    method: Method,
    path: Arc<str>,
    /// Set by the builder, or built from `header_source` on first use.
    headers: OnceLock<Headers>,
    header_source: Option<Box<dyn HeaderSource>>,
    query_params: Option<MultiDict>,
    uri_params: Option<Params>,
    /// Whether `uri_params` arrived percent-decoded (an HTTP API's payload 2.0) rather than
    /// as sent (a REST API, the local server, the test client).
    uri_params_decoded: bool,
    stage_vars: Option<Params>,
    raw_body: Bytes,
    context_source: ContextSource,
    context: OnceLock<Value>,
    lambda_context: Option<LambdaContext>,
    /// The event's JSON text, as the Lambda adapter received it.
    original_event: Option<Bytes>,
    /// The app's state ([`crate::Chalice::state`]); `None` for an app without any.
    state: Option<Arc<StateMap>>,
    /// `Err(())` remembers that the body did not parse, so a retry answers the same 400.
    json_body: OnceLock<Result<Value, ()>>,
}

impl Request {
    /// Starts a request for `method` on the route whose path template is `path`.
    pub fn builder(method: Method, path: impl Into<Arc<str>>) -> RequestBuilder {
        RequestBuilder {
            inner: Arc::new(Inner {
                method,
                path: path.into(),
                headers: OnceLock::new(),
                header_source: None,
                query_params: None,
                uri_params: None,
                uri_params_decoded: false,
                stage_vars: None,
                raw_body: Bytes::new(),
                context_source: ContextSource::Empty,
                context: OnceLock::new(),
                lambda_context: None,
                original_event: None,
                state: None,
                json_body: OnceLock::new(),
            }),
        }
    }

    /// The HTTP method (`GET`, `POST`, ...).
    pub fn method(&self) -> &Method {
        &self.inner.method
    }

    /// The path template of the route that matched, such as `/users/{name}` (Chalice reads
    /// it from `requestContext.resourcePath`). The concrete path is `context()["path"]`.
    pub fn path(&self) -> &str {
        &self.inner.path
    }

    /// The request headers: case-insensitive, multi-valued.
    pub fn headers(&self) -> &Headers {
        self.inner.headers()
    }

    /// The last value of header `name` (case-insensitive): `headers().get(name)`, without
    /// building the headers when the adapter handed them over unbuilt
    /// ([`RequestBuilder::header_source`]).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.inner.header(name)
    }

    /// The query parameters, or `None` when the request had no query string (as in Chalice).
    pub fn query_params(&self) -> Option<&MultiDict> {
        self.inner.query_params.as_ref()
    }

    /// The last value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.inner.query_params.as_ref()?.get(name)
    }

    /// The route's captures by name, as API Gateway passes them to the function
    /// (`pathParameters`), or `None` for a route without captures (as API Gateway sends
    /// `pathParameters: null`).
    ///
    /// Values are **not** percent-decoded. A REST API hands each path segment over as the
    /// client sent it: `GET /users/john%20doe` gives `name` = `john%20doe`, and `a%2Fb` stays
    /// one segment (aws/chalice#511; Chalice passes these values on as they are). The local
    /// server and the test client, which answer as a REST API does, give the same values;
    /// characters a URL cannot carry raw (a space, `|`, non-ASCII) arrive percent-encoded,
    /// as they do through API Gateway. Typed parameters of a `#[route]` view are decoded
    /// (`name: String` is `john doe`) on every front door alike: take the capture that way
    /// when you want its text. HTTP APIs (payload 2.0) decode the path before they route it,
    /// so on them these values arrive decoded.
    ///
    /// ```
    /// use chalice_core::{Method, Request};
    ///
    /// let request = Request::builder(Method::GET, "/users/{name}").uri_param("name", "john%20doe").build();
    /// assert_eq!(request.uri_param("name"), Some("john%20doe"));
    /// ```
    pub fn uri_params(&self) -> Option<&Params> {
        self.inner.uri_params.as_ref()
    }

    /// The value of capture `name`, as [`Request::uri_params`] holds it (not decoded).
    pub fn uri_param(&self, name: &str) -> Option<&str> {
        self.inner.uri_params.as_ref()?.get(name)
    }

    /// Whether the captures are percent-encoded, as a REST API sends them: everywhere but
    /// an HTTP API's payload 2.0, whose values API Gateway has already decoded.
    pub(crate) fn uri_params_encoded(&self) -> bool {
        !self.inner.uri_params_decoded
    }

    /// The app's value of type `T` ([`Chalice::state`](crate::Chalice::state)), or `None`
    /// if the app was given none. A `#[route]` view takes it as a
    /// [`State<T>`](crate::State) parameter instead.
    ///
    /// ```
    /// use chalice_core::{Chalice, Request};
    ///
    /// struct Greeting(&'static str);
    ///
    /// let mut app = Chalice::new("hello");
    /// app.state(Greeting("hello"));
    /// app.route("/", |request: &Request| {
    ///     request.state::<Greeting>().map_or("", |greeting| greeting.0).to_owned()
    /// });
    /// ```
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.state_map()?.get::<T>()?.downcast_ref()
    }

    pub(crate) fn state_map(&self) -> Option<&StateMap> {
        self.inner.state.as_deref()
    }

    /// The API Gateway stage variables, or `None` when there are none.
    pub fn stage_vars(&self) -> Option<&Params> {
        self.inner.stage_vars.as_ref()
    }

    /// The body as bytes (base64-decoded already when API Gateway encoded it).
    pub fn raw_body(&self) -> &[u8] {
        &self.inner.raw_body
    }

    /// The body as a shared buffer.
    pub fn raw_body_bytes(&self) -> &Bytes {
        &self.inner.raw_body
    }

    /// The body parsed as JSON, when the `Content-Type` starts with `application/json`.
    ///
    /// `Ok(None)` for other content types (and when the header is absent), as in Chalice. A
    /// body that is not JSON is a 400 `{"Code":"BadRequestError","Message":"Error Parsing
    /// JSON"}`: return the error with `?`. Parsed on first use only, then kept.
    pub fn json_body(&self) -> Result<Option<&Value>, ChaliceError> {
        let is_json = self
            .inner
            .header("content-type")
            .is_some_and(|ct| ct.starts_with("application/json"));
        if !is_json {
            return Ok(None);
        }
        match self.inner.json_body.get_or_init(|| {
            let text = self.body_text().ok_or(())?;
            serde_json::from_str(text).map_err(|_| ())
        }) {
            Ok(value) => Ok(Some(value)),
            Err(()) => Err(ChaliceError::bad_request("Error Parsing JSON")),
        }
    }

    /// The body deserialized into `T`, whatever the `Content-Type` (the route's
    /// `content_types` already checked it).
    ///
    /// Malformed JSON is Chalice's 400 `Error Parsing JSON`; well-formed JSON of the wrong
    /// shape is a 400 that says what is wrong, such as `Invalid JSON body: missing field
    /// `title` at line 1 column 2`.
    ///
    /// ```
    /// # use chalice_core::{Method, Request};
    /// #[derive(Debug, serde::Deserialize)]
    /// struct NewTodo { title: String }
    ///
    /// let request = Request::builder(Method::POST, "/todos").body(r#"{"title":"milk"}"#).build();
    /// assert_eq!(request.json::<NewTodo>().unwrap().title, "milk");
    ///
    /// let request = Request::builder(Method::POST, "/todos").body(r#"{}"#).build();
    /// let error = request.json::<NewTodo>().unwrap_err();
    /// assert_eq!(error.message(), "Invalid JSON body: missing field `title` at line 1 column 2");
    /// ```
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ChaliceError> {
        let Some(text) = self.body_text() else {
            return Err(ChaliceError::bad_request("Error Parsing JSON"));
        };
        serde_json::from_str(text).map_err(|error| match error.classify() {
            serde_json::error::Category::Data => {
                ChaliceError::bad_request(format!("Invalid JSON body: {error}"))
            }
            _ => ChaliceError::bad_request("Error Parsing JSON"),
        })
    }

    /// The body as text, if it is UTF-8: JSON parses from it without checking each string
    /// again (parsing from bytes ran std's check once per string, a tenth of the cost of
    /// reading a 1 KB JSON body).
    fn body_text(&self) -> Option<&str> {
        simdutf8::basic::from_utf8(&self.inner.raw_body).ok()
    }

    /// API Gateway's `requestContext` (an object).
    pub fn context(&self) -> &Value {
        self.inner
            .context
            .get_or_init(|| match &self.inner.context_source {
                // Raw JSON came from a parsed event, so it parses again.
                ContextSource::Raw(raw) => serde_json::from_str(raw.get()).unwrap_or(Value::Null),
                ContextSource::Bytes(bytes) => serde_json::from_slice(bytes).unwrap_or(Value::Null),
                ContextSource::Emulated(origin) => origin.request_context(self),
                ContextSource::Empty => Value::Object(Map::new()),
            })
    }

    /// The Lambda invocation context: request id, deadline, function ARN.
    pub fn lambda_context(&self) -> Option<&LambdaContext> {
        self.inner.lambda_context.as_ref()
    }

    /// The request as Chalice's `Request.to_dict()`: `query_params`, `headers`,
    /// `uri_params`, `method`, `context`, `stage_vars` and `path`.
    pub fn to_dict(&self) -> Value {
        let all = self.inner.headers();
        let headers: Map<String, Value> = all
            .iter()
            .map(|(name, _)| (name.to_owned(), json!(all.get(name))))
            .collect();
        json!({
            "query_params": self.inner.query_params,
            "headers": headers,
            "uri_params": self.inner.uri_params,
            "method": self.inner.method.as_str(),
            "context": self.context(),
            "stage_vars": self.inner.stage_vars,
            "path": &*self.inner.path,
        })
    }

    /// The event this request came from (Chalice's `to_original_event()`): on Lambda the
    /// event as received; locally and in tests, the REST API (v1) proxy event Lambda would
    /// have received. `null` for a request built by hand.
    pub fn to_original_event(&self) -> Value {
        if let Some(event) = &self.inner.original_event {
            return serde_json::from_slice(event).unwrap_or(Value::Null);
        }
        match &self.inner.context_source {
            ContextSource::Emulated(origin) => origin.original_event(self),
            _ => Value::Null,
        }
    }
}

/// Changing a request in place, as middleware do before passing it on: the changed request
/// keeps everything else, [`Request::to_original_event`] included (the event as it came,
/// before any change).
///
/// A request is a shared handle: the first change copies what it shares (the view and
/// [`crate::current_request`] then see the changed copy; holders of the old handle, such as
/// the middleware's own `current_request()`, keep seeing the request as it was).
///
/// ```
/// use chalice_core::{Chalice, EventType, Next, Request};
///
/// let mut app = Chalice::new("app");
/// app.middleware(EventType::Http, |mut request: Request, next: Next| async move {
///     let user = request.header("x-user").unwrap_or("anonymous").to_uppercase();
///     request.headers_mut().insert("x-user", user);
///     request.context_mut()["trace"] = "t-1".into();
///     next.run(request).await
/// });
/// ```
impl Request {
    /// The headers, to change.
    pub fn headers_mut(&mut self) -> &mut Headers {
        self.inner_mut().headers_mut()
    }

    /// Replaces the body (bytes as the view reads them, not base64); [`Request::json_body`]
    /// parses the new one.
    pub fn set_body(&mut self, body: impl Into<Bytes>) {
        let inner = self.inner_mut();
        inner.raw_body = body.into();
        inner.json_body = OnceLock::new();
    }

    /// API Gateway's `requestContext`, to change (add to `authorizer`, say).
    pub fn context_mut(&mut self) -> &mut Value {
        // Parsed (or made) once, then owned by this request.
        self.context();
        let inner = self.inner_mut();
        inner.context_source = ContextSource::Empty;
        inner
            .context
            .get_mut()
            .expect("the context was made just above, and copies keep it")
    }

    /// This request's own `Inner`, copied first if the handle is shared.
    fn inner_mut(&mut self) -> &mut Inner {
        // The gateway emulation makes the event from the request: make it now, while the
        // request is still as it came.
        let emulated = match &self.inner.context_source {
            ContextSource::Emulated(_) => Some((
                serde_json::to_vec(&self.to_original_event()).ok(),
                self.context().clone(),
            )),
            _ => None,
        };
        if Arc::get_mut(&mut self.inner).is_none() {
            self.inner = Arc::new(self.inner.copy());
        }
        let inner = Arc::get_mut(&mut self.inner).expect("a request's own copy is not shared");
        if let Some((event, context)) = emulated {
            inner.original_event = event.map(Bytes::from);
            inner.context = OnceLock::from(context);
            inner.context_source = ContextSource::Empty;
        }
        inner
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.inner.method)
            .field("path", &self.inner.path)
            .field("headers", self.inner.headers())
            .field("query_params", &self.inner.query_params)
            .field("uri_params", &self.inner.uri_params)
            .field("raw_body", &self.inner.raw_body)
            .finish_non_exhaustive()
    }
}

impl Inner {
    fn headers(&self) -> &Headers {
        self.headers.get_or_init(|| match &self.header_source {
            Some(source) => source.build(),
            None => Headers::new(),
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        match (self.headers.get(), &self.header_source) {
            (None, Some(source)) => source.get(name),
            _ => self.headers().get(name),
        }
    }

    /// A copy to change. Headers handed over unbuilt are built (the source is not shared);
    /// an emulated origin is left out, as [`Request::inner_mut`] keeps what it made.
    fn copy(&self) -> Inner {
        Inner {
            method: self.method.clone(),
            path: Arc::clone(&self.path),
            headers: OnceLock::from(self.headers().clone()),
            header_source: None,
            query_params: self.query_params.clone(),
            uri_params: self.uri_params.clone(),
            uri_params_decoded: self.uri_params_decoded,
            stage_vars: self.stage_vars.clone(),
            raw_body: self.raw_body.clone(),
            context_source: match &self.context_source {
                ContextSource::Raw(raw) => ContextSource::Raw(raw.clone()),
                ContextSource::Bytes(bytes) => ContextSource::Bytes(bytes.clone()),
                ContextSource::Empty | ContextSource::Emulated(_) => ContextSource::Empty,
            },
            context: self.context.clone(),
            lambda_context: self.lambda_context.clone(),
            original_event: self.original_event.clone(),
            state: self.state.clone(),
            json_body: self.json_body.clone(),
        }
    }

    /// The headers, built, for the builder to change.
    fn headers_mut(&mut self) -> &mut Headers {
        if self.headers.get().is_none() {
            let built = match self.header_source.take() {
                Some(source) => source.build(),
                None => Headers::new(),
            };
            self.headers = OnceLock::from(built);
        }
        self.header_source = None;
        self.headers
            .get_mut()
            .expect("the headers were initialized just above")
    }
}

/// Where `requestContext` comes from; it becomes a `Value` on first use.
enum ContextSource {
    Empty,
    /// From a Lambda event, as its text.
    Raw(Box<RawValue>),
    /// From a Lambda event, as the bytes of its JSON within the event the request keeps.
    Bytes(Bytes),
    /// From the gateway emulation, which makes it (and the event) when asked.
    Emulated(Box<dyn Emulated>),
}

/// What the gateway emulation knows of a request it built (`gateway/event.rs`): it makes the
/// `requestContext` and the proxy event API Gateway would have sent, only if a view asks.
pub(crate) trait Emulated: Send + Sync {
    /// `requestContext`, for [`Request::context`].
    fn request_context(&self, request: &Request) -> Value;
    /// The REST API (v1) proxy event, for [`Request::to_original_event`].
    fn original_event(&self, request: &Request) -> Value;
}

/// Builds a [`Request`]; see [`Request::builder`].
#[must_use]
pub struct RequestBuilder {
    /// Allocated where the request will live: the setters write into it in place, and
    /// `build` hands it over, instead of moving a 440-byte `Inner` through every setter of
    /// the chain and once more into an `Arc` (about 900 instructions per request).
    inner: Arc<Inner>,
}

impl RequestBuilder {
    /// Appends a header.
    pub fn header(mut self, name: &str, value: impl AsRef<str>) -> Self {
        self.inner_mut().headers_mut().append(name, value);
        self
    }

    /// Parses a query string (without the `?`) into the query parameters.
    pub fn query_string(mut self, query: &str) -> Self {
        self.inner_mut().query_params = MultiDict::parse(query);
        self
    }

    /// Adds one capture.
    pub fn uri_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.inner_mut()
            .uri_params
            .get_or_insert_with(Params::new)
            .insert(name, value);
        self
    }

    /// Sets the stage variables.
    pub fn stage_vars(mut self, vars: Option<Params>) -> Self {
        self.inner_mut().stage_vars = vars;
        self
    }

    /// Sets the body (already base64-decoded).
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.inner_mut().raw_body = body.into();
        self
    }

    /// Sets `requestContext`.
    pub fn context(mut self, context: Value) -> Self {
        self.inner_mut().context = OnceLock::from(context);
        self.inner_mut().context_source = ContextSource::Empty;
        self
    }

    /// Sets the Lambda invocation context.
    pub fn lambda_context(mut self, context: LambdaContext) -> Self {
        self.inner_mut().lambda_context = Some(context);
        self
    }

    /// The request.
    pub fn build(self) -> Request {
        Request { inner: self.inner }
    }

    fn inner_mut(&mut self) -> &mut Inner {
        // Never shared: the builder made the `Arc` and is its only holder until `build`.
        Arc::get_mut(&mut self.inner).expect("a request builder's request is not shared")
    }
}

/// The setters adapters fill a request with, as they received it: public, for the Lambda
/// adapter's crate, but hidden from the docs, as apps never need them.
impl RequestBuilder {
    /// Gives the request `app`'s state ([`crate::Chalice::state`]), for its views: each
    /// front door calls this with the app it routes to.
    #[doc(hidden)]
    pub fn state_of(mut self, app: &crate::Chalice) -> Self {
        self.inner_mut().state = app.state_map().cloned();
        self
    }

    /// Replaces all headers.
    #[doc(hidden)]
    pub fn headers(mut self, headers: impl Into<Headers>) -> Self {
        self.inner_mut().headers = OnceLock::from(headers.into());
        self.inner_mut().header_source = None;
        self
    }

    /// Hands the headers over unbuilt: dispatch looks up the few it needs through
    /// `source`, and [`Request::headers`] builds them all on first use. Replaces headers
    /// set before.
    #[doc(hidden)]
    pub fn header_source(mut self, source: impl HeaderSource) -> Self {
        self.inner_mut().headers = OnceLock::new();
        self.inner_mut().header_source = Some(Box::new(source));
        self
    }

    /// Sets the query parameters (`None`: no query string).
    #[doc(hidden)]
    pub fn query_params(mut self, params: Option<MultiDict>) -> Self {
        self.inner_mut().query_params = params.filter(|p| !p.is_empty());
        self
    }

    /// Sets the route's captures (`None`: the route has none), as API Gateway passed them:
    /// percent-encoded, as a REST API sends them.
    #[doc(hidden)]
    pub fn uri_params(mut self, params: Option<Params>) -> Self {
        self.inner_mut().uri_params = params;
        self.inner_mut().uri_params_decoded = false;
        self
    }

    /// Sets the route's captures as an HTTP API (payload 2.0) passes them: already
    /// percent-decoded, so typed captures take them as they are.
    #[doc(hidden)]
    pub fn uri_params_decoded(mut self, params: Option<Params>) -> Self {
        self.inner_mut().uri_params = params;
        self.inner_mut().uri_params_decoded = true;
        self
    }

    /// Sets `requestContext` as raw JSON, parsed only if a view asks for it (the Lambda
    /// adapter copies the event's text instead of building a tree per request).
    #[doc(hidden)]
    pub fn context_raw(mut self, context: Box<RawValue>) -> Self {
        self.inner_mut().context_source = ContextSource::Raw(context);
        self.inner_mut().context = OnceLock::new();
        self
    }

    /// Sets `requestContext` as the bytes of its JSON, parsed only if a view asks for it.
    /// The Lambda adapter passes a slice of the event it keeps for
    /// [`Request::to_original_event`], so the context is neither copied nor parsed per
    /// request; bytes that are not JSON make `context()` `null`.
    #[doc(hidden)]
    pub fn context_bytes(mut self, context: Bytes) -> Self {
        self.inner_mut().context_source = ContextSource::Bytes(context);
        self.inner_mut().context = OnceLock::new();
        self
    }

    /// Keeps the event's JSON text (UTF-8 bytes, shared with the adapter) for
    /// [`Request::to_original_event`], which parses it when called. For adapters that have
    /// already parsed the text once; a text that does not parse makes `to_original_event`
    /// answer `null`.
    #[doc(hidden)]
    pub fn original_event_bytes(mut self, event: Bytes) -> Self {
        self.inner_mut().original_event = Some(event);
        self
    }

    /// The gateway emulation's `requestContext` and event, made into JSON only if a view
    /// asks for them.
    pub(crate) fn emulated(mut self, origin: Box<dyn Emulated>) -> Self {
        self.inner_mut().context_source = ContextSource::Emulated(origin);
        self.inner_mut().context = OnceLock::new();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(content_type: Option<&str>, body: &'static str) -> Request {
        let builder = Request::builder(Method::POST, "/p").body(body);
        match content_type {
            Some(ct) => builder.header("Content-Type", ct).build(),
            None => builder.build(),
        }
    }

    #[test]
    fn bodies_that_are_not_utf8_are_not_json() {
        // (body) each JSON but for one byte that is not UTF-8
        let cases: &[&[u8]] = &[b"\"\xff\"", b"{\"a\":\"\xc3\"}", b"[1,\"\xed\xa0\x80\"]"];
        for body in cases {
            let request = Request::builder(Method::POST, "/")
                .header("content-type", "application/json")
                .body(*body)
                .build();
            let error = request.json_body().expect_err("not UTF-8");
            assert_eq!(error.message(), "Error Parsing JSON", "{body:?}");
            let error = request.json::<Value>().expect_err("not UTF-8");
            assert_eq!(error.message(), "Error Parsing JSON", "{body:?}");
        }
    }

    #[test]
    fn json_body_follows_chalice() {
        // (content type, body, Ok(Some(json)) / Ok(None) / Err(message))
        let cases: &[(Option<&str>, &str, Result<Option<Value>, &str>)] = &[
            (
                Some("application/json"),
                r#"{"a":1}"#,
                Ok(Some(json!({"a": 1}))),
            ),
            (
                Some("application/json; charset=utf-8"),
                "[1,2]",
                Ok(Some(json!([1, 2]))),
            ),
            (Some("application/json"), "{bad", Err("Error Parsing JSON")),
            (Some("application/json"), "", Err("Error Parsing JSON")),
            (Some("application/json"), "null", Ok(Some(Value::Null))),
            (Some("text/plain"), r#"{"a":1}"#, Ok(None)),
            (None, r#"{"a":1}"#, Ok(None)),
            (Some("Application/JSON"), r#"{"a":1}"#, Ok(None)),
        ];
        for (content_type, body, expected) in cases {
            let request = post(*content_type, body);
            let got = request.json_body().map(|v| v.cloned()).map_err(|e| {
                assert_eq!(e.status_code(), 400);
                e.message().into_owned()
            });
            assert_eq!(
                got,
                expected.clone().map_err(str::to_owned),
                "{content_type:?} {body:?}"
            );
            // Asking twice gives the same answer.
            assert_eq!(request.json_body().is_ok(), expected.is_ok());
        }
    }

    #[test]
    fn to_dict_has_chalice_keys() {
        let request = Request::builder(Method::GET, "/users/{name}")
            .header("X-Name", "a")
            .uri_param("name", "bob")
            .context(json!({"resourcePath": "/users/{name}"}))
            .build();
        assert_eq!(
            request.to_dict(),
            json!({
                "query_params": null,
                "headers": {"x-name": "a"},
                "uri_params": {"name": "bob"},
                "method": "GET",
                "context": {"resourcePath": "/users/{name}"},
                "stage_vars": null,
                "path": "/users/{name}",
            })
        );
    }

    #[test]
    fn the_original_event_is_the_one_kept() {
        // (kept event text, what to_original_event answers)
        let cases: &[(Option<&'static str>, Value)] = &[
            (
                Some(r#"{"version":"2.0","rawPath":"/x"}"#),
                json!({"version": "2.0", "rawPath": "/x"}),
            ),
            (Some("not json"), Value::Null),
            // Built by hand: no event (the gateway emulation makes one, `gateway/event.rs`).
            (None, Value::Null),
        ];
        for (kept, expected) in cases {
            let mut builder = Request::builder(Method::GET, "/x");
            if let Some(text) = kept {
                builder = builder.original_event_bytes(Bytes::from_static(text.as_bytes()));
            }
            assert_eq!(&builder.build().to_original_event(), expected, "{kept:?}");
        }
    }

    #[test]
    fn raw_context_is_parsed_on_demand() {
        let raw = RawValue::from_string(
            r#"{"stage":"api","identity":{"sourceIp":"1.2.3.4"}}"#.to_owned(),
        )
        .expect("json");
        let request = Request::builder(Method::GET, "/").context_raw(raw).build();
        assert_eq!(request.context()["identity"]["sourceIp"], "1.2.3.4");
        assert_eq!(
            Request::builder(Method::GET, "/").build().context(),
            &json!({})
        );
    }
}
