//! [`Chalice`]: the application object.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;

use crate::auth::{
    AuthRequest, AuthResponse, AuthorizerFn, AuthorizerRef, Authorizers, ChaliceAuthorizer,
};
use crate::blueprint::{Blueprint, BlueprintOptions, check_url_prefix};
use crate::cors::CorsConfig;
use crate::definition_error::{DefinitionError, DefinitionErrorKind, DefinitionErrors};
use crate::error::ChaliceError;
use crate::error_handler::ErrorHandlers;
use crate::events::Functions;
use crate::log::Logger;
use crate::media::{self, DEFAULT_BINARY_TYPES};
use crate::middleware::{ErasedMiddlewareChain, EventType, MiddlewareFn, MiddlewareList};
use crate::request::Request;
use crate::response::IntoResponse;
use crate::route::{Route, RouteInfo};
use crate::router::RouteTable;
use crate::state::StateMap;
use crate::view::View;

/// A Chalice application: its routes, `debug`, API configuration and logger.
///
/// Build it in `main` (or a function your tests call too), then hand it to the `chalice`
/// crate's `chalice::run(app)` (the local server, or Lambda when deployed) or its test client.
/// Both call [`Chalice::check`] first and refuse an app with definition mistakes, listing
/// each with the file and line that made it.
///
/// ```
/// use chalice_core::{Chalice, Json};
/// use serde_json::json;
///
/// let mut app = Chalice::new("helloworld");
/// app.route("/", || Json(json!({"hello": "world"})));
/// assert_eq!(app.app_name(), "helloworld");
/// assert!(app.check().is_ok());
///
/// app.route("/broken/", || "x");
/// let errors = app.check().unwrap_err();
/// assert!(errors.to_string().contains("Route cannot end with a trailing slash: /broken/"));
/// ```
pub struct Chalice {
    app_name: String,
    debug: bool,
    /// API Gateway settings: binary types and the default CORS of routes.
    pub api: ApiConfig,
    log: Logger,
    pub(crate) table: RouteTable,
    pub(crate) authorizers: Authorizers,
    middleware: MiddlewareList,
    /// The middleware that apply to HTTP requests, in order (kept ready for dispatch).
    pub(crate) http_middleware: ErasedMiddlewareChain,
    pub(crate) error_handlers: ErrorHandlers,
    /// Event handlers, pure functions and their middleware.
    pub(crate) functions: Functions,
    errors: Vec<DefinitionError>,
    /// The app's typed state ([`Chalice::state`]), shared with each request.
    state: Arc<StateMap>,
}

/// API-wide settings (Chalice's `app.api`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiConfig {
    /// Media types API Gateway treats as binary (Chalice's defaults to begin with). A
    /// response of such a type is base64-encoded on Lambda and needs a request `Accept`
    /// header naming a binary type.
    pub binary_types: Vec<String>,
    /// The CORS configuration of routes that do not set their own (`None`: no CORS).
    pub cors: Option<CorsConfig>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            binary_types: DEFAULT_BINARY_TYPES
                .iter()
                .map(|t| (*t).to_owned())
                .collect(),
            cors: None,
        }
    }
}

impl Chalice {
    /// A new app named `app_name`, with `debug` off.
    pub fn new(app_name: impl Into<String>) -> Self {
        let app_name = app_name.into();
        Chalice {
            log: Logger::new(&app_name),
            app_name,
            debug: false,
            api: ApiConfig::default(),
            table: RouteTable::default(),
            authorizers: Authorizers::default(),
            middleware: MiddlewareList::default(),
            http_middleware: ErasedMiddlewareChain::default(),
            error_handlers: ErrorHandlers::default(),
            functions: Functions::default(),
            errors: Vec::new(),
            state: Arc::default(),
        }
    }

    /// The app's name.
    pub fn app_name(&self) -> &str {
        &self.app_name
    }

    /// Whether unhandled errors answer with their text and backtrace (default `false`).
    pub fn debug(&self) -> bool {
        self.debug
    }

    /// Turns `debug` on or off. With it on, an unhandled error answers 500 with the error
    /// and its backtrace as `text/plain`, and the logger logs `DEBUG` and up.
    pub fn set_debug(&mut self, debug: bool) -> &mut Self {
        self.debug = debug;
        self.log.set_debug(debug);
        self
    }

