//! [`RouteMatch`]: where a request goes in an app, found once and then carried.
//!
//! Every front door routes a request exactly once, its own way (DESIGN.md rules 3 and 7): the
//! Lambda adapter by the template API Gateway names ([`RouteMatch::by_template`]), the
//! gateway emulation by the concrete path ([`RouteMatch::by_path`]). Either way the answer
//! is the route's id, its path template and the view registered for the request's method,
//! which dispatch ([`RouteMatch::handle`]) takes as they are: it never looks the route up
//! again, nor scans its methods again.

use std::sync::Arc;

use http::Method;

use crate::app::Chalice;
use crate::params::Params;
use crate::route::RouteEntry;
use crate::router::{Resource, RouteId};

/// A route of an app and the view of one method on it, as an adapter found them for a
/// request. For adapters (the local server, the Lambda runtime, the test client); apps never
/// name it.
///
/// ```
/// use chalice_core::adapter::RouteMatch;
/// use chalice_core::{Chalice, Method, Request, Route};
///
/// let mut app = Chalice::new("app");
/// app.register(Route::new("/users/{name}", |r: &Request| r.uri_param("name").unwrap_or_default().to_owned()));
///
/// // On Lambda, API Gateway names the template; locally, the concrete path is matched.
/// let found = RouteMatch::by_template(&app, "/users/{name}", &Method::GET).expect("a route");
/// assert_eq!(&**found.template(), "/users/{name}");
/// let (found, captures) = RouteMatch::by_path(&app, "/users/bob%20s", &Method::PUT).expect("a route");
/// assert!(!found.has_method());
/// assert_eq!(found.allow(), "GET");
/// // Captures as API Gateway passes them to a REST API's function: still percent-encoded.
/// assert_eq!(captures.as_ref().and_then(|c| c.get("name")), Some("bob%20s"));
/// ```
#[derive(Clone, Copy)]
pub struct RouteMatch<'a> {
    pub(crate) app: &'a Chalice,
    pub(crate) id: RouteId,
    pub(crate) resource: &'a Resource,
    /// The view of the request's method; `None` if the route has none (405, or API
    /// Gateway's 403).
    pub(crate) entry: Option<&'a RouteEntry>,
}

impl<'a> RouteMatch<'a> {
    /// The route whose path template is `template`, as API Gateway names it on Lambda
    /// (`resourcePath`, or the path of an HTTP API's `routeKey`): a hash lookup. `None` if no
    /// route has this template.
    pub fn by_template(app: &'a Chalice, template: &str, method: &Method) -> Option<Self> {
        let id = app.table.by_template(template)?;
        Some(Self::new(app, id, method))
    }

    /// The route a concrete, still percent-encoded request path falls on, as API Gateway
    /// would match it (static segments before captures, a trailing slash ignored), with its
    /// captures as they are in the path, still percent-encoded, as a REST API's
    /// `pathParameters` are (`None` for a route without captures). For the gateway
    /// emulation, and for Lambda events that name no template the app knows (an HTTP API's
    /// `$default` route).
    pub fn by_path(
        app: &'a Chalice,
        raw_path: &str,
        method: &Method,
    ) -> Option<(Self, Option<Params>)> {
        let (id, uri_params) = app.table.match_path(raw_path)?;
        Some((Self::new(app, id, method), uri_params))
    }

    fn new(app: &'a Chalice, id: RouteId, method: &Method) -> Self {
        let resource = app.table.resource(id);
        RouteMatch {
            app,
            id,
            resource,
            entry: resource.entry(method),
        }
    }

    /// The route's path template, shared with the app: what [`crate::Request::path`]
    /// answers, without a copy.
    pub fn template(&self) -> &'a Arc<str> {
        &self.resource.template
    }

    /// Whether the route has a view for the request's method.
    pub fn has_method(&self) -> bool {
        self.entry.is_some()
    }

    /// The methods the route has, as the `Allow` header lists them (`GET, POST`).
    pub fn allow(&self) -> &'a str {
        &self.resource.allow
    }
}

impl std::fmt::Debug for RouteMatch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteMatch")
            .field("template", &self.resource.template)
            .field("method", &self.entry.map(|entry| &entry.method))
            .finish_non_exhaustive()
    }
}
