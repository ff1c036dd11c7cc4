//! Mistakes in an app's definition: what kind each is, what it says, and where it was made.
//!
//! Chalice finds most of these at deploy time; we find them when the app is built (or at
//! compile time, where `#[route]` declares the route), and report every one at once, each
//! with the place in the source that made it. The wording is Chalice's where Chalice has
//! words for the mistake.

use std::fmt;
use std::panic::Location;

use chalice_path::PathError;

/// What is wrong in an app's definition: one kind per mistake, with what the message names.
///
/// `Display` is the message users read. New kinds may be added (the enum is
/// `#[non_exhaustive]`), so match with a `_` arm.
///
/// ```
/// use chalice_core::{Chalice, DefinitionErrorKind, Route};
///
/// let mut app = Chalice::new("app");
/// app.register(Route::new("/a", || "x").methods(["GET", "FETCH"]));
/// let errors = app.check().unwrap_err();
/// match errors.errors()[0].kind() {
///     DefinitionErrorKind::UnsupportedMethod { method, .. } => assert_eq!(method, "FETCH"),
///     other => panic!("another mistake: {other}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DefinitionErrorKind {
    /// A route path breaks API Gateway's or Chalice's rules (`/users/`, `users`, `/a//b`,
    /// `/x{id}`, ...): which one, with the path.
    InvalidPath(PathError),
    /// A route lists no methods.
    #[non_exhaustive]
    NoMethods {
        /// The route's path.
        path: String,
        /// The view's name.
        view_name: String,
    },
    /// A route lists a method API Gateway does not offer.
    #[non_exhaustive]
    UnsupportedMethod {
        /// The route's path.
        path: String,
        /// The view's name.
        view_name: String,
        /// The method, as given.
        method: String,
    },
    /// A route lists one method twice.
    #[non_exhaustive]
    MethodListedTwice {
        /// The route's path.
        path: String,
        /// The view's name.
        view_name: String,
        /// The method, in capitals.
        method: String,
    },
    /// Two views answer the same method on the same path.
    #[non_exhaustive]
    DuplicateMethod {
        /// The path.
        path: String,
        /// The method, in capitals.
        method: String,
        /// The view registered first.
        first: ViewSite,
        /// The view registered then.
        then: ViewSite,
    },
    /// Two sibling paths capture the same place under different names (`/users/{id}` and
    /// `/users/{name}/posts`): API Gateway allows one variable child per path.
    #[non_exhaustive]
    CaptureConflict {
        /// The path registered then.
        path: String,
        /// The path registered first.
        other: String,
        /// The path both captures are children of.
        parent: String,
        /// The capture of `other`, such as `{id}`.
        existing: String,
        /// The capture of `path`, such as `{name}`.
        new: String,
        /// A view of `other` and the view of `path`.
        sides: Option<(ViewSite, ViewSite)>,
    },
    /// Two paths the router cannot tell apart (a capture beside a greedy capture).
    #[non_exhaustive]
    RouteConflict {
        /// The path registered then.
        path: String,
        /// The path it conflicts with.
        other: String,
        /// A view of `other` and the view of `path`, when known.
        sides: Option<(ViewSite, ViewSite)>,
    },
    /// Two different authorizers have one name.
    #[non_exhaustive]
    AuthorizerNameClash {
        /// The name.
        name: String,
        /// The kind of the one declared first (`ChaliceAuthorizer`, ...).
        first_kind: &'static str,
        /// The kind of the one declared then.
        then_kind: &'static str,
    },
    /// A route names an authorizer the app does not declare.
    #[non_exhaustive]
    UnknownAuthorizer {
        /// The route's path.
        path: String,
        /// The authorizer's name.
        name: String,
        /// The authorizers the app declares, in declaration order.
        declared: Vec<String>,
    },
    /// A path has CORS and a user-defined `OPTIONS` view.
    #[non_exhaustive]
    CorsWithOptions {
        /// The path.
        path: String,
    },
    /// The views of one path have different CORS configurations.
    #[non_exhaustive]
    DifferingCors {
        /// The path.
        path: String,
    },
    /// A view's `content_types` mix binary and text types.
    #[non_exhaustive]
    InconsistentContentTypes {
        /// The view's name.
        view_name: String,
        /// The binary types listed.
        binary: Vec<String>,
        /// The text types listed.
        text: Vec<String>,
    },
    /// A blueprint's `url_prefix` does not start with `/`, or ends with one.
    #[non_exhaustive]
    InvalidUrlPrefix {
        /// The prefix as given.
        prefix: String,
    },
    /// Two functions of the app (event handlers, pure functions, built-in authorizers) have
    /// one name: each is its own Lambda function, named after it.
    #[non_exhaustive]
    DuplicateFunctionName {
        /// The name.
        name: String,
    },
    /// A function's name cannot name a Lambda function.
    #[non_exhaustive]
    InvalidFunctionName {
        /// The name.
        name: String,
        /// Why not.
        reason: String,
    },
    /// An event handler or pure function is a closure and was given no name.
    #[non_exhaustive]
    UnnamedHandler {
        /// Its declaration (`on_sqs_message`, ...).
        decorator: &'static str,
    },
    /// A schedule expression EventBridge would refuse.
    #[non_exhaustive]
    InvalidSchedule {
        /// The handler's name.
        name: String,
        /// The expression.
        expression: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A parameter of an event source is out of its range or malformed.
    #[non_exhaustive]
    InvalidEventSource {
        /// The handler's name.
        name: String,
        /// Its declaration (`on_sqs_message`, ...).
        decorator: &'static str,
        /// The parameter (`batch_size`, ...).
        parameter: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Event middleware was registered for `EventType::Http`: HTTP middleware take the
    /// request, and are registered with `middleware`.
    HttpEventMiddleware,
    /// A second handler for a built-in WebSocket route (`on_ws_connect`, `on_ws_message`,
    /// `on_ws_disconnect`): an app has at most one of each.
    #[non_exhaustive]
    DuplicateWebsocketHandler {
        /// The declaration (`on_ws_connect`, ...).
        decorator: &'static str,
    },
    /// A custom WebSocket route key declared twice.
    #[non_exhaustive]
    DuplicateWebsocketRoute {
        /// The route key.
        route_key: String,
    },
    /// A custom WebSocket route key API Gateway would refuse.
    #[non_exhaustive]
    InvalidWebsocketRoute {
        /// The route key.
        route_key: String,
        /// Why.
        reason: String,
    },
    /// A route selection expression the app cannot route by.
    #[non_exhaustive]
    InvalidRouteSelectionExpression {
        /// The expression.
        expression: String,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for DefinitionErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DefinitionErrorKind::*;
        match self {
            InvalidPath(error) => fmt::Display::fmt(error, f),
            NoMethods { path, view_name } => {
                write!(
                    f,
                    "Route '{path}' of view function \"{view_name}\" has no methods"
                )
            }
            UnsupportedMethod {
                path,
                view_name,
                method,
            } => write!(
                f,
                "Unsupported method: '{method}' for route: '{path}' of view function \"{view_name}\"; \
                 use one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"
            ),
            MethodListedTwice {
                path,
                view_name,
                method,
            } => write!(
                f,
                "Duplicate method: '{method}' listed twice for route: '{path}' of view function \"{view_name}\""
            ),
            // Chalice's wording (chalice/app.py, _register_route), then where each view was
            // declared: with blueprints, the two may be far apart.
            DuplicateMethod {
                path,
                method,
                first,
                then,
            } => write!(
                f,
                "Duplicate method: '{method}' detected for route: '{path}'\nbetween view functions: \"{}\" and \
                 \"{}\". A specific method may only be specified once for a particular path.\n  first: {first}\n  \
                 then:  {then}",
                first.view_name, then.view_name
            ),
            CaptureConflict {
                path,
                other,
                parent,
                existing,
                new,
                sides,
            } => {
                write!(
                    f,
                    "Route {path} conflicts with route {other}: API Gateway allows one variable path part under \
                     {parent} ({existing} there, {new} here); use the same capture name in both routes"
                )?;
                write_sides(f, sides.as_ref())
            }
            RouteConflict { path, other, sides } => {
                write!(
                    f,
                    "Route {path} conflicts with route {other}: API Gateway allows only one capture (or greedy \
                     capture) at the same place in sibling paths; use the same capture name, or a static segment"
                )?;
                write_sides(f, sides.as_ref())
            }
            AuthorizerNameClash {
                name,
                first_kind,
                then_kind,
            } => write!(
                f,
                "Two different authorizers are named \"{name}\" ({first_kind} and {then_kind}): give each its own name"
            ),
            UnknownAuthorizer {
                path,
                name,
                declared,
            } => {
                write!(
                    f,
                    "Route {path} uses authorizer \"{name}\", which the app does not declare ("
                )?;
                if declared.is_empty() {
                    f.write_str("it declares none")?;
                } else {
                    f.write_str("it declares ")?;
                    for (i, known) in declared.iter().enumerate() {
                        let comma = if i == 0 { "" } else { ", " };
                        write!(f, "{comma}\"{known}\"")?;
                    }
                }
                f.write_str(
                    "). Declare it with app.authorizer(..) or app.add_authorizer(..), or set authorizer_id \
                     for one defined outside the app.",
                )
            }
            CorsWithOptions { path } => write!(
                f,
                "Route entry cannot have both cors=True and methods=['OPTIONS', ...] configured.  When CORS is \
                 enabled, an OPTIONS method is automatically added for you.  Please remove 'OPTIONS' from the \
                 list of configured HTTP methods for: {path}"
            ),
            DifferingCors { path } => write!(
                f,
                "Route may not have multiple differing CORS configurations. Please ensure all views for \"{path}\" \
                 that have CORS configured have the same CORS configuration."
            ),
            InconsistentContentTypes {
                view_name,
                binary,
                text,
            } => write!(
                f,
                "In view function \"{view_name}\", the content_types {} support binary and {} do not. All \
                 content_types must be consistent in their binary support.",
                PythonList(binary),
                PythonList(text)
            ),
            InvalidUrlPrefix { prefix } if !prefix.starts_with('/') => {
                write!(
                    f,
                    "A blueprint's url_prefix must start with '/': {prefix:?}"
                )
            }
            InvalidUrlPrefix { prefix } => write!(
                f,
                "A blueprint's url_prefix cannot end with a trailing slash: {prefix:?}"
            ),
            // Chalice's wording (chalice/deploy/validate.py).
            DuplicateFunctionName { name } => write!(
                f,
                "Duplicate function name detected: {name}\nNames must be unique across all \
                 lambda functions in your Chalice app."
            ),
            InvalidFunctionName { name, reason } => {
                write!(f, "Invalid function name {name:?}: {reason}")
            }
            UnnamedHandler { decorator } => write!(
                f,
                "The {decorator} handler is a closure, which has no name to give its Lambda \
                 function: name it with .name(\"...\")"
            ),
            InvalidSchedule {
                name,
                expression,
                reason,
            } => write!(
                f,
                "Invalid schedule expression {expression:?} for function \"{name}\": {reason}"
            ),
            InvalidEventSource {
                name,
                decorator,
                parameter,
                reason,
            } => write!(
                f,
                "Invalid {parameter} for {decorator} handler \"{name}\": {reason}"
            ),
            HttpEventMiddleware => f.write_str(
                "Event middleware can't be registered for EventType::Http: HTTP middleware take \
                 the Request, register it with middleware(EventType::Http, ...)",
            ),
            // Chalice's wording (chalice/app.py, _attach_websocket_handler).
            DuplicateWebsocketHandler { decorator } => write!(
                f,
                "Duplicate websocket handler: '{decorator}'. There can only be one handler for \
                 each websocket decorator."
            ),
            DuplicateWebsocketRoute { route_key } => write!(
                f,
                "Duplicate websocket route key: '{route_key}'. Each route key has one handler."
            ),
            InvalidWebsocketRoute { route_key, reason } => {
                write!(f, "Invalid websocket route key {route_key:?}: {reason}")
            }
            InvalidRouteSelectionExpression { expression, reason } => write!(
                f,
                "Invalid websocket route selection expression {expression:?}: {reason}"
            ),
        }
    }
}

fn write_sides(f: &mut fmt::Formatter<'_>, sides: Option<&(ViewSite, ViewSite)>) -> fmt::Result {
    match sides {
        Some((first, then)) => write!(f, "\n  first: {first}\n  then:  {then}"),
        None => Ok(()),
    }
}

/// A list as Python prints it, as Chalice's messages show lists: `['a', 'b']`.
struct PythonList<'a>(&'a [String]);

