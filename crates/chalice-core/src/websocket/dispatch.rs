//! Answering a WebSocket event: the route's handler, with the event middleware for
//! WebSocket events around it and the event's endpoint current; and the route selection
//! API Gateway makes, for the adapters that play API Gateway.

use std::sync::Arc;

use bytes::Bytes;
use chalice_manifest::{CONNECT_ROUTE, DEFAULT_ROUTE, DISCONNECT_ROUTE};
use serde_json::Value;

use super::declare::selection_path;
use super::event::WebsocketEvent;
use super::message::WebsocketMessage;
use super::scope::with_endpoint;
use crate::app::Chalice;
use crate::error::{ChaliceError, MessageError};
use crate::events::{Event, EventNext};
use crate::middleware::EventType;

/// A WebSocket handler's answer, as API Gateway takes it from the integration: a status
/// (200 when the handler succeeded) and, for an error, its body.
///
/// For `$connect`, a status that is not 2xx refuses the connection (API Gateway answers
/// the client's upgrade with it). An unhandled error is a 500 whose body hides it, unless the
/// app's `debug` is on; the error itself is logged, and kept for the adapter
/// ([`WebsocketResponse::error`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct WebsocketResponse {
    /// 200, or the error's status.
    pub status_code: u16,
    /// Empty on success; Chalice's error JSON (`{"Code":..,"Message":..}`) for an error,
    /// or its report as text for an unhandled error with `debug` on.
    pub body: Bytes,
    headers: Vec<(String, String)>,
    error: Option<ChaliceError>,
}

impl WebsocketResponse {
    fn ok() -> Self {
        WebsocketResponse {
            status_code: 200,
            body: Bytes::new(),
            headers: Vec::new(),
            error: None,
        }
    }

    fn from_error(error: ChaliceError, debug: bool) -> Self {
        let body = if debug && error.is_unhandled() {
            Bytes::from(error.report())
        } else {
            error.to_response().body
        };
        WebsocketResponse {
            status_code: error.status_code(),
            body,
            headers: Vec::new(),
            error: Some(error),
        }
    }

    /// The headers the handler answered with ([`WebsocketConnectResponse`]): for
    /// `$connect`, what the client's upgrade is answered with (`Sec-WebSocket-Protocol`).
    ///
    /// [`WebsocketConnectResponse`]: crate::WebsocketConnectResponse
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Whether the handler succeeded (a 2xx status): for `$connect`, whether the connection
    /// is accepted.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status_code)
    }

    /// The handler's error, when it failed.
    pub fn error(&self) -> Option<&ChaliceError> {
        self.error.as_ref()
    }

    /// Takes the handler's error out.
    pub fn take_error(&mut self) -> Option<ChaliceError> {
        self.error.take()
    }
}

impl Chalice {
    /// Answers one WebSocket event: runs the handler of its route key, with the event
    /// middleware for WebSocket events around it (`EventType::Websocket`) and the event's
    /// endpoint current for [`crate::websocket_api`]. A panic is an unhandled error.
    ///
    /// An event for `$connect` or `$disconnect` without a handler succeeds, as API Gateway
    /// accepts connections when the API has no `$connect` route; an event for a route key
    /// the app does not have is an unhandled error (500), logged.
    ///
    /// This is what a deployed WebSocket function does with each event; the local server
    /// and the test client do the same with the events they build.
    ///
    /// ```
    /// use chalice_core::{Chalice, ChaliceError, WebsocketEvent};
    /// # let block_on = chalice_core::__private::block_on;
    ///
    /// let mut app = Chalice::new("app");
    /// app.on_ws_connect(|_: WebsocketEvent| -> Result<(), ChaliceError> {
    ///     Err(ChaliceError::forbidden("closed for the night"))
    /// });
    /// let event = WebsocketEvent::from_json(r#"{"requestContext": {"routeKey": "$connect",
    ///     "eventType": "CONNECT", "connectionId": "abc=", "stage": "dev",
    ///     "domainName": "x.execute-api.us-east-1.amazonaws.com"}}"#).unwrap();
    /// let response = block_on(app.handle_websocket(event));
    /// assert_eq!(response.status_code, 403);
    /// assert_eq!(response.body, r#"{"Code":"ForbiddenError","Message":"closed for the night"}"#);
    /// ```
    pub async fn handle_websocket(&self, event: WebsocketEvent) -> WebsocketResponse {
        let Some(decl) = self.functions.websockets.route(&event.route_key) else {
            if event.route_key == CONNECT_ROUTE || event.route_key == DISCONNECT_ROUTE {
                return WebsocketResponse::ok();
            }
            let known: Vec<String> = self
                .websocket_routes()
                .map(|(key, _)| format!("\"{key}\""))
                .collect();
            let error = ChaliceError::unhandled(MessageError(format!(
                "the app has no WebSocket handler for route key \"{}\" (it has {})",
                event.route_key,
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            )));
            self.log().error(format!("{error}"));
            return WebsocketResponse::from_error(error, self.debug());
        };
        let name = decl.name().to_owned();
        let endpoint: Arc<str> = event.endpoint().into();
        let chain = self.functions.middleware.chain(EventType::Websocket);
        let next = EventNext::new(chain, Arc::clone(&decl.handler), self.debug());
        match with_endpoint(endpoint, next.run(Event::Websocket(event))).await {
            Ok(answer) => WebsocketResponse {
                headers: super::connect::headers_of(&answer),
                ..WebsocketResponse::ok()
            },
            Err(error) => {
                if error.is_unhandled() {
                    self.log().error(format!(
                        "Caught exception for WebSocket handler {name}\n{}",
                        error.report()
                    ));
                }
                WebsocketResponse::from_error(error, self.debug())
            }
        }
    }

