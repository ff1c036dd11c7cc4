//! The test client: requests to an app in-process, through the same gateway emulation as the
//! local server, with no socket.

use std::collections::BTreeMap;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use chalice_core::adapter::{EnvVars, Gateway, HttpRequest, with_env_vars, with_websocket_backend};
use chalice_core::{Chalice, ChaliceError, Headers, InvokeError, LambdaContext, Method, Params};
use chalice_local::LocalFunction;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::events::EventGenerator;
use crate::memory_backend::MemoryBackend;

/// A test client for an app (Chalice's `chalice.test.Client`).
///
/// Requests go through the same API Gateway emulation and dispatch as `chalice local` and
/// Lambda, in-process: no socket, no server to start.
///
/// ```
/// use chalice::{Chalice, Json, Request, Route, test::Client};
/// use serde_json::{json, Value};
///
/// fn app() -> Chalice {
///     let mut app = Chalice::new("users");
///     app.register(Route::new("/users/{name}", |r: &Request| {
///         Json(json!({"name": r.uri_param("name"), "verbose": r.query_param("verbose")}))
///     }));
///     app
/// }
///
/// let client = Client::new(app());
/// let response = client.http().get("/users/bob?verbose=1").header("Accept", "application/json").send();
/// assert_eq!(response.status_code, 200);
/// assert_eq!(response.json(), json!({"name": "bob", "verbose": "1"}));
///
/// let response = client.http().get("/nowhere").send();
/// assert_eq!(response.status_code, 403);
/// ```
///
/// In an async test, `.await` the request instead of calling `send()`:
///
/// ```
/// # use chalice::{Chalice, test::Client};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// # let mut app = Chalice::new("a");
/// # app.route("/", || "hi");
/// let client = Client::new(app);
/// let response = client.http().get("/").await;
/// assert_eq!(response.text(), "hi");
/// # }
/// ```
pub struct Client {
    gateway: Gateway,
    function: LocalFunction,
    runtime: OnceLock<tokio::runtime::Runtime>,
    /// The app's WebSocket connections, which `websocket_api()` reaches from any handler.
    websockets: Arc<MemoryBackend>,
    stage: Arc<str>,
    /// The chalice stage whose `environment_variables` apply (`config_stage`).
    config: Option<Arc<chalice_config::StageConfig>>,
    /// Variables over the stage's (`env_vars`).
    env_vars: BTreeMap<String, String>,
}

impl Client {
    /// A client for `app`.
    ///
    /// # Panics
    ///
    /// If the app's definition has mistakes ([`Chalice::check`]): the panic lists each, with
    /// the file and line that made it.
    #[track_caller]
    pub fn new(app: Chalice) -> Self {
        if let Err(errors) = app.check() {
            panic!("{errors}");
        }
        // A panicking view's error names where it panicked, as on the local server.
        chalice_core::adapter::install_panic_hook();
        let function = LocalFunction::new(format!("{}-dev", app.app_name()));
        let app = Arc::new(app);
        Client {
            websockets: MemoryBackend::new(&app),
            gateway: Gateway::new(app),
            function,
            runtime: OnceLock::new(),
            stage: "api".into(),
            config: None,
            env_vars: BTreeMap::new(),
        }
    }

    /// The API keys routes with `api_key_required` accept in `x-api-key` (none by default:
    /// such routes then answer 403, as a deployed API without keys does).
    ///
    /// ```
    /// use chalice::{Chalice, Route, test::Client};
    ///
    /// let mut app = Chalice::new("app");
    /// app.register(Route::new("/paid", || "ok").api_key_required(true));
    /// let client = Client::new(app).api_keys(["k-1"]);
    /// assert_eq!(client.http().get("/paid").send().status_code, 403);
    /// assert_eq!(client.http().get("/paid").header("x-api-key", "k-1").send().status_code, 200);
    /// ```
    #[must_use]
    pub fn api_keys<I>(self, keys: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        Client {
            gateway: self.gateway.api_keys(keys),
            ..self
        }
    }

    /// The API Gateway stage the requests pretend to reach (default `api`, Chalice's
    /// `api_gateway_stage`): `context()["stage"]`, and the prefix of `context()["path"]`.
    ///
    /// ```
    /// use chalice::{Chalice, Request, test::Client};
    ///
    /// let mut app = Chalice::new("app");
    /// app.route("/where", |r: &Request| r.context()["path"].as_str().unwrap_or_default().to_owned());
    /// assert_eq!(Client::new(app).stage("v1").http().get("/where").send().text(), "/v1/where");
    /// ```
    #[must_use]
    pub fn stage(self, stage: &str) -> Self {
        Client {
            gateway: self.gateway.stage(stage),
            stage: stage.into(),
            ..self
        }
    }