    /// Gives the app a value its views share: a database client, a store, settings. One
    /// value per type (giving a second `T` replaces the first); views read it as a
    /// [`State<T>`](crate::State) parameter of a `#[route]` view, or with
    /// [`Request::state`] / [`State::from_request`](crate::State::from_request). Each app
    /// has its own, so the apps of parallel tests never see each other's data.
    ///
    /// ```
    /// use std::sync::Mutex;
    /// use chalice_core::{Chalice, Request};
    ///
    /// #[derive(Default)]
    /// struct Visits(Mutex<u64>);
    ///
    /// let mut app = Chalice::new("visits");
    /// app.state(Visits::default());
    /// app.route("/", |request: &Request| {
    ///     let visits = request.state::<Visits>().expect("given above");
    ///     let mut count = visits.0.lock().unwrap();
    ///     *count += 1;
    ///     count.to_string()
    /// });
    /// ```
    pub fn state<T: Send + Sync + 'static>(&mut self, value: T) -> &mut Self {
        Arc::make_mut(&mut self.state).insert(value);
        self
    }

    /// The state requests carry: `None` for an app without any, which costs requests nothing.
    pub(crate) fn state_map(&self) -> Option<&Arc<StateMap>> {
        Some(&self.state).filter(|state| !state.is_empty())
    }

    /// The app's logger (Chalice's `app.log`).
    pub fn log(&self) -> &Logger {
        &self.log
    }

    /// The request the running view is handling (Chalice's `app.current_request`); the same
    /// as [`crate::current_request`].
    pub fn current_request(&self) -> Option<Request> {
        crate::current::current_request()
    }

    /// Registers `view` for `GET` requests on `path` (Chalice's `@app.route(path)`).
    ///
    /// For other methods or options, register a [`Route`].
    #[track_caller]
    pub fn route<V, M>(&mut self, path: &str, view: V) -> &mut Self
    where
        V: View<M>,
    {
        self.register(Route::new(path, view))
    }

    /// Registers a route. A mistake in it is kept and reported by [`Chalice::check`].
    pub fn register(&mut self, route: Route) -> &mut Self {
        let location = route.location;
        if let Some(Err(kind)) = route
            .authorizer
            .as_ref()
            .and_then(AuthorizerRef::declared)
            .map(|decl| self.authorizers.insert(decl))
        {
            self.errors.push(DefinitionError::new(*kind, location));
        }
        if let Err(kind) = self.table.insert(route) {
            self.errors.push(DefinitionError::new(*kind, location));
        }
        self
    }

    /// Declares a built-in authorizer (Chalice's `@app.authorizer()`) and returns it, for
    /// routes to name with [`Route::authorizer`] (by value or by its name).
    ///
    /// The function gets an [`AuthRequest`] (the caller's token and the ARN of what they
    /// call) and answers an [`AuthResponse`] listing the routes the caller may use. Locally
    /// and in tests it runs before each request to a route it guards; on Lambda the same
    /// binary answers API Gateway's authorizer events when `CHALICE_HANDLER` names it.
    ///
    /// ```
    /// use chalice_core::{AuthRequest, AuthResponse, Chalice, ChaliceError, Route};
    ///
    /// let mut app = Chalice::new("app");
    /// let auth = app.authorizer("token_auth", |request: &AuthRequest| {
    ///     match request.token.as_str() {
    ///         "allow" => Ok(AuthResponse::new("user").routes(["/private"]).context("plan", "gold")),
    ///         _ => Err(ChaliceError::unauthorized("bad token")),
    ///     }
    /// });
    /// app.register(Route::new("/private", || "secret").authorizer(&auth));
    /// assert!(app.check().is_ok());
    /// ```
    #[track_caller]
    pub fn authorizer<F, M>(&mut self, name: impl Into<String>, function: F) -> ChaliceAuthorizer
    where
        F: AuthorizerFn<M>,
    {
        let authorizer = ChaliceAuthorizer::new(name, function);
        self.add_authorizer(&authorizer);
        authorizer
    }

    /// Declares an authorizer of any kind, so routes (and `#[route(authorizer = "..")]`)
    /// can name it before or without holding it. Routes given an authorizer value declare it
    /// themselves.
    #[track_caller]
    pub fn add_authorizer(&mut self, authorizer: impl Into<AuthorizerRef>) -> &mut Self {
        let authorizer = authorizer.into();
        if let Some(Err(kind)) = authorizer
            .declared()
            .map(|decl| self.authorizers.insert(decl))
        {
            self.errors
                .push(DefinitionError::new(*kind, Location::caller()));
        }
        self
    }

    /// Runs the built-in authorizer `name` on `request`, as its own Lambda function does:
    /// `None` if the app has no built-in authorizer of that name. A request without a token
    /// (a `REQUEST` event) gets the value of the authorizer's header. Panics in the
    /// authorizer are caught and returned as unhandled errors.
    pub async fn call_authorizer(
        &self,
        name: &str,
        mut request: AuthRequest,
    ) -> Option<Result<AuthResponse, ChaliceError>> {
        let (function, header) = self.authorizers.builtin(name)?;
        if request.token.is_empty()
            && let Some(token) = request.headers.get(header)
        {
            request.token = token.to_owned();
        }
        Some(crate::auth::call(function, name, request, self.log(), self.debug()).await)
    }

    /// The names of the app's built-in authorizers, in declaration order.
    pub fn builtin_authorizers(&self) -> impl Iterator<Item = &str> + '_ {
        self.authorizers.builtin_names()
    }

    /// Adds middleware for `event_type` (Chalice's `@app.middleware('http')`): an async
    /// function of the request and [`crate::Next`], the rest of the chain. Middleware run in
    /// registration order, the first outermost, after API Gateway's checks and the
    /// authorizer, around everything the app answers.
    ///
    /// `next.run(request).await` gives back the answer the client would get, as Chalice's
    /// `get_response` does: the view's response, or its error already made into its
    /// response (after the [error handlers](Chalice::error_handler); the error stays
    /// readable from [`Response::error`](crate::Response::error)), with the route's CORS
    /// headers on it; or the app's own answer (405, 415, the binary 400). A middleware may
    /// change the request in place before passing it on ([`Request::headers_mut`]), answer
    /// by itself, and change or replace the answer. An error it returns becomes its response
    /// as a view's does, keeping its status (Chalice makes any exception raised in
    /// middleware a 500). API Gateway's own answers (403 for an unknown route, an
    /// authorizer's 401, the CORS preflight) never reach middleware.
    ///
    /// ```
    /// use chalice_core::{Chalice, ChaliceError, EventType, Next, Request, Response};
    ///
    /// let mut app = Chalice::new("app");
    /// app.middleware(EventType::Http, |request: Request, next: Next| async move {
    ///     if request.header("x-blocked").is_some() {
    ///         return Err(ChaliceError::forbidden("blocked")); // answers 403
    ///     }
    ///     let mut response = next.run(request).await;
    ///     response.headers.insert("x-checked", "yes"); // on every answer, errors included
    ///     if response.unhandled_error().is_some() {
    ///         response.headers.insert("x-alert", "on-call");
    ///     }
    ///     Ok::<_, ChaliceError>(response)
    /// });
    /// ```
    pub fn middleware<F, M>(&mut self, event_type: EventType, function: F) -> &mut Self
    where
        F: MiddlewareFn<M>,
    {
        self.middleware.push(event_type, function);
        self.http_middleware = self.middleware.http();
        self
    }

    /// Maps errors of type `E` that views (or middleware) return through `?` to a
    /// response, instead of the unhandled-error 500. The error itself or any error in its
    /// `source()` chain matches; the first handler registered for a type wins. It applies
    /// where the error is returned, so the middleware around a view get the handler's
    /// response.
    ///
    /// ```
    /// use chalice_core::{Chalice, ChaliceError, Response};
    ///
    /// #[derive(Debug)]
    /// struct OutOfStock(String);
    /// impl std::fmt::Display for OutOfStock {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    ///         write!(f, "{} is out of stock", self.0)
    ///     }
    /// }
    /// impl std::error::Error for OutOfStock {}
    ///
    /// let mut app = Chalice::new("shop");
    /// app.error_handler(|error: &OutOfStock| {
    ///     Response::new(format!(r#"{{"error":"{error}"}}"#)).status_code(409)
    /// });
    /// app.route("/buy", || -> Result<String, ChaliceError> { Err(OutOfStock("tea".into()))? });
    /// ```
    pub fn error_handler<E, F, R>(&mut self, handler: F) -> &mut Self
    where
        E: std::error::Error + Send + Sync + 'static,
        F: Fn(&E) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        self.error_handlers.push(handler);
        self
    }

    /// Registers a blueprint's routes, middleware and authorizers (Chalice's
    /// `app.register_blueprint`), with the prefixes of `options`.
    #[track_caller]
    // By value, so that the options read as Chalice's keyword arguments at the call.
    #[allow(clippy::needless_pass_by_value)]
    pub fn register_blueprint(
        &mut self,
        blueprint: &Blueprint,
        options: BlueprintOptions,
    ) -> &mut Self {
        let registered_at = Location::caller();
        if let Some(Err(kind)) = options.url_prefix.as_deref().map(check_url_prefix) {
            self.errors.push(DefinitionError::new(*kind, registered_at));
            return self;
        }
        for authorizer in &blueprint.authorizers {
            if let Err(kind) = self.authorizers.insert(authorizer.decl()) {
                self.errors.push(DefinitionError::new(*kind, registered_at));
            }
        }
        for (event_type, function) in &blueprint.middleware.entries {
            self.middleware
                .entries
                .push((*event_type, std::sync::Arc::clone(function)));
        }
        self.http_middleware = self.middleware.http();
        self.functions
            .extend(&blueprint.functions, options.name_prefix.as_deref());
        for route in &blueprint.routes {
            self.register(route.prefixed(blueprint, &options, registered_at));
        }
        self
    }

    /// Every definition mistake, or `Ok` for an app ready to serve.
    ///
    /// Besides the mistakes found as routes were registered (bad paths, duplicate methods,
    /// conflicting captures), this checks what Chalice checks at deploy time: CORS and a
    /// user-defined `OPTIONS` on the same path, differing CORS configurations on one path,
    /// and routes mixing binary and non-binary `content_types`.
    pub fn check(&self) -> Result<(), DefinitionErrors> {
        let mut errors = self.errors.clone();
        let authorizers: Vec<&str> = self.builtin_authorizers().collect();
        self.functions.check(&authorizers, &mut errors);
        for path in &self.table.resources {
            for (i, entry) in path.entries.iter().enumerate() {
                let Some(name) = &entry.authorizer else {
                    continue;
                };
                let reported = path.entries[..i]
                    .iter()
                    .any(|e| std::sync::Arc::ptr_eq(&e.view, &entry.view));
                if reported || self.authorizers.get(name).is_some() || entry.authorizer_id.is_some()
                {
                    continue;
                }
                let kind = DefinitionErrorKind::UnknownAuthorizer {
                    path: path.template.to_string(),
                    name: name.to_string(),
                    declared: self.authorizers.names().map(str::to_owned).collect(),
                };
                errors.push(DefinitionError::new(kind, entry.location));
            }
            let with_cors: Vec<_> = path
                .entries
                .iter()
                .filter(|e| self.resolve_cors(&e.cors).is_some())
                .collect();
            if let Some(first) = with_cors.first() {
                if let Some(options) = path
                    .entries
                    .iter()
                    .find(|e| e.method == http::Method::OPTIONS)
                {
                    let kind = DefinitionErrorKind::CorsWithOptions {
                        path: path.template.to_string(),
                    };
                    errors.push(DefinitionError::new(kind, options.location));
                }
                let config = self.resolve_cors(&first.cors);
                if let Some(other) = with_cors
                    .iter()
                    .find(|e| self.resolve_cors(&e.cors) != config)
                {
                    let kind = DefinitionErrorKind::DifferingCors {
                        path: path.template.to_string(),
                    };
                    errors.push(DefinitionError::new(kind, other.location));
                }
            }
            for (i, entry) in path.entries.iter().enumerate() {
                // One route with several methods shares its view and options: report it once.
                if path.entries[..i]
                    .iter()
                    .any(|e| std::sync::Arc::ptr_eq(&e.view, &entry.view))
                {
                    continue;
                }
                let (binary, text): (Vec<String>, Vec<String>) = entry
                    .content_types
                    .iter()
                    .cloned()
                    .partition(|ct| media::matches_content_type(ct, &self.api.binary_types));
                if !binary.is_empty() && !text.is_empty() {
                    let kind = DefinitionErrorKind::InconsistentContentTypes {
                        view_name: entry.view_name.to_string(),
                        binary,
                        text,
                    };
                    errors.push(DefinitionError::new(kind, entry.location));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DefinitionErrors::new(errors))
        }
    }

    /// The CORS configuration a route answers with, its own or the app's.
    pub(crate) fn resolve_cors<'a>(
        &'a self,
        route: &'a Option<Option<CorsConfig>>,
    ) -> Option<&'a CorsConfig> {
        match route {
            Some(own) => own.as_ref(),
            None => self.api.cors.as_ref(),
        }
    }

    /// Every registered (path, method) pair, paths in registration order.
    pub fn routes(&self) -> impl Iterator<Item = RouteInfo<'_>> + '_ {
        self.table.resources.iter().flat_map(move |resource| {
            resource.entries.iter().map(move |entry| RouteInfo {
                path: &resource.template,
                entry,
                cors: self.resolve_cors(&entry.cors),
            })
        })
    }
}

impl fmt::Debug for Chalice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chalice")
            .field("app_name", &self.app_name)
            .field("debug", &self.debug)
            .field("api", &self.api)
            .field(
                "routes",
                &self
                    .table
                    .resources
                    .iter()
                    .map(|resource| &*resource.template)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}