impl fmt::Display for PythonList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, item) in self.0.iter().enumerate() {
            let comma = if i == 0 { "" } else { ", " };
            write!(f, "{comma}'{item}'")?;
        }
        f.write_str("]")
    }
}

/// A view and where it entered the app, for messages naming both sides of a conflict:
/// `"list_users" (src/users.rs:12:5, blueprint "users" registered at src/main.rs:30:5)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewSite {
    view_name: String,
    location: &'static Location<'static>,
    blueprint: Option<(String, &'static Location<'static>)>,
}

impl ViewSite {
    pub(crate) fn new(
        view_name: &str,
        location: &'static Location<'static>,
        blueprint: Option<(&str, &'static Location<'static>)>,
    ) -> Self {
        ViewSite {
            view_name: view_name.to_owned(),
            location,
            blueprint: blueprint.map(|(name, at)| (name.to_owned(), at)),
        }
    }

    /// The view's name.
    pub fn view_name(&self) -> &str {
        &self.view_name
    }

    /// Where the view's route was declared.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// The blueprint the route came from and where it was registered, if it came from one.
    pub fn blueprint(&self) -> Option<(&str, &'static Location<'static>)> {
        self.blueprint
            .as_ref()
            .map(|(name, at)| (name.as_str(), *at))
    }
}

