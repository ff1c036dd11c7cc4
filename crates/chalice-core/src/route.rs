//! [`Route`]: one view at one path, with Chalice's `route()` options.

use std::panic::Location;
use std::sync::Arc;

use crate::auth::AuthorizerRef;
use crate::cors::CorsConfig;
use crate::definition_error::ViewSite;
use crate::view::{ErasedView, View};

/// A route definition: a path, the view that answers it, and Chalice's `@app.route` options.
///
/// Register it with [`crate::Chalice::register`]; [`crate::Chalice::route`] is the short form
/// for a `GET` route with default options, and the `#[chalice::route]` attribute builds one
/// from a function (checking the path at compile time).
///
/// Mistakes (a bad path, an unknown method) are not panics: they are kept, with the place
/// `Route::new` was called, and reported when the app is built.
///
/// ```
/// use chalice_core::{Chalice, CorsConfig, Request, Route};
///
/// fn user(request: &Request) -> String {
///     format!("{} {}", request.method(), request.uri_param("name").unwrap_or_default())
/// }
///
/// let mut app = Chalice::new("users");
/// app.register(
///     Route::new("/users/{name}", user)
///         .methods(["GET", "PUT"])
///         .cors_config(CorsConfig::new().allow_origin("https://example.com"))
///         .content_types(["application/json", "text/plain"]),
/// );
/// assert!(app.check().is_ok());
/// ```
#[must_use = "a route does nothing until it is registered with `app.register(route)`"]
#[derive(Clone)]
pub struct Route {
    pub(crate) path: String,
    /// Shared, so that a blueprint can be registered more than once.
    pub(crate) view: Arc<ErasedView>,
    pub(crate) view_name: String,
    pub(crate) methods: Vec<String>,
    pub(crate) content_types: Vec<String>,
    /// `None`: the app's `api.cors`; `Some(None)`: off; `Some(Some(c))`: `c`.
    pub(crate) cors: Option<Option<CorsConfig>>,
    pub(crate) api_key_required: Option<bool>,
    pub(crate) authorizer: Option<AuthorizerRef>,
    pub(crate) authorization_type: Option<String>,
    pub(crate) authorizer_id: Option<String>,
    pub(crate) location: &'static Location<'static>,
    /// The blueprint the route came from, for messages about conflicts.
    pub(crate) origin: Option<Origin>,
}

/// Where a blueprint's route entered the app: the blueprint's name and the
/// `register_blueprint` call.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub(crate) blueprint: Arc<str>,
    pub(crate) registered_at: &'static Location<'static>,
}

impl Route {
    /// A `GET` route at `path` answered by `view`, named after the view's function.
    #[track_caller]
    pub fn new<V, M>(path: impl Into<String>, view: V) -> Self
    where
        V: View<M>,
    {
        let location = Location::caller();
        Route {
            path: path.into(),
            view_name: crate::view::default_name::<V>(location),
            view: Arc::new(view.erase()),
            methods: vec!["GET".to_owned()],
            content_types: vec!["application/json".to_owned()],
            cors: None,
            api_key_required: None,
            authorizer: None,
            authorization_type: None,
            authorizer_id: None,
            location,
            origin: None,
        }
    }

    /// The HTTP methods the view answers (default `["GET"]`). Case does not matter.
    pub fn methods<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.methods = methods.into_iter().map(|m| m.as_ref().to_owned()).collect();
        self
    }

    /// The view's name (default: the function's name).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.view_name = name.into();
        self
    }

    /// The request `Content-Type`s the route accepts (default `["application/json"]`); an
    /// empty list accepts any. Others get 415 `UnsupportedMediaType`.
    pub fn content_types<I, S>(mut self, content_types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.content_types = content_types.into_iter().map(Into::into).collect();
        self
    }

    /// CORS with the default [`CorsConfig`] (`true`) or none (`false`). Unset, the route
    /// follows the app's `api.cors`.
    pub fn cors(mut self, enabled: bool) -> Self {
        self.cors = Some(enabled.then(CorsConfig::default));
        self
    }

    /// CORS with `config`.
    pub fn cors_config(mut self, config: CorsConfig) -> Self {
        self.cors = Some(Some(config));
        self
    }

    /// Whether API Gateway requires an API key (`x-api-key`) for the route.
    pub fn api_key_required(mut self, required: bool) -> Self {
        self.api_key_required = Some(required);
        self
    }

    /// The authorizer that guards the route: one declared in the app ([`ChaliceAuthorizer`],
    /// [`CognitoUserPoolAuthorizer`], [`IamAuthorizer`], [`CustomAuthorizer`], with the scopes
    /// `with_scopes` gave it), or the name of one registered with the app.
    ///
    /// A name no authorizer of the app has is a definition mistake reported by
    /// [`crate::Chalice::check`], unless the route also sets [`Route::authorizer_id`] (an
    /// authorizer defined outside the app).
    ///
    /// ```
    /// use chalice_core::{AuthRequest, AuthResponse, Chalice, CognitoUserPoolAuthorizer, Route};
    ///
    /// let mut app = Chalice::new("app");
    /// let auth = app.authorizer("demo_auth", |request: &AuthRequest| {
    ///     AuthResponse::new("user").routes(["/private"])
    /// });
    /// let pool = CognitoUserPoolAuthorizer::new("pool", ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"]);
    /// app.register(Route::new("/private", || "secret").authorizer(&auth));
    /// app.register(Route::new("/by-name", || "secret").authorizer("demo_auth"));
    /// app.register(Route::new("/admin", || "admin").authorizer(pool.with_scopes(["admin"])));
    /// assert!(app.check().is_ok());
    /// ```
    ///
    /// [`ChaliceAuthorizer`]: crate::ChaliceAuthorizer
    /// [`CognitoUserPoolAuthorizer`]: crate::CognitoUserPoolAuthorizer
    /// [`IamAuthorizer`]: crate::IamAuthorizer
    /// [`CustomAuthorizer`]: crate::CustomAuthorizer
    pub fn authorizer(mut self, authorizer: impl Into<AuthorizerRef>) -> Self {
        self.authorizer = Some(authorizer.into());
        self
    }

    /// API Gateway's `authorizationType` for the route (`NONE`, `AWS_IAM`, `CUSTOM`,
    /// `COGNITO_USER_POOLS`), for authorizers defined outside the app.
    pub fn authorization_type(mut self, authorization_type: impl Into<String>) -> Self {
        self.authorization_type = Some(authorization_type.into());
        self
    }

    /// The id of an authorizer defined outside the app.
    pub fn authorizer_id(mut self, authorizer_id: impl Into<String>) -> Self {
        self.authorizer_id = Some(authorizer_id.into());
        self
    }

    /// Records where the route was declared, for error messages (used by `#[route]`).
    #[doc(hidden)]
    pub fn declared_at(mut self, location: &'static Location<'static>) -> Self {
        self.location = location;
        self
    }

    /// The path, as given.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The view's name.
    pub fn view_name(&self) -> &str {
        &self.view_name
    }
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route")
            .field("path", &self.path)
            .field("view_name", &self.view_name)
            .field("methods", &self.methods)
            .finish_non_exhaustive()
    }
}

