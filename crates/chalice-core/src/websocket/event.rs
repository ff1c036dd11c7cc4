//! [`WebsocketEvent`]: what API Gateway sends a WebSocket handler, decoded in one pass.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use base64::Engine;
use bytes::Bytes;
use serde::de::{self, DeserializeOwned};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::message::WebsocketMessage;
use crate::error::ChaliceError;
use crate::headers::Headers;
use crate::lambda_context::LambdaContext;
use crate::params::MultiDict;

/// Which of a connection's moments an event is (API Gateway's `requestContext.eventType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebsocketEventType {
    /// A client opens a connection (`$connect`): the handler may refuse it.
    Connect,
    /// A client sent a message (`$default` or a custom route key).
    Message,
    /// The connection closed (`$disconnect`), by either side; sending to it fails now.
    Disconnect,
}

impl WebsocketEventType {
    /// API Gateway's name for it: `CONNECT`, `MESSAGE` or `DISCONNECT`.
    pub const fn as_str(self) -> &'static str {
        match self {
            WebsocketEventType::Connect => "CONNECT",
            WebsocketEventType::Message => "MESSAGE",
            WebsocketEventType::Disconnect => "DISCONNECT",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "CONNECT" => Some(WebsocketEventType::Connect),
            "MESSAGE" => Some(WebsocketEventType::Message),
            "DISCONNECT" => Some(WebsocketEventType::Disconnect),
            _ => None,
        }
    }
}

impl fmt::Display for WebsocketEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One event of a WebSocket connection, as a WebSocket handler gets it (Chalice's
/// `WebsocketEvent`): which connection, which moment, and for a message its body.
///
/// On Lambda it is read from API Gateway's event in one serde pass; locally and in the test
/// client the adapter builds the same event API Gateway would send. The
/// [`endpoint`](WebsocketEvent::endpoint) it names is where
/// [`websocket_api()`](crate::websocket_api) sends while the handler runs.
///
/// ```
/// use chalice_core::{WebsocketEvent, WebsocketEventType};
///
/// let event: WebsocketEvent = serde_json::from_str(r#"{
///     "requestContext": {
///         "routeKey": "$default", "eventType": "MESSAGE", "stage": "dev",
///         "domainName": "abc123.execute-api.us-west-2.amazonaws.com",
///         "connectionId": "Kf2dGd9lywMCEng=", "messageId": "Kf2dGGnuywMFdFA=",
///         "requestId": "Kf2dGGnuywMFdFA=", "apiId": "abc123", "connectedAt": 1586064048999,
///         "requestTimeEpoch": 1586064058165, "identity": {"sourceIp": "192.0.2.1"}
///     },
///     "body": "{\"action\": \"say\", \"text\": \"hello\"}",
///     "isBase64Encoded": false
/// }"#).unwrap();
/// assert_eq!(event.event_type, WebsocketEventType::Message);
/// assert_eq!(event.connection_id, "Kf2dGd9lywMCEng=");
/// assert_eq!(event.endpoint(), "https://abc123.execute-api.us-west-2.amazonaws.com/dev");
/// assert_eq!(event.json_body::<serde_json::Value>().unwrap()["text"], "hello");
/// assert_eq!(event.request_context["identity"]["sourceIp"], "192.0.2.1");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WebsocketEvent {
    /// API Gateway's id of the connection: what [`crate::WebsocketApi::send`] takes.
    pub connection_id: String,
    /// The API's domain name (`{api-id}.execute-api.{region}.amazonaws.com`, or a custom
    /// domain).
    pub domain_name: String,
    /// The API's stage.
    pub stage: String,
    /// The route that matched: `$connect`, `$disconnect`, `$default` or a custom key.
    pub route_key: String,
    /// Which moment of the connection this is.
    pub event_type: WebsocketEventType,
    /// The message (for a message event; empty text for connect and disconnect).
    pub body: WebsocketMessage,
    /// The upgrade request's headers (`$connect` only; empty otherwise).
    pub headers: Headers,
    /// The upgrade request's query parameters (`$connect` only), `None` when it had none.
    pub query_params: Option<MultiDict>,
    /// API Gateway's `requestContext`, whole (`identity`, `requestId`, `connectedAt`,
    /// `disconnectStatusCode`, an authorizer's context, ...).
    pub request_context: Map<String, Value>,
    /// The Lambda invocation's context (not part of the event's JSON).
    pub context: LambdaContext,
}

impl WebsocketEvent {
    /// Where the API's management endpoint (`@connections`) is for this event's API:
    /// `https://{domain_name}/{stage}` (Chalice's rule).
    pub fn endpoint(&self) -> String {
        format!("https://{}/{}", self.domain_name, self.stage)
    }

    /// The message's text; `None` for a binary message.
    pub fn body_text(&self) -> Option<&str> {
        self.body.as_text()
    }

