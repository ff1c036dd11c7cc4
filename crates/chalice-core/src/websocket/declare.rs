//! Declaring WebSocket handlers: what each declaration keeps, the checks made when the app
//! is built, and the app's WebSocket API in its manifest.

use std::panic::Location;
use std::sync::Arc;

use chalice_manifest::{
    CONNECT_HANDLER, CONNECT_ROUTE, DEFAULT_ROUTE, DEFAULT_ROUTE_SELECTION_EXPRESSION,
    DISCONNECT_HANDLER, DISCONNECT_ROUTE, MESSAGE_HANDLER, WebsocketManifest,
    WebsocketRouteManifest,
};

use crate::definition_error::{DefinitionError, DefinitionErrorKind};
use crate::events::ErasedHandler;

/// One WebSocket route: its key, its handler and the handler's name, and where it was
/// declared.
#[derive(Clone)]
pub(crate) struct WsRouteDecl {
    pub(crate) route_key: String,
    /// The handler's name: Chalice's for the built-in routes, the function's (or the one
    /// given) for a custom route; `None` for an unnamed closure on a custom route.
    pub(crate) name: Option<String>,
    pub(crate) handler: Arc<ErasedHandler>,
    pub(crate) location: &'static Location<'static>,
}

impl WsRouteDecl {
    pub(crate) fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }

    fn is_builtin(&self) -> bool {
        builtin_handler(&self.route_key).is_some()
    }
}

/// The handler name of a built-in route key (Chalice's), `None` for a custom one.
pub(crate) fn builtin_handler(route_key: &str) -> Option<&'static str> {
    match route_key {
        CONNECT_ROUTE => Some(CONNECT_HANDLER),
        DEFAULT_ROUTE => Some(MESSAGE_HANDLER),
        DISCONNECT_ROUTE => Some(DISCONNECT_HANDLER),
        _ => None,
    }
}

/// The WebSocket routes an app or a blueprint declares.
#[derive(Clone, Default)]
pub(crate) struct Websockets {
    pub(crate) routes: Vec<WsRouteDecl>,
    /// The route selection expression, if set, and where.
    pub(crate) selection: Option<(String, &'static Location<'static>)>,
    /// Differing expressions met when blueprints were registered.
    conflicts: Vec<(String, &'static Location<'static>)>,
}

impl Websockets {
    pub(crate) fn push(&mut self, decl: WsRouteDecl) -> &mut WsRouteDecl {
        self.routes.push(decl);
        let last = self.routes.len() - 1;
        &mut self.routes[last]
    }

    pub(crate) fn set_selection(
        &mut self,
        expression: String,
        location: &'static Location<'static>,
    ) {
        self.selection = Some((expression, location));
    }

    /// The route selection expression in force.
    pub(crate) fn selection_expression(&self) -> &str {
        self.selection
            .as_ref()
            .map_or(DEFAULT_ROUTE_SELECTION_EXPRESSION, |(expression, _)| {
                expression
            })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// The route for `route_key`.
    pub(crate) fn route(&self, route_key: &str) -> Option<&WsRouteDecl> {
        self.routes.iter().find(|decl| decl.route_key == route_key)
    }

    /// Adds a blueprint's routes (custom handlers' names prefixed) and its expression.
    pub(crate) fn extend(&mut self, other: &Websockets, name_prefix: Option<&str>) {
        for decl in &other.routes {
            let mut decl = decl.clone();
            if let (Some(prefix), Some(name), false) = (name_prefix, &decl.name, decl.is_builtin())
            {
                decl.name = Some(format!("{prefix}{name}"));
            }
            self.routes.push(decl);
        }
        if let Some((expression, location)) = &other.selection {
            match &self.selection {
                Some((mine, _)) if mine != expression => {
                    self.conflicts.push((expression.clone(), location));
                }
                Some(_) => {}
                None => self.selection = Some((expression.clone(), location)),
            }
        }
    }

    /// The mistakes in the declarations; handler names are compared with `taken` (the app's
    /// other functions) too.
    pub(crate) fn check(&self, taken: &[&str], errors: &mut Vec<DefinitionError>) {
        if let Some((expression, location)) = &self.selection
            && let Err(reason) = selection_path(expression)
        {
            let kind = DefinitionErrorKind::InvalidRouteSelectionExpression {
                expression: expression.clone(),
                reason,
            };
            errors.push(DefinitionError::new(kind, location));
        }
        for (expression, location) in &self.conflicts {
            let kind = DefinitionErrorKind::InvalidRouteSelectionExpression {
                expression: expression.clone(),
                reason: format!(
                    "the app's WebSocket API selects routes with {:?} already; an API has one \
                     route selection expression",
                    self.selection_expression()
                ),
            };
            errors.push(DefinitionError::new(kind, location));
        }
        for (i, decl) in self.routes.iter().enumerate() {
            let earlier = self.routes[..i]
                .iter()
                .any(|other| other.route_key == decl.route_key);
            if let Some(decorator) = builtin_decorator(&decl.route_key) {
                if earlier {
                    let kind = DefinitionErrorKind::DuplicateWebsocketHandler { decorator };
                    errors.push(DefinitionError::new(kind, decl.location));
                }
                continue;
            }
            if let Some(reason) = route_key_problem(&decl.route_key) {
                let kind = DefinitionErrorKind::InvalidWebsocketRoute {
                    route_key: decl.route_key.clone(),
                    reason,
                };
                errors.push(DefinitionError::new(kind, decl.location));
                continue;
            }
            if earlier {
                let kind = DefinitionErrorKind::DuplicateWebsocketRoute {
                    route_key: decl.route_key.clone(),
                };
                errors.push(DefinitionError::new(kind, decl.location));
                continue;
            }
            let Some(name) = &decl.name else {
                let kind = DefinitionErrorKind::UnnamedHandler {
                    decorator: "on_ws_route",
                };
                errors.push(DefinitionError::new(kind, decl.location));
                continue;
            };
            if let Some(reason) = crate::events::name_problem(name) {
                let kind = DefinitionErrorKind::InvalidFunctionName {
                    name: name.clone(),
                    reason,
                };
                errors.push(DefinitionError::new(kind, decl.location));
            }
        }
        // Every handler is a Lambda function named after it: names are unique in the app.
        for (i, decl) in self.routes.iter().enumerate() {
            let Some(name) = &decl.name else { continue };
            let duplicate_route = self.routes[..i]
                .iter()
                .any(|other| other.route_key == decl.route_key);
            if duplicate_route {
                continue; // reported above
            }
            let earlier = self.routes[..i]
                .iter()
                .any(|other| other.name.as_deref() == Some(name));
            if earlier || taken.contains(&name.as_str()) {
                let kind = DefinitionErrorKind::DuplicateFunctionName { name: name.clone() };
                errors.push(DefinitionError::new(kind, decl.location));
            }
        }
    }

    /// The WebSocket API of the manifest, `None` without WebSocket handlers.
    pub(crate) fn manifest(&self) -> Option<WebsocketManifest> {
        if self.routes.is_empty() {
            return None;
        }
        let mut manifest = WebsocketManifest::default();
        self.selection_expression()
            .clone_into(&mut manifest.route_selection_expression);
        manifest.routes = self
            .routes
            .iter()
            .map(|decl| WebsocketRouteManifest::new(&decl.route_key, decl.name()))
            .collect();
        Some(manifest)
    }
}

/// Chalice's decorator for a built-in route key.
fn builtin_decorator(route_key: &str) -> Option<&'static str> {
    match route_key {
        CONNECT_ROUTE => Some("on_ws_connect"),
        DEFAULT_ROUTE => Some("on_ws_message"),
        DISCONNECT_ROUTE => Some("on_ws_disconnect"),
        _ => None,
    }
}

