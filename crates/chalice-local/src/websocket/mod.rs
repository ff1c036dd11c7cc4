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
//!    `$disconnect` handler runs with the close code and reason. When the server stops
//!    (Ctrl-C, SIGTERM), it closes every connection with 1001 ("going away") and waits,
//!    within its shutdown grace period, until each has run `$disconnect`.
//!
//! Messages are limited as API Gateway limits them (128 KB a message, 32 KB a frame): a
//! larger one, or a text frame that is not UTF-8, closes the connection with the code that
//! says why (1009, 1007). A connection that sends nothing for 10 minutes is closed (1001),
//! as API Gateway's idle timeout does.
//!
//! `send`, `close` and `info` reach the connections from any code of the app through the
//! registry, and from other programs through the management endpoint
//! ([`CONNECTIONS_PREFIX`]), the local `@connections`.

mod backend;
mod management;
mod registry;
mod session;

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use chalice_core::Chalice;
use chalice_core::adapter::WebsocketBackend;
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
    /// What `websocket_api()` reaches while the server runs the app's code.
    backend: Arc<dyn WebsocketBackend>,
    stage: String,
    /// The most connections open at once.
    max_connections: usize,
    bodies: Arc<BodyBudget>,
}

impl Websockets {
    /// The WebSocket API of `app` on `stage`, if it has one.
    pub(crate) fn new(
        app: &Arc<Chalice>,
        stage: &str,
        max_connections: usize,
        bodies: &Arc<BodyBudget>,
    ) -> Option<Self> {
        if !app.has_websocket() {
            return None;
        }
        let registry: Arc<Registry> = Arc::default();
        let backend: Arc<dyn WebsocketBackend> =
            Arc::new(backend::LocalBackend::new(Arc::clone(&registry)));
        // For code no request covers (tasks a view spawned, schedules): the process's. The
        // first server of a process wins; each server's own requests and handlers run with
        // their own backend (`with_backend`), so that servers in one process (tests) never
        // reach each other's connections.
        let _ = chalice_core::adapter::install_websocket_backend(Arc::clone(&backend));
        Some(Websockets {
            app: Arc::clone(app),
            registry,
            backend,
            stage: stage.to_owned(),
            max_connections,
            bodies: Arc::clone(bodies),
        })
    }

    /// The connections, for the management endpoint and the server's shutdown.
    pub(crate) fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// Closes every connection with 1001 ("going away") and waits until each has run its
    /// `$disconnect` handler, for up to `grace`: how many had not by then (their handlers
    /// are cut when the server's runtime stops).
    ///
    /// A client that does not answer the close frame is waited for only briefly
    /// ([`registry::STOPPING_CLOSE_WAIT`]), so that a stalled client does not take the grace
    /// period from the others' handlers.
    pub(crate) async fn shut_down(&self, grace: std::time::Duration) -> usize {
        self.registry.close_all();
        match self.registry.sessions() {
            0 => return 0,
            n => tracing::info!(
                target: "chalice::local",
                "Closing {n} WebSocket connection{} (their $disconnect handlers run)",
                if n == 1 { "" } else { "s" }
            ),
        }
        if tokio::time::timeout(grace, self.registry.sessions_ended())
            .await
            .is_ok()
        {
            return 0;
        }
        let cut = self.registry.sessions();
        tracing::warn!(
            target: "chalice::local",
            "{cut} WebSocket connection{} had not run $disconnect after {grace:?}: cut",
            if cut == 1 { "" } else { "s" }
        );
        cut
    }

    /// `future` with this server's connections behind `websocket_api()`.
    pub(crate) fn with_backend<F: std::future::Future>(
        &self,
        future: F,
    ) -> impl std::future::Future<Output = F::Output> {
        chalice_core::adapter::with_websocket_backend(Arc::clone(&self.backend), future)
    }

    /// The name of the handler of `route_key` (its function's).
    fn handler<'a>(&'a self, route_key: &'a str) -> &'a str {
        self.app
            .websocket_routes()
            .find(|(key, _)| *key == route_key)
            .map_or(route_key, |(_, name)| name)
    }

    /// The function the handler of `route_key` pretends to run in.
    fn function(&self, route_key: &str) -> LocalFunction {
        LocalFunction::new(format!(
            "{}-{}",
            self.app.app_name(),
            self.handler(route_key)
        ))
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