    /// The message read as JSON into `T` (a [`serde_json::Value`] for JSON as it is)
    /// (Chalice's `json_body`).
    ///
    /// # Errors
    ///
    /// A `BadRequestError` (400) saying why the message is not a `T`.
    pub fn json_body<T: DeserializeOwned>(&self) -> Result<T, ChaliceError> {
        serde_json::from_slice(self.body.as_bytes())
            .map_err(|error| ChaliceError::bad_request(format!("Error Parsing JSON: {error}")))
    }

    /// The id of the API Gateway request this event is (`requestContext.requestId`).
    pub fn request_id(&self) -> Option<&str> {
        self.request_context
            .get("requestId")
            .and_then(Value::as_str)
    }

    /// The client's IP address (`requestContext.identity.sourceIp`).
    pub fn source_ip(&self) -> Option<&str> {
        self.request_context
            .get("identity")
            .and_then(|identity| identity.get("sourceIp"))
            .and_then(Value::as_str)
    }

    /// Reads an event from API Gateway's JSON text (what its `Deserialize` does).
    ///
    /// # Errors
    ///
    /// Text that is not one API Gateway WebSocket event: not JSON, or a `requestContext`
    /// field missing or of the wrong type, named in the message.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// The event's fields as API Gateway writes them: borrowed where it can, read once.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire<'a> {
    #[serde(default, borrow)]
    headers: Option<BTreeMap<Cow<'a, str>, Cow<'a, str>>>,
    #[serde(default, borrow)]
    multi_value_headers: Option<BTreeMap<Cow<'a, str>, Vec<Cow<'a, str>>>>,
    #[serde(default, borrow)]
    query_string_parameters: Option<BTreeMap<Cow<'a, str>, Cow<'a, str>>>,
    #[serde(default, borrow)]
    multi_value_query_string_parameters: Option<BTreeMap<Cow<'a, str>, Vec<Cow<'a, str>>>>,
    request_context: Map<String, Value>,
    #[serde(default, borrow)]
    body: Option<Cow<'a, str>>,
    #[serde(default)]
    is_base64_encoded: bool,
}

impl<'de> Deserialize<'de> for WebsocketEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = Wire::deserialize(deserializer)?;
        wire.into_event().map_err(de::Error::custom)
    }
}

impl Wire<'_> {
    fn into_event(self) -> Result<WebsocketEvent, String> {
        let context = &self.request_context;
        let field = |name: &str| -> Result<String, String> {
            match context.get(name) {
                Some(Value::String(value)) => Ok(value.clone()),
                Some(other) => Err(format!(
                    "requestContext.{name} is not a string: {other}; not an API Gateway WebSocket event"
                )),
                None => Err(format!(
                    "requestContext.{name} is missing; not an API Gateway WebSocket event"
                )),
            }
        };
        let kind = field("eventType")?;
        let event_type = WebsocketEventType::parse(&kind).ok_or_else(|| {
            format!(
                "requestContext.eventType is {kind:?}, not CONNECT, MESSAGE or DISCONNECT; not an \
                 API Gateway WebSocket event"
            )
        })?;
        let connection_id = field("connectionId")?;
        let route_key = field("routeKey")?;
        let stage = field("stage")?;
        let domain_name = field("domainName")?;
        let body = match self.body {
            None => WebsocketMessage::default(),
            Some(text) if self.is_base64_encoded => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(text.as_bytes())
                    .map_err(|error| format!("the body is not valid base64: {error}"))?;
                WebsocketMessage::Binary(Bytes::from(bytes))
            }
            Some(text) => WebsocketMessage::Text(text.into_owned()),
        };
        // The multi-valued form has every value; the single-valued one only the last.
        let headers: Headers = match (self.multi_value_headers, self.headers) {
            (Some(multi), _) => multi
                .iter()
                .flat_map(|(name, values)| values.iter().map(move |value| (name, value)))
                .collect(),
            (None, Some(single)) => single.iter().collect(),
            (None, None) => Headers::new(),
        };
        let query_params = match (
            self.multi_value_query_string_parameters,
            self.query_string_parameters,
        ) {
            (Some(multi), _) => Some(
                multi
                    .into_iter()
                    .flat_map(|(name, values)| {
                        values
                            .into_iter()
                            .map(move |value| (name.clone().into_owned(), value.into_owned()))
                    })
                    .collect::<MultiDict>(),
            ),
            (None, Some(single)) => Some(
                single
                    .into_iter()
                    .map(|(name, value)| (name.into_owned(), value.into_owned()))
                    .collect(),
            ),
            (None, None) => None,
        }
        .filter(|params| !params.is_empty());
        Ok(WebsocketEvent {
            connection_id,
            domain_name,
            stage,
            route_key,
            event_type,
            body,
            headers,
            query_params,
            request_context: self.request_context,
            context: LambdaContext::default(),
        })
    }
}