    /// The route key API Gateway would pick for `message`: the custom route the route
    /// selection expression names, else `$default` if the app has an `on_ws_message`
    /// handler, else `None` (API Gateway then answers the client itself, with
    /// `{"message": "Forbidden", ...}`).
    ///
    /// ```
    /// use chalice_core::{Chalice, WebsocketEvent, WebsocketMessage};
    ///
    /// let mut app = Chalice::new("chat");
    /// app.on_ws_route("join", |_: WebsocketEvent| {}).name("join_room");
    /// let route = |text: &str| app.select_websocket_route(&WebsocketMessage::from(text)).map(str::to_owned);
    /// assert_eq!(route(r#"{"action": "join"}"#).as_deref(), Some("join"));
    /// assert_eq!(route(r#"{"action": "leave"}"#), None);
    /// app.on_ws_message(|_: WebsocketEvent| {});
    /// # let route = |text: &str| app.select_websocket_route(&WebsocketMessage::from(text)).map(str::to_owned);
    /// assert_eq!(route("not json").as_deref(), Some("$default"));
    /// ```
    pub fn select_websocket_route(&self, message: &WebsocketMessage) -> Option<&str> {
        let websockets = &self.functions.websockets;
        let selected = selection_path(websockets.selection_expression())
            .ok()
            .and_then(|path| {
                let json: Value = serde_json::from_slice(message.as_bytes()).ok()?;
                let value = path.iter().try_fold(&json, |value, key| value.get(key))?;
                match value {
                    Value::String(text) => Some(text.clone()),
                    Value::Number(number) => Some(number.to_string()),
                    Value::Bool(flag) => Some(flag.to_string()),
                    _ => None,
                }
            });
        if let Some(key) = selected
            && let Some(decl) = websockets
                .routes
                .iter()
                .find(|decl| decl.route_key == key && !key.starts_with('$'))
        {
            return Some(&decl.route_key);
        }
        websockets
            .route(DEFAULT_ROUTE)
            .map(|decl| decl.route_key.as_str())
    }

    /// The app's WebSocket routes: each route key and its handler's name, in declaration
    /// order.
    pub fn websocket_routes(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.functions
            .websockets
            .routes
            .iter()
            .map(|decl| (decl.route_key.as_str(), decl.name()))
    }

    /// Whether the app declares any WebSocket handler.
    pub fn has_websocket(&self) -> bool {
        !self.functions.websockets.is_empty()
    }

    /// The route selection expression of the app's WebSocket API.
    pub fn websocket_route_selection_expression(&self) -> &str {
        self.functions.websockets.selection_expression()
    }
}

/// What API Gateway sends a client itself, as a text message, when its message cannot be
/// answered: `message` is `Forbidden` when no route matches (and there is no `$default`),
/// `Internal server error` when the integration failed.
///
/// ```
/// let frame = chalice_core::adapter::websocket_gateway_message("Forbidden", "abc=", "req-1");
/// assert_eq!(frame, r#"{"message":"Forbidden","connectionId":"abc=","requestId":"req-1"}"#);
/// ```
pub fn websocket_gateway_message(message: &str, connection_id: &str, request_id: &str) -> String {
    serde_json::json!({
        "message": message,
        "connectionId": connection_id,
        "requestId": request_id,
    })
    .to_string()
}