    /// Applies the chalice stage `stage` of the project's `.chalice/config.json` (read from
    /// the current directory: the crate's folder under `cargo test`), as Chalice's
    /// `Client(app, stage_name=...)` does: its `environment_variables` (the top level's, then
    /// the stage's, then the function's `lambda_functions` entry) are what
    /// [`env_var`](crate::env_var) returns in each view and handler the client runs. The
    /// process's environment is left alone, so tests running in parallel with other stages
    /// do not see each other's.
    ///
    /// ```no_run
    /// use chalice::{Chalice, test::Client};
    ///
    /// let mut app = Chalice::new("todo");
    /// app.route("/table", || chalice::env_var("TABLE_NAME").unwrap_or_default());
    /// // .chalice/config.json: {"stages": {"dev": {"environment_variables": {"TABLE_NAME": "todos-dev"}}}}
    /// let client = Client::new(app).config_stage("dev");
    /// assert_eq!(client.http().get("/table").send().text(), "todos-dev");
    /// ```
    ///
    /// # Panics
    ///
    /// When the file cannot be read, has mistakes, or has no such stage: the panic says
    /// which and where.
    #[must_use]
    #[track_caller]
    pub fn config_stage(self, stage: &str) -> Self {
        let project = std::env::current_dir().unwrap_or_default();
        self.config_stage_in(&project, stage)
    }

    /// [`config_stage`](Self::config_stage) with the project in `project_dir` (the folder
    /// holding `.chalice/`), as Chalice's `Client(app, stage_name, project_dir)`.
    ///
    /// # Panics
    ///
    /// As [`config_stage`](Self::config_stage).
    #[must_use]
    #[track_caller]
    pub fn config_stage_in(self, project_dir: impl AsRef<std::path::Path>, stage: &str) -> Self {
        let config = chalice_config::Config::load(project_dir.as_ref())
            .and_then(|config| config.stage(stage))
            .unwrap_or_else(|errors| panic!("{errors}"));
        Client {
            config: Some(Arc::new(config)),
            ..self
        }
    }

