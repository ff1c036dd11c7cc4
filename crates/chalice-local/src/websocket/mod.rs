//! The app's WebSocket API, locally, on the same port as its HTTP API.
//!
//! A request with `Upgrade: websocket` on `/` (or on [`WEBSOCKET_PATH`]) opens a
//! connection, as a client of API Gateway's WebSocket API would at its stage's URL:
//!
//! 1. the connection gets an id in API Gateway's shape, and the app's `$connect` handler
//!    runs with the `CONNECT` event (the upgrade request's headers and query string); an
//!    error (or a `statusCode` outside 2xx) refuses the upgrade with that status;
//! 2. each text or binary message goes to the route its route selection expression picks
//!    (`$request.body.action` by default), else `$default`, as a `MESSAGE` event; messages
//!    of one connection are handled one at a time, in order. With no route for a message the
//!    client gets API Gateway's `{"message": "Forbidden", ...}`, and when the handler fails
//!    `{"message": "Internal server error", ...}`;
//! 3. when either side closes, the connection leaves the [registry](registry) and the
//!    `$disconnect` handler runs with the close code and reason.
//!
//! Messages are limited as API Gateway limits them (128 KB a message, 32 KB a frame): a
//! larger one, or a text frame that is not UTF-8, closes the connection with the code that
//! says why (1009, 1007). A connection that sends nothing for 10 minutes is closed (1001),
//! as API Gateway's idle timeout does.
//!
//! `send`, `close` and `info` reach the connections from any code of the app through the
//! registry, and from other programs through the management endpoint
//! ([`CONNECTIONS_PREFIX`]), the local `@connections`.

mod event;
mod management;
mod registry;
mod session;

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use chalice_core::Chalice;
use chalice_manifest::{CONNECT_ROUTE, DEFAULT_ROUTE, DISCONNECT_ROUTE, WebsocketManifest};
use http_body_util::Full;
use hyper::body::Incoming;

use crate::budget::BodyBudget;
use crate::function::LocalFunction;
use crate::wire::Shared;

pub(crate) use management::answer as management_answer;
pub(crate) use registry::Registry;

/// The path of the local WebSocket API besides `/`, and the base of its management
/// endpoint: `http://HOST:PORT/_chalice/ws` is what `CHALICE_WEBSOCKET_ENDPOINT` would be
/// locally, and turning its scheme into `ws://` gives a URL that connects, as turning
/// `https://` into `wss://` does for a deployed API's endpoint.
pub const WEBSOCKET_PATH: &str = "/_chalice/ws";

/// Where the local server plays API Gateway's management API for WebSocket connections:
/// `POST` a message to `CONNECTIONS_PREFIX` + the connection id to send it, `DELETE` to
/// close the connection, `GET` to read what is known of it (`ConnectedAt`, `Identity`,
/// `LastActiveAt`). A gone connection answers `410`, as API Gateway does.
pub const CONNECTIONS_PREFIX: &str = "/_chalice/ws/@connections/";

/// The app's WebSocket API as the local server serves it.
pub(crate) struct Websockets {
    app: Arc<Chalice>,
    registry: Arc<Registry>,
    selection: event::RouteSelection,
    /// Each route key and its handler's name.
    routes: Vec<(String, String)>,
    stage: String,
    /// The most connections open at once.
    max_connections: usize,
    bodies: Arc<BodyBudget>,
}

impl Websockets {
    /// The WebSocket API of `app`, if it has one.
    pub(crate) fn new(
        app: &Arc<Chalice>,
        manifest: Option<WebsocketManifest>,
        stage: &str,
        max_connections: usize,
        bodies: &Arc<BodyBudget>,
    ) -> Option<Self> {
        let manifest = manifest?;
        let selection = event::RouteSelection::new(&manifest.route_selection_expression);
        if !selection.is_supported() {
            tracing::warn!(
                target: "chalice::local",
                "the route selection expression {:?} is not one the local server follows \
                 ($request.body.PATH): every message goes to $default",
                manifest.route_selection_expression
            );
        }
        Some(Websockets {
            app: Arc::clone(app),
            registry: Arc::default(),
            selection,
            routes: manifest
                .routes
                .into_iter()
                .map(|route| (route.route_key, route.handler))
                .collect(),
            stage: stage.to_owned(),
            max_connections,
            bodies: Arc::clone(bodies),
        })
    }

    /// The connections, for the app's `websocket_api()` and the management endpoint.
    pub(crate) fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// The handler of `route_key`, if the app has one.
    fn handler(&self, route_key: &str) -> Option<&str> {
        self.routes
            .iter()
            .find(|(key, _)| key == route_key)
            .map(|(_, handler)| handler.as_str())
    }

    /// The route a message takes: the one its route selection expression names when the
    /// app has it, else `$default` when the app has that.
    fn route_of(&self, body: &event::Body<'_>) -> Option<(&str, &str)> {
        let selected = self.selection.select(body);
        let builtin = |key: &str| key == CONNECT_ROUTE || key == DISCONNECT_ROUTE;
        let chosen = selected
            .as_deref()
            .filter(|key| !builtin(key))
            .and_then(|key| self.routes.iter().find(|(k, _)| k == key))
            .or_else(|| self.routes.iter().find(|(k, _)| k == DEFAULT_ROUTE));
        chosen.map(|(key, handler)| (key.as_str(), handler.as_str()))
    }

    /// The function a handler pretends to run in.
    fn function(&self, handler: &str) -> LocalFunction {
        LocalFunction::new(format!("{}-{handler}", self.app.app_name()))
    }
}

/// Whether `request` asks to open a WebSocket connection on the WebSocket API's path.
pub(crate) fn is_upgrade(request: &hyper::Request<Incoming>) -> bool {
    let path = request.uri().path();
    (path == "/" || path == WEBSOCKET_PATH)
        && request
            .headers()
            .get(http::header::UPGRADE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                value
                    .split(',')
                    .any(|token| token.trim().eq_ignore_ascii_case("websocket"))
            })
}

/// Answers an upgrade request: `101 Switching Protocols` and a session for the connection
/// once the `$connect` handler accepted it, else the refusal.
pub(crate) async fn upgrade(
    websockets: &Arc<Websockets>,
    peer: SocketAddr,
    shared: &Shared,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    session::upgrade(websockets, peer, shared, request).await
}

/// An answer of the local server's own, shaped as API Gateway's: `{"message": ...}`.
fn own_answer(status: http::StatusCode, message: &str) -> hyper::Response<Full<Bytes>> {
    let body = serde_json::json!({ "message": message }).to_string();
    let mut response = hyper::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}
