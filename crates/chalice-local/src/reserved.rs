//! The paths the local server answers itself, and the app's routes they hide locally.
//!
//! Under `/_chalice/` the local server has endpoints of its own (invoking the app's
//! functions, the WebSocket API and its `@connections`), which API Gateway does not have: a
//! route of the app there works once deployed, but locally its requests never reach it.
//! That is no mistake in the app (so not a definition error, which would refuse an app
//! that deploys and works), but it would be baffling to find out by a request that gets the
//! wrong answer: the server names each such route when it starts.

use chalice_core::Chalice;

use crate::functions::INVOKE_PREFIX;
use crate::websocket::{CONNECTIONS_PREFIX, WEBSOCKET_PATH};

/// The first segment of every path the local server keeps for itself.
const RESERVED_SEGMENT: &str = "_chalice";

/// Logs a warning for each route of `app` whose requests the local server answers itself,
/// naming the route, its methods and what takes its requests.
pub(crate) fn warn_about_hidden_routes(app: &Chalice) {
    for hidden in hidden_routes(app) {
        tracing::warn!(
            target: "chalice::local",
            "route {} ({}) is hidden locally: {}, so they never reach its view here; deployed, \
             the route works. Move it out of /{RESERVED_SEGMENT}/ to try it locally",
            hidden.path,
            hidden.methods.join(", "),
            hidden.by
        );
    }
}

/// A route the local server hides, in part or whole.
#[derive(Debug, PartialEq, Eq)]
struct Hidden {
    path: String,
    methods: Vec<String>,
    /// Which of its requests the local server takes, and for what.
    by: String,
}

/// The routes of `app` under `/_chalice/` that the local server's own paths hide.
fn hidden_routes(app: &Chalice) -> Vec<Hidden> {
    let invoke = segments(INVOKE_PREFIX);
    let connections = segments(CONNECTIONS_PREFIX);
    let websocket = segments(WEBSOCKET_PATH);
    let mut hidden: Vec<Hidden> = Vec::new();
    for route in app.routes() {
        let template = segments(route.path());
        if template.first() != Some(&RESERVED_SEGMENT) {
            continue;
        }
        let method = route.method().as_str();
        let mut by = Vec::new();
        if under(&template, &invoke) {
            by.push(format!(
                "requests under {INVOKE_PREFIX} invoke the app's functions"
            ));
        }
        if app.has_websocket() && under(&template, &connections) {
            by.push(format!(
                "requests under {CONNECTIONS_PREFIX} are the local WebSocket API's @connections"
            ));
        }
        if app.has_websocket() && method == "GET" && matches_exactly(&template, &websocket) {
            by.push(format!(
                "WebSocket upgrade requests to {WEBSOCKET_PATH} open a connection to the local WebSocket API"
            ));
        }
        if by.is_empty() {
            continue;
        }
        let by = by.join("; ");
        match hidden
            .iter_mut()
            .find(|h| h.path == route.path() && h.by == by)
        {
            Some(known) => known.methods.push(method.to_owned()),
            None => hidden.push(Hidden {
                path: route.path().to_owned(),
                methods: vec![method.to_owned()],
                by,
            }),
        }
    }
    hidden
}

/// The segments of a path or route template, without the empty ones its slashes leave.
fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// Whether a template segment matches the concrete segment `segment`: equal, or a capture.
fn matches(template: &str, segment: &str) -> bool {
    template == segment || (template.starts_with('{') && !template.ends_with("+}"))
}

fn is_greedy(template: &str) -> bool {
    template.ends_with("+}")
}

/// Whether `template` matches some path that starts with the segments of `prefix` and has
/// at least one more (the local server takes every path under its prefixes).
fn under(template: &[&str], prefix: &[&str]) -> bool {
    for (i, segment) in prefix.iter().enumerate() {
        match template.get(i) {
            None => return false,
            Some(t) if is_greedy(t) => return true,
            Some(t) if matches(t, segment) => {}
            Some(_) => return false,
        }
    }
    template.len() > prefix.len()
}

/// Whether `template` matches the path of exactly the segments `path`.
fn matches_exactly(template: &[&str], path: &[&str]) -> bool {
    for (i, segment) in path.iter().enumerate() {
        match template.get(i) {
            None => return false,
            // One or more segments: the rest of the path.
            Some(t) if is_greedy(t) => return i + 1 == template.len(),
            Some(t) if matches(t, segment) => {}
            Some(_) => return false,
        }
    }
    template.len() == path.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_the_local_server_hides() {
        let invoke = "requests under /_chalice/invoke/ invoke the app's functions";
        let connections =
            "requests under /_chalice/ws/@connections/ are the local WebSocket API's @connections";
        let upgrade = "WebSocket upgrade requests to /_chalice/ws open a connection to the local WebSocket API";
        // (routes with their methods, whether the app has WebSocket handlers, what is hidden)
        let cases: &[(&[(&str, &[&str])], bool, &[(&str, &[&str], &str)])] = &[
            (
                &[("/_chalice/invoke/{name}", &["GET", "POST"])],
                false,
                &[("/_chalice/invoke/{name}", &["GET", "POST"], invoke)],
            ),
            (
                &[("/_chalice/{what}/{name}", &["POST"])],
                false,
                &[("/_chalice/{what}/{name}", &["POST"], invoke)],
            ),
            (
                &[("/_chalice/{rest+}", &["PUT"])],
                true,
                &[(
                    "/_chalice/{rest+}",
                    &["PUT"],
                    "requests under /_chalice/invoke/ invoke the app's functions; requests under \
                 /_chalice/ws/@connections/ are the local WebSocket API's @connections",
                )],
            ),
            (
                &[("/_chalice/ws/{id}/{more}", &["GET"])],
                true,
                &[("/_chalice/ws/{id}/{more}", &["GET"], connections)],
            ),
            (
                &[("/_chalice/ws", &["GET", "POST"])],
                true,
                &[("/_chalice/ws", &["GET"], upgrade)],
            ),
            // Without WebSocket handlers, /_chalice/ws is the app's.
            (
                &[
                    ("/_chalice/ws", &["GET"]),
                    ("/_chalice/ws/{id}/{more}", &["GET"]),
                ],
                false,
                &[],
            ),
            // Nothing the local server takes.
            (
                &[
                    ("/_chalice/invoke", &["POST"]),
                    ("/_chalice/health", &["GET"]),
                ],
                true,
                &[],
            ),
            // Not under /_chalice/: a catch-all route is not worth a warning on every start.
            (
                &[("/{proxy+}", &["GET"]), ("/{a}/invoke/{b}", &["POST"])],
                true,
                &[],
            ),
        ];
        for (routes, websocket, expected) in cases {
            let mut app = Chalice::new("app");
            for (path, methods) in *routes {
                app.register(
                    chalice_core::Route::new(*path, || "view").methods(methods.iter().copied()),
                );
            }
            if *websocket {
                app.on_ws_message(|_: chalice_core::WebsocketEvent| {});
            }
            let expected: Vec<Hidden> = expected
                .iter()
                .map(|(path, methods, by)| Hidden {
                    path: (*path).to_owned(),
                    methods: methods.iter().map(|m| (*m).to_owned()).collect(),
                    by: (*by).to_owned(),
                })
                .collect();
            assert_eq!(
                hidden_routes(&app),
                expected,
                "{routes:?}, websocket: {websocket}"
            );
        }
    }
}
