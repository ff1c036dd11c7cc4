//! What a `$connect` handler may answer the client's upgrade with: headers, chiefly the
//! subprotocol it chose.

use serde_json::{Map, Value};

use crate::error::ChaliceError;
use crate::events::EventOutput;

/// The headers a `$connect` handler answers the client's upgrade with, as API Gateway takes
/// them from the integration's response: above all `Sec-WebSocket-Protocol`, the
/// subprotocol chosen among those the client offered (its `Sec-WebSocket-Protocol`
/// request header, in [`WebsocketEvent::headers`](crate::WebsocketEvent::headers)).
///
/// A client that offers subprotocols (a browser's `new WebSocket(url, ["graphql-ws"])`)
/// refuses a connection whose answer names none, so its `$connect` handler must return
/// one. Returned from another route's handler, the headers are ignored, as API Gateway
/// ignores them.
///
/// ```
/// use chalice_core::{Chalice, ChaliceError, WebsocketConnectResponse, WebsocketEvent};
///
/// fn connect(event: WebsocketEvent) -> Result<WebsocketConnectResponse, ChaliceError> {
///     let offered = event.headers.get("sec-websocket-protocol").unwrap_or_default();
///     if !offered.split(',').any(|p| p.trim() == "chat.v2") {
///         return Err(ChaliceError::bad_request("this API speaks chat.v2"));
///     }
///     Ok(WebsocketConnectResponse::new().subprotocol("chat.v2"))
/// }
///
/// let mut app = Chalice::new("chat");
/// app.on_ws_connect(connect);
/// # assert!(app.check().is_ok());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct WebsocketConnectResponse {
    headers: Vec<(String, String)>,
}

/// The header that names the subprotocol.
const SUBPROTOCOL: &str = "Sec-WebSocket-Protocol";

impl WebsocketConnectResponse {
    /// An answer with no headers: the connection is accepted, as with `()`.
    pub fn new() -> Self {
        WebsocketConnectResponse::default()
    }

    /// Chooses the subprotocol `protocol` (`Sec-WebSocket-Protocol`), which must be one the
    /// client offered.
    pub fn subprotocol(self, protocol: impl Into<String>) -> Self {
        self.header(SUBPROTOCOL, protocol)
    }

    /// Adds the header `name: value` to the answer.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The headers, in the order they were added.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }
}

impl EventOutput for WebsocketConnectResponse {
    fn into_answer(self) -> Result<Value, ChaliceError> {
        let headers: Map<String, Value> = self
            .headers
            .into_iter()
            .map(|(name, value)| (name, Value::String(value)))
            .collect();
        let mut answer = Map::new();
        answer.insert("headers".to_owned(), Value::Object(headers));
        Ok(Value::Object(answer))
    }
}

impl<E: Into<ChaliceError>> EventOutput for Result<WebsocketConnectResponse, E> {
    fn into_answer(self) -> Result<Value, ChaliceError> {
        self.map_err(Into::into)?.into_answer()
    }
}

/// The headers of a handler's answer (what [`WebsocketConnectResponse`] wrote), if any.
pub(super) fn headers_of(answer: &Value) -> Vec<(String, String)> {
    answer
        .get("headers")
        .and_then(Value::as_object)
        .map(|headers| {
            headers
                .iter()
                .filter_map(|(name, value)| Some((name.clone(), value.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}