    /// Environment variables for each view and handler the client runs, read with
    /// [`env_var`](crate::env_var), over the stage's ([`config_stage`](Self::config_stage)).
    ///
    /// ```
    /// use chalice::{Chalice, test::Client};
    ///
    /// let mut app = Chalice::new("todo");
    /// app.route("/table", || chalice::env_var("TABLE_NAME").unwrap_or_else(|| "none".to_owned()));
    /// let client = Client::new(app).env_vars([("TABLE_NAME", "todos-test")]);
    /// assert_eq!(client.http().get("/table").send().text(), "todos-test");
    /// ```
    #[must_use]
    pub fn env_vars<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.env_vars.extend(
            vars.into_iter()
                .map(|(key, value)| (key.into(), value.into())),
        );
        self
    }

    /// Stage variables for the views' `stage_vars()` (none by default: `stage_vars()` is
    /// `None`, as on a Chalice deployment, which sets none).
    ///
    /// ```
    /// use chalice::{Chalice, Request, test::Client};
    ///
    /// let mut app = Chalice::new("app");
    /// app.route("/table", |r: &Request| r.stage_vars().and_then(|v| v.get("table")).unwrap_or("none").to_owned());
    /// assert_eq!(Client::new(app).http().get("/table").send().text(), "none");
    /// # let mut app = Chalice::new("app");
    /// # app.route("/table", |r: &Request| r.stage_vars().and_then(|v| v.get("table")).unwrap_or("none").to_owned());
    /// let client = Client::new(app).stage_vars([("table", "todos-test")]);
    /// assert_eq!(client.http().get("/table").send().text(), "todos-test");
    /// ```
    #[must_use]
    pub fn stage_vars<I, K, V>(self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let vars: Params = vars.into_iter().collect();
        Client {
            gateway: self.gateway.stage_vars(Some(vars)),
            ..self
        }
    }

    /// The HTTP client (Chalice's `client.http`).
    pub fn http(&self) -> HttpClient<'_> {
        HttpClient { client: self }
    }

    /// Invokes the app's event handlers and pure functions by name (Chalice's
    /// `client.lambda_`), as Lambda does.
    ///
    /// ```
    /// use chalice::test::Client;
    /// use chalice::{Chalice, Json, SqsEvent};
    /// use serde_json::json;
    ///
    /// let mut app = Chalice::new("app");
    /// app.lambda_function(|numbers: Vec<i64>| Json(numbers.iter().sum::<i64>())).name("add");
    /// app.on_sqs_message("jobs", |event: SqsEvent| assert_eq!(event.records[0].body, "hi"))
    ///     .name("worker");
    ///
    /// let client = Client::new(app);
    /// assert_eq!(client.lambda_().invoke("add", &[1, 2, 3]).send().unwrap().payload, json!(6));
    /// let event = client.events().sqs("jobs", ["hi"]);
    /// assert!(client.lambda_().invoke("worker", &event).send().is_ok());
    /// ```
    pub fn lambda_(&self) -> LambdaClient<'_> {
        LambdaClient { client: self }
    }

    pub(crate) fn websockets(&self) -> Arc<MemoryBackend> {
        Arc::clone(&self.websockets)
    }

    /// `future` as the app runs it in the function `function` (`None`: the API handler):
    /// with the client's WebSocket connections and the function's environment variables.
    pub(crate) fn scoped<F: Future>(
        &self,
        function: Option<&str>,
        future: F,
    ) -> impl Future<Output = F::Output> + use<F> {
        with_websocket_backend(
            self.websockets(),
            with_env_vars(self.env_for(function), future),
        )
    }

    /// The environment variables of `function` (`None`: the API handler): the stage's, then
    /// the client's own.
    fn env_for(&self, function: Option<&str>) -> EnvVars {
        let mut vars = match (&self.config, function) {
            (Some(stage), Some(name)) => stage.function(name).environment_variables,
            (Some(stage), None) => stage.api_handler().environment_variables,
            (None, _) => BTreeMap::new(),
        };
        vars.extend(self.env_vars.clone());
        Arc::new(
            vars.into_iter()
                .map(|(key, value)| (key, Some(value)))
                .collect(),
        )
    }

    pub(crate) fn app(&self) -> &Arc<Chalice> {
        self.gateway.app()
    }

    pub(crate) fn stage_name(&self) -> &str {
        &self.stage
    }

    /// The Lambda context of an invocation of the app's function `name`.
    pub(crate) fn function_context(&self, name: &str) -> LambdaContext {
        LocalFunction::new(format!("{}-dev-{name}", self.app().app_name())).context()
    }

    /// Builds events of each source, in the shapes AWS sends (Chalice's `client.events`).
    pub fn events(&self) -> EventGenerator {
        EventGenerator
    }

    pub(crate) fn block_on<F: Future>(&self, future: F) -> F::Output {
        if tokio::runtime::Handle::try_current().is_ok() {
            panic!(
                "TestRequest::send() blocks, which a tokio runtime forbids: in an async test, `.await` the request instead"
            );
        }
        let runtime = self.runtime.get_or_init(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("the test client needs a tokio runtime, and one could not be started")
        });
        runtime.block_on(future)
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("gateway", &self.gateway)
            .finish_non_exhaustive()
    }
}

/// Makes HTTP requests to the app; see [`Client::http`].
#[derive(Debug, Clone, Copy)]
pub struct HttpClient<'a> {
    client: &'a Client,
}

impl<'a> HttpClient<'a> {
    /// A request with any method; `target` is a path with an optional `?query`.
    pub fn request(&self, method: Method, target: &str) -> TestRequest<'a> {
        TestRequest {
            client: self.client,
            request: self.client.function.request(method, target),
        }
    }

    /// A `GET` request.
    pub fn get(&self, target: &str) -> TestRequest<'a> {
        self.request(Method::GET, target)
    }
    /// A `POST` request.
    pub fn post(&self, target: &str) -> TestRequest<'a> {
        self.request(Method::POST, target)
    }
    /// A `PUT` request.
    pub fn put(&self, target: &str) -> TestRequest<'a> {
        self.request(Method::PUT, target)
    }
    /// A `PATCH` request.
    pub fn patch(&self, target: &str) -> TestRequest<'a> {
        self.request(Method::PATCH, target)
    }
    /// A `DELETE` request.
    pub fn delete(&self, target: &str) -> TestRequest<'a> {
        self.request(Method::DELETE, target)
    }
    /// A `HEAD` request.
    pub fn head(&self, target: &str) -> TestRequest<'a> {
        self.request(Method::HEAD, target)
    }
    /// An `OPTIONS` request.
    pub fn options(&self, target: &str) -> TestRequest<'a> {
        self.request(Method::OPTIONS, target)
    }
}