/// Why `route_key` cannot be a custom route's key, if it cannot.
fn route_key_problem(route_key: &str) -> Option<String> {
    if route_key.is_empty() {
        return Some("it is empty".to_owned());
    }
    if route_key.starts_with('$') {
        return Some(
            "keys starting with '$' are API Gateway's own: use on_ws_connect, on_ws_message \
             or on_ws_disconnect for $connect, $default and $disconnect"
                .to_owned(),
        );
    }
    // API Gateway's limit on a route key (CreateRoute).
    if route_key.len() > 128 {
        return Some(format!(
            "it is {} characters long; API Gateway takes at most 128",
            route_key.len()
        ));
    }
    None
}

/// The path into a JSON message a route selection expression names: `$request.body.action`
/// is `["action"]`, `${request.body.a.b}` is `["a", "b"]`.
///
/// API Gateway evaluates the expression on each message; locally and in the test client we
/// do the same, so only the forms that read the message's JSON are taken.
pub(crate) fn selection_path(expression: &str) -> Result<Vec<&str>, String> {
    let inner = expression
        .strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .map(|inner| format!("${inner}"));
    let text = inner.as_deref().unwrap_or(expression);
    let Some(path) = text.strip_prefix("$request.body.") else {
        return Err(
            "a route selection expression reads the message's JSON: $request.body.<key>, such \
             as $request.body.action"
                .to_owned(),
        );
    };
    let offset = expression.len() - path.len() - usize::from(inner.is_some());
    let path = &expression[offset..offset + path.len()];
    let parts: Vec<&str> = path.split('.').collect();
    if parts.iter().any(|part| part.is_empty()) {
        return Err(format!("{path:?} is not a path of JSON keys (a.b.c)"));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_expressions_name_a_path_in_the_message() {
        let cases: &[(&str, Result<&[&str], &str>)] = &[
            ("$request.body.action", Ok(&["action"])),
            ("$request.body.message.type", Ok(&["message", "type"])),
            ("${request.body.action}", Ok(&["action"])),
            (
                "$request.header.x",
                Err(
                    "a route selection expression reads the message's JSON: $request.body.<key>, such as $request.body.action",
                ),
            ),
            (
                "$request.body.a..b",
                Err(r#""a..b" is not a path of JSON keys (a.b.c)"#),
            ),
        ];
        for (expression, expected) in cases {
            let got = selection_path(expression);
            assert_eq!(
                got.as_deref().map_err(String::as_str),
                expected.as_ref().map(|p| *p).map_err(|e| *e),
                "{expression}"
            );
        }
    }

    #[test]
    fn custom_route_keys_are_checked() {
        let long = "k".repeat(129);
        let cases = [
            ("join", None),
            ("", Some("it is empty")),
            (
                "$join",
                Some(
                    "keys starting with '$' are API Gateway's own: use on_ws_connect, on_ws_message or on_ws_disconnect for $connect, $default and $disconnect",
                ),
            ),
            (
                long.as_str(),
                Some("it is 129 characters long; API Gateway takes at most 128"),
            ),
        ];
        for (key, problem) in cases {
            assert_eq!(route_key_problem(key).as_deref(), problem, "{key:?}");
        }
    }
}
