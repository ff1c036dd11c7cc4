//! [`Blueprint`]: routes, middleware and authorizers declared apart from the app (in another
//! module, or another crate) and registered into it (Chalice's `Blueprint`).

use std::panic::Location;
use std::sync::Arc;

use crate::auth::{AuthorizerFn, ChaliceAuthorizer};
use crate::definition_error::DefinitionErrorKind;
use crate::events::Functions;
use crate::middleware::{EventType, MiddlewareFn, MiddlewareList};
use crate::route::{Origin, Route};
use crate::view::View;

/// A set of routes, middleware and authorizers to register into an app, with an optional
/// URL prefix and view-name prefix ([`BlueprintOptions`]).
///
/// The blueprint's middleware apply to every event of the app once registered, as Chalice's
/// do; its authorizers join the app's. A blueprint's route that clashes with one of the
/// app's is reported by [`crate::Chalice::check`], naming both views, where each was declared
/// and where the blueprint was registered.
///
/// ```
/// use chalice_core::{Blueprint, BlueprintOptions, Chalice, Request, Route};
///
/// fn users() -> Blueprint {
///     let mut bp = Blueprint::new("users");
///     bp.route("/", || "all users");
///     bp.register(Route::new("/{name}", |r: &Request| r.uri_param("name").unwrap_or_default().to_owned()).name("user"));
///     bp
/// }
///
/// let mut app = Chalice::new("app");
/// app.register_blueprint(&users(), BlueprintOptions::new().url_prefix("/users").name_prefix("users_"));
/// assert!(app.check().is_ok());
/// let paths: Vec<String> = app.routes().map(|r| format!("{} {}", r.path(), r.view_name())).collect();
/// assert_eq!(paths, ["/users users_{closure}", "/users/{name} users_user"].map(|s| s.replace("{closure}", &paths[0][13..])));
/// ```
#[derive(Clone)]
pub struct Blueprint {
    name: Arc<str>,
    pub(crate) routes: Vec<Route>,
    pub(crate) middleware: MiddlewareList,
    pub(crate) authorizers: Vec<ChaliceAuthorizer>,
    /// Event handlers, pure functions and their middleware (names get the `name_prefix`).
    pub(crate) functions: Functions,
}

impl Blueprint {
    /// An empty blueprint. `name` (Chalice's `import_name`) names it in messages.
    pub fn new(name: impl Into<String>) -> Self {
        Blueprint {
            name: name.into().into(),
            routes: Vec::new(),
            middleware: MiddlewareList::default(),
            authorizers: Vec::new(),
            functions: Functions::default(),
        }
    }

    /// The blueprint's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds `view` for `GET` requests on `path` (relative to the URL prefix).
    #[track_caller]
    pub fn route<V, M>(&mut self, path: &str, view: V) -> &mut Self
    where
        V: View<M>,
    {
        self.register(Route::new(path, view))
    }

    /// Adds a route (its path relative to the URL prefix).
    pub fn register(&mut self, route: Route) -> &mut Self {
        self.routes.push(route);
        self
    }

    /// Adds middleware, which applies to the app's events once the blueprint is registered.
    pub fn middleware<F, M>(&mut self, event_type: EventType, function: F) -> &mut Self
    where
        F: MiddlewareFn<M>,
    {
        self.middleware.push(event_type, function);
        self
    }

    /// Declares a built-in authorizer (see [`crate::Chalice::authorizer`]); it joins the app's
    /// when the blueprint is registered, under the same name (no prefix).
    pub fn authorizer<F, M>(&mut self, name: impl Into<String>, function: F) -> ChaliceAuthorizer
    where
        F: AuthorizerFn<M>,
    {
        let authorizer = ChaliceAuthorizer::new(name, function);
        self.authorizers.push(authorizer.clone());
        authorizer
    }
}

impl std::fmt::Debug for Blueprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blueprint")
            .field("name", &self.name)
            .field("routes", &self.routes)
            .field("authorizers", &self.authorizers)
            .finish_non_exhaustive()
    }
}

/// How a blueprint is registered: Chalice's `name_prefix` and `url_prefix`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlueprintOptions {
    pub(crate) name_prefix: Option<String>,
    pub(crate) url_prefix: Option<String>,
}

impl BlueprintOptions {
    /// No prefixes.
    pub fn new() -> Self {
        BlueprintOptions::default()
    }

    /// Prepended to each view's name (the name the generated API and logs use).
    #[must_use]
    pub fn name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.name_prefix = Some(prefix.into());
        self
    }

    /// Prepended to each route's path: `/users` and `/{name}` make `/users/{name}`; the
    /// blueprint's `/` becomes `/users` itself.
    #[must_use]
    pub fn url_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.url_prefix = Some(prefix.into());
        self
    }
}

impl Route {
    /// The route as a blueprint registered with `options` puts it into an app.
    pub(crate) fn prefixed(
        &self,
        blueprint: &Blueprint,
        options: &BlueprintOptions,
        registered_at: &'static Location<'static>,
    ) -> Route {
        let mut route = self.clone();
        if let Some(prefix) = &options.url_prefix {
            let prefix = prefix.trim_end_matches('/');
            route.path = if route.path == "/" {
                if prefix.is_empty() {
                    "/".to_owned()
                } else {
                    prefix.to_owned()
                }
            } else {
                format!("{prefix}{}", route.path)
            };
        }
        if let Some(prefix) = &options.name_prefix {
            route.view_name = format!("{prefix}{}", route.view_name);
        }
        route.origin = Some(Origin {
            blueprint: Arc::clone(&blueprint.name),
            registered_at,
        });
        route
    }
}

/// Why a URL prefix cannot be used, if it cannot.
pub(crate) fn check_url_prefix(prefix: &str) -> Result<(), Box<DefinitionErrorKind>> {
    if !prefix.starts_with('/') || (prefix.len() > 1 && prefix.ends_with('/')) {
        return Err(Box::new(DefinitionErrorKind::InvalidUrlPrefix {
            prefix: prefix.to_owned(),
        }));
    }
    Ok(())
}