impl fmt::Display for ViewSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.location;
        write!(
            f,
            "\"{}\" ({}:{}:{}",
            self.view_name,
            at.file(),
            at.line(),
            at.column()
        )?;
        if let Some((blueprint, at)) = &self.blueprint {
            write!(
                f,
                ", blueprint \"{blueprint}\" registered at {}:{}:{}",
                at.file(),
                at.line(),
                at.column()
            )?;
        }
        f.write_str(")")
    }
}

/// A mistake in the app's definition, with the place in the source that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    kind: DefinitionErrorKind,
    location: &'static Location<'static>,
}

impl DefinitionError {
    pub(crate) fn new(kind: DefinitionErrorKind, location: &'static Location<'static>) -> Self {
        DefinitionError { kind, location }
    }

    /// What kind of mistake it is, with what its message names.
    pub fn kind(&self) -> &DefinitionErrorKind {
        &self.kind
    }

    /// What is wrong, in Chalice's words where Chalice has words for it (the kind's
    /// `Display`).
    pub fn message(&self) -> String {
        self.kind.to_string()
    }

    /// Where the faulty route (or authorizer, or blueprint registration) was declared.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\n  --> {}:{}:{}",
            self.kind,
            self.location.file(),
            self.location.line(),
            self.location.column()
        )
    }
}

impl std::error::Error for DefinitionError {}

/// Every mistake in an app's definition (see [`crate::Chalice::check`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionErrors {
    errors: Vec<DefinitionError>,
}

impl DefinitionErrors {
    pub(crate) fn new(errors: Vec<DefinitionError>) -> Self {
        DefinitionErrors { errors }
    }

    /// The mistakes, in the order they were made.
    pub fn errors(&self) -> &[DefinitionError] {
        &self.errors
    }
}

impl fmt::Display for DefinitionErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.errors.len();
        writeln!(
            f,
            "the app's definition has {count} mistake{}:",
            if count == 1 { "" } else { "s" }
        )?;
        for error in &self.errors {
            writeln!(f, "\nerror: {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DefinitionErrors {}