/// A request being built; [`send`](TestRequest::send) it, or `.await` it.
#[must_use = "a request does nothing until it is sent with .send() or .await"]
pub struct TestRequest<'a> {
    client: &'a Client,
    request: HttpRequest,
}

impl TestRequest<'_> {
    /// Adds a header.
    ///
    /// # Panics
    ///
    /// If HTTP cannot carry the name or value (a test's mistake, not the app's).
    #[track_caller]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = http_header_name(name);
        let value = value.parse::<http::HeaderValue>().unwrap_or_else(|_| {
            panic!("header value {value:?} of {name} cannot be sent over HTTP");
        });
        self.request.headers.append(name, value);
        self
    }

    /// Adds a query parameter (percent-encoded for you).
    pub fn query(mut self, name: &str, value: &str) -> Self {
        let pair = form_pair(name, value);
        self.request.query = Some(match self.request.query.take() {
            Some(query) if !query.is_empty() => format!("{query}&{pair}"),
            _ => pair,
        });
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.request.body = body.into();
        self
    }

    /// Sets the body to `value` as JSON, and `Content-Type: application/json`.
    ///
    /// # Panics
    ///
    /// If `value` does not serialize.
    #[track_caller]
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        let body = serde_json::to_vec(value)
            .unwrap_or_else(|error| panic!("the request body does not serialize: {error}"));
        self.request.body = body.into();
        self.header("Content-Type", "application/json")
    }

    /// Sends the request and waits for the answer.
    ///
    /// # Panics
    ///
    /// Inside a tokio runtime (an async test): `.await` the request there instead.
    pub fn send(self) -> TestResponse {
        let client = self.client;
        client.block_on(self.into_future())
    }
}

impl<'a> IntoFuture for TestRequest<'a> {
    type Output = TestResponse;
    type IntoFuture = Pin<Box<dyn Future<Output = TestResponse> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let method = self.request.method.clone();
            let path = self.request.path.clone();
            let mut response = self
                .client
                .scoped(None, self.client.gateway.handle(self.request))
                .await;
            let unhandled = (response.unhandled_error().is_some())
                .then(|| response.take_error())
                .flatten()
                .map(|error| {
                    print_unhandled(&method, &path, response.status_code, &error);
                    Arc::new(error)
                });
            TestResponse {
                status_code: response.status_code,
                headers: response.headers,
                body: response.body,
                unhandled,
            }
        })
    }
}

/// The app's answer (Chalice's `HTTPResponse`).
///
/// Two responses are equal when a client sees the same status, headers and body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TestResponse {
    /// The HTTP status.
    pub status_code: u16,
    /// The headers.
    pub headers: Headers,
    /// The body, as a client receives it (never base64-encoded).
    pub body: Bytes,
    unhandled: Option<Arc<ChaliceError>>,
}

impl PartialEq for TestResponse {
    fn eq(&self, other: &Self) -> bool {
        (self.status_code, &self.headers, &self.body)
            == (other.status_code, &other.headers, &other.body)
    }
}

impl TestResponse {
    /// The unhandled error (or panic) this response is the 500 of, if it is one: the error
    /// a view or a middleware returned that is none of Chalice's kinds, and that no
    /// [`error_handler`](Chalice::error_handler) answered. Its
    /// [`report`](ChaliceError::report) has the error, its causes and, for a panic, where
    /// the code panicked. The client also prints the report to the test's output when it
    /// answers, so a failing test says why.
    ///
    /// `None` for any other response, and for a 500 a middleware made anew from one (the
    /// response it returned no longer holds the error).
    ///
    /// ```
    /// use chalice::{Chalice, ChaliceError, test::Client};
    ///
    /// let mut app = Chalice::new("app");
    /// app.route("/", || -> Result<String, ChaliceError> {
    ///     let n: u8 = "many".parse()?;
    ///     Ok(n.to_string())
    /// });
    /// app.route("/panic", || -> String { panic!("no more tea") });
    /// let client = Client::new(app);
    ///
    /// let response = client.http().get("/").send();
    /// assert_eq!(response.status_code, 500);
    /// let error = response.unhandled_error().expect("an unhandled error");
    /// assert_eq!(error.report(), "invalid digit found in string");
    ///
    /// let report = client.http().get("/panic").send().unhandled_error().expect("a panic").report();
    /// assert!(report.starts_with("panicked at "), "{report}"); // file:line:column
    /// assert!(report.ends_with(": no more tea"), "{report}");
    /// ```
    pub fn unhandled_error(&self) -> Option<&ChaliceError> {
        self.unhandled.as_deref()
    }

