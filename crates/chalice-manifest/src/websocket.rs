//! The app's WebSocket API: its route selection expression and, for each route key, the
//! handler that answers it (`on_ws_connect`, `on_ws_message`, `on_ws_disconnect`).
//!
//! Each handler is the app's one `bootstrap` binary deployed as its own Lambda function,
//! `<app>-<stage>-<handler>`, with [`HANDLER_ENV`](crate::HANDLER_ENV) set to the handler's
//! name, as for the app's other functions.

use serde::{Deserialize, Serialize};

/// API Gateway's default route selection expression, which Chalice uses too: the `action`
/// key of a JSON message picks its route.
pub const DEFAULT_ROUTE_SELECTION_EXPRESSION: &str = "$request.body.action";

/// Chalice's name for the function of the `$connect` route.
pub const CONNECT_HANDLER: &str = "websocket_connect";
/// Chalice's name for the function of the `$default` message route.
pub const MESSAGE_HANDLER: &str = "websocket_message";
/// Chalice's name for the function of the `$disconnect` route.
pub const DISCONNECT_HANDLER: &str = "websocket_disconnect";

/// The route key of a new connection.
pub const CONNECT_ROUTE: &str = "$connect";
/// The route key of a message no other route matches.
pub const DEFAULT_ROUTE: &str = "$default";
/// The route key of a closed connection.
pub const DISCONNECT_ROUTE: &str = "$disconnect";

/// The app's WebSocket API, present in the [`Manifest`](crate::Manifest) when the app
/// declares at least one WebSocket handler.
///
/// ```
/// use chalice_manifest::{WebsocketManifest, WebsocketRouteManifest};
///
/// let mut api = WebsocketManifest::default();
/// api.routes.push(WebsocketRouteManifest::new("$connect", "websocket_connect"));
/// api.routes.push(WebsocketRouteManifest::new("join", "join_room"));
/// assert_eq!(
///     serde_json::to_value(&api).unwrap(),
///     serde_json::json!({
///         "route_selection_expression": "$request.body.action",
///         "routes": [
///             {"route_key": "$connect", "handler": "websocket_connect"},
///             {"route_key": "join", "handler": "join_room"}
///         ]
///     })
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebsocketManifest {
    /// How API Gateway picks a message's route key
    /// ([`DEFAULT_ROUTE_SELECTION_EXPRESSION`] unless set).
    pub route_selection_expression: String,
    /// Each route key and its handler, in declaration order; a route key appears once.
    pub routes: Vec<WebsocketRouteManifest>,
}

impl Default for WebsocketManifest {
    fn default() -> Self {
        WebsocketManifest {
            route_selection_expression: DEFAULT_ROUTE_SELECTION_EXPRESSION.to_owned(),
            routes: Vec::new(),
        }
    }
}

impl WebsocketManifest {
    /// The route answered by the handler named `handler`.
    pub fn route_of(&self, handler: &str) -> Option<&WebsocketRouteManifest> {
        self.routes.iter().find(|route| route.handler == handler)
    }
}

/// One route of the WebSocket API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebsocketRouteManifest {
    /// The route key: [`CONNECT_ROUTE`], [`DEFAULT_ROUTE`], [`DISCONNECT_ROUTE`], or a
    /// custom key matched by the route selection expression (such as `join`).
    pub route_key: String,
    /// The handler's name: unique among all the app's handler names, the value of
    /// [`HANDLER_ENV`](crate::HANDLER_ENV) on its function, and the suffix of its function
    /// name. The built-in routes use Chalice's names ([`CONNECT_HANDLER`],
    /// [`MESSAGE_HANDLER`], [`DISCONNECT_HANDLER`]); a custom route's handler is named after
    /// its function unless given a name.
    pub handler: String,
}

impl WebsocketRouteManifest {
    /// The route `route_key`, answered by `handler`.
    pub fn new(route_key: impl Into<String>, handler: impl Into<String>) -> Self {
        WebsocketRouteManifest {
            route_key: route_key.into(),
            handler: handler.into(),
        }
    }
}