/// One registered (path, method) pair: what dispatch needs to answer it.
pub(crate) struct RouteEntry {
    pub(crate) method: http::Method,
    pub(crate) view: Arc<ErasedView>,
    pub(crate) view_name: Arc<str>,
    pub(crate) content_types: Arc<[String]>,
    pub(crate) cors: Option<Option<CorsConfig>>,
    pub(crate) api_key_required: Option<bool>,
    pub(crate) authorizer: Option<Arc<str>>,
    pub(crate) authorization_scopes: Arc<[String]>,
    pub(crate) authorization_type: Option<Arc<str>>,
    pub(crate) authorizer_id: Option<Arc<str>>,
    pub(crate) location: &'static Location<'static>,
    pub(crate) origin: Option<Origin>,
}

impl RouteEntry {
    /// The view and where it was declared, for messages naming both sides of a conflict.
    pub(crate) fn site(&self) -> ViewSite {
        Origin::site(self.origin.as_ref(), &self.view_name, self.location)
    }
}

impl Route {
    /// The view and where it was declared, for messages naming both sides of a conflict.
    pub(crate) fn site(&self) -> ViewSite {
        Origin::site(self.origin.as_ref(), &self.view_name, self.location)
    }
}

impl Origin {
    fn site(
        origin: Option<&Origin>,
        view_name: &str,
        location: &'static Location<'static>,
    ) -> ViewSite {
        let blueprint = origin.map(|origin| (&*origin.blueprint, origin.registered_at));
        ViewSite::new(view_name, location, blueprint)
    }
}

/// A registered route as the app sees it (Chalice's `app.routes[path][method]`): for
/// tooling such as the CLI's manifest, and for tests.
///
/// ```
/// use chalice_core::{Chalice, Route};
///
/// let mut app = Chalice::new("app");
/// app.register(Route::new("/a", || "a").methods(["GET", "POST"]).api_key_required(true));
/// let routes: Vec<_> = app.routes().map(|r| (r.path(), r.method().as_str(), r.api_key_required())).collect();
/// assert_eq!(routes, [("/a", "GET", true), ("/a", "POST", true)]);
/// ```
#[derive(Clone, Copy)]
pub struct RouteInfo<'a> {
    pub(crate) path: &'a str,
    pub(crate) entry: &'a RouteEntry,
    pub(crate) cors: Option<&'a CorsConfig>,
}

impl<'a> RouteInfo<'a> {
    /// The path template.
    pub fn path(&self) -> &'a str {
        self.path
    }
    /// The method.
    pub fn method(&self) -> &'a http::Method {
        &self.entry.method
    }
    /// The view's name.
    pub fn view_name(&self) -> &'a str {
        &self.entry.view_name
    }
    /// The accepted request content types (empty: any).
    pub fn content_types(&self) -> &'a [String] {
        &self.entry.content_types
    }
    /// The CORS configuration in effect (the route's own or the app's).
    pub fn cors(&self) -> Option<&'a CorsConfig> {
        self.cors
    }
    /// Whether an API key is required.
    pub fn api_key_required(&self) -> bool {
        self.entry.api_key_required.unwrap_or(false)
    }
    /// The name of the route's authorizer.
    pub fn authorizer(&self) -> Option<&'a str> {
        self.entry.authorizer.as_deref()
    }
    /// The OAuth scopes the route's authorizer requires (`with_scopes`).
    pub fn authorization_scopes(&self) -> &'a [String] {
        &self.entry.authorization_scopes
    }
    /// API Gateway's `authorizationType`, when set.
    pub fn authorization_type(&self) -> Option<&'a str> {
        self.entry.authorization_type.as_deref()
    }
    /// The id of an authorizer defined outside the app.
    pub fn authorizer_id(&self) -> Option<&'a str> {
        self.entry.authorizer_id.as_deref()
    }
    /// Where the route was declared.
    pub fn location(&self) -> &'static Location<'static> {
        self.entry.location
    }
}

impl std::fmt::Debug for RouteInfo<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteInfo")
            .field("path", &self.path)
            .field("method", &self.method())
            .field("view_name", &self.view_name())
            .finish_non_exhaustive()
    }
}