    /// The body parsed as JSON.
    ///
    /// # Panics
    ///
    /// If the body is not JSON; the message shows the status and body.
    #[track_caller]
    pub fn json(&self) -> Value {
        self.json_as()
    }

    /// The body deserialized into `T`.
    ///
    /// # Panics
    ///
    /// If the body is not JSON of that shape; the message shows the status and body.
    #[track_caller]
    pub fn json_as<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "the response body is not the JSON expected ({error}): {} {:?}",
                self.status_code,
                self.text()
            )
        })
    }

    /// The body parsed as JSON, or `None` (Chalice's `json_body`).
    pub fn json_body(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// Prints an unhandled error's report to the test's output, which libtest captures and
/// shows when the test fails: a bare 500 says nothing of why.
#[allow(clippy::print_stderr)] // the test's output is where it belongs
fn print_unhandled(method: &Method, path: &str, status: u16, error: &ChaliceError) {
    eprintln!(
        "chalice test client: {method} {path} answered {status} for an unhandled error:\n{}",
        indent(&error.report())
    );
}

/// `text` with each line indented, to set a report apart from the lines around it.
fn indent(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("    {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[track_caller]
fn http_header_name(name: &str) -> http::HeaderName {
    name.parse()
        .unwrap_or_else(|_| panic!("{name:?} is not an HTTP header name"))
}

fn form_pair(name: &str, value: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair(name, value)
        .finish()
}

/// Invokes the app's functions; see [`Client::lambda_`].
#[derive(Debug, Clone, Copy)]
pub struct LambdaClient<'a> {
    client: &'a Client,
}

impl<'a> LambdaClient<'a> {
    /// An invocation of the function (event handler or pure function) `name` with
    /// `payload` (an event of its source, or a pure function's argument), with the event
    /// middleware for its kind around it; [`send`](TestInvocation::send) it, or `.await` it.
    ///
    /// # Panics
    ///
    /// If `payload` does not serialize.
    #[track_caller]
    pub fn invoke<T: Serialize + ?Sized>(&self, name: &str, payload: &T) -> TestInvocation<'a> {
        let payload = serde_json::to_string(payload)
            .unwrap_or_else(|error| panic!("the payload does not serialize: {error}"));
        TestInvocation {
            client: self.client,
            name: name.to_owned(),
            payload,
        }
    }
}

/// An invocation being made; [`send`](TestInvocation::send) it, or `.await` it.
#[must_use = "an invocation does nothing until it is sent with .send() or .await"]
#[derive(Debug)]
pub struct TestInvocation<'a> {
    client: &'a Client,
    name: String,
    payload: String,
}

impl TestInvocation<'_> {
    /// Invokes the function and waits for its answer.
    ///
    /// # Errors
    ///
    /// An unknown name, an event the function's source does not send, or the handler's
    /// error.
    ///
    /// # Panics
    ///
    /// Inside a tokio runtime (an async test): `.await` the invocation there instead.
    pub fn send(self) -> Result<InvokeResponse, InvokeError> {
        let client = self.client;
        client.block_on(self.into_future())
    }
}

impl<'a> IntoFuture for TestInvocation<'a> {
    type Output = Result<InvokeResponse, InvokeError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let app = self.client.gateway.app();
            let function = LocalFunction::new(format!("{}-dev-{}", app.app_name(), self.name));
            let payload = self
                .client
                .scoped(
                    Some(&self.name),
                    app.invoke(&self.name, &self.payload, function.context()),
                )
                .await?;
            Ok(InvokeResponse { payload })
        })
    }
}

/// A function's answer (Chalice's `InvokeResponse`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct InvokeResponse {
    /// What the function answered, as JSON: `null` for most event handlers,
    /// `{"batchItemFailures": [...]}` for a batch handler that reports failures, a pure
    /// function's result.
    pub payload: Value,
}
