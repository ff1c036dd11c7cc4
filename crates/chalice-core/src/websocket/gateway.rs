//! [`WebsocketConnection`]: a client's connection as API Gateway keeps it, and the events
//! API Gateway would send for it, for the adapters that play API Gateway (the local server,
//! the test client).

use serde_json::{Map, Value, json};

use super::event::{WebsocketEvent, WebsocketEventType};
use super::info::Civil;
use super::message::WebsocketMessage;
use crate::headers::Headers;
use crate::lambda_context::LambdaContext;
use crate::params::MultiDict;
use chalice_manifest::{CONNECT_ROUTE, DISCONNECT_ROUTE};

/// A client's WebSocket connection, as API Gateway sees it: its id, the API it reached, when
/// it opened and who the client is. The local server and the test client keep one per
/// client and build from it the events API Gateway would send the app, `requestContext`
/// included, so that handlers read the same fields everywhere.
///
/// ```
/// use chalice_core::adapter::WebsocketConnection;
/// use chalice_core::{Headers, WebsocketEventType};
///
/// let connection = WebsocketConnection::new("Kf2dGd9lywMCEng=", "localhost:8000", "api", 1_707_503_007_396)
///     .source_ip("127.0.0.1");
/// let event = connection.connect_event(Headers::new(), None, "req-1", 1_707_503_007_400);
/// assert_eq!(event.event_type, WebsocketEventType::Connect);
/// assert_eq!(event.route_key, "$connect");
/// assert_eq!(event.request_context["requestTime"], "09/Feb/2024:18:23:27 +0000");
/// assert_eq!(event.request_context["identity"]["sourceIp"], "127.0.0.1");
///
/// let message = connection.message_event("$default", "hi".into(), "req-2", 1_707_503_008_000);
/// assert_eq!(message.body_text(), Some("hi"));
/// assert_eq!(message.request_context["messageId"], "req-2");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WebsocketConnection {
    /// The connection's id.
    pub connection_id: String,
    /// The domain the client connected to (`localhost:8000` locally).
    pub domain_name: String,
    /// The stage.
    pub stage: String,
    /// The API's id (`local` unless set).
    pub api_id: String,
    /// When it opened, in milliseconds since the epoch.
    pub connected_at_ms: u64,
    /// The client's address.
    pub source_ip: String,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
}

impl WebsocketConnection {
    /// A connection `connection_id` to `domain_name`'s stage `stage`, opened at
    /// `connected_at_ms`.
    pub fn new(
        connection_id: impl Into<String>,
        domain_name: impl Into<String>,
        stage: impl Into<String>,
        connected_at_ms: u64,
    ) -> Self {
        WebsocketConnection {
            connection_id: connection_id.into(),
            domain_name: domain_name.into(),
            stage: stage.into(),
            api_id: "local".to_owned(),
            connected_at_ms,
            source_ip: "127.0.0.1".to_owned(),
            user_agent: None,
        }
    }

    /// Sets the client's address.
    #[must_use]
    pub fn source_ip(mut self, ip: impl Into<String>) -> Self {
        self.source_ip = ip.into();
        self
    }

    /// Sets the client's `User-Agent`.
    #[must_use]
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// The `$connect` event of the upgrade request with `headers` and `query_params`.
    pub fn connect_event(
        &self,
        headers: Headers,
        query_params: Option<MultiDict>,
        request_id: &str,
        now_ms: u64,
    ) -> WebsocketEvent {
        let mut event = self.event(
            WebsocketEventType::Connect,
            CONNECT_ROUTE,
            request_id,
            now_ms,
        );
        event.headers = headers;
        event.query_params = query_params.filter(|params| !params.is_empty());
        event
    }

    /// The event of a message routed to `route_key` (see
    /// [`crate::Chalice::select_websocket_route`]).
    pub fn message_event(
        &self,
        route_key: &str,
        message: WebsocketMessage,
        request_id: &str,
        now_ms: u64,
    ) -> WebsocketEvent {
        let mut event = self.event(WebsocketEventType::Message, route_key, request_id, now_ms);
        event
            .request_context
            .insert("messageId".to_owned(), Value::from(request_id));
        event.body = message;
        event
    }

    /// The `$disconnect` event, with the close frame's status code and reason (API
    /// Gateway's `disconnectStatusCode`, `disconnectReason`).
    pub fn disconnect_event(
        &self,
        status_code: u16,
        reason: &str,
        request_id: &str,
        now_ms: u64,
    ) -> WebsocketEvent {
        let mut event = self.event(
            WebsocketEventType::Disconnect,
            DISCONNECT_ROUTE,
            request_id,
            now_ms,
        );
        let context = &mut event.request_context;
        context.insert("disconnectStatusCode".to_owned(), Value::from(status_code));
        context.insert("disconnectReason".to_owned(), Value::from(reason));
        event
    }

    fn event(
        &self,
        event_type: WebsocketEventType,
        route_key: &str,
        request_id: &str,
        now_ms: u64,
    ) -> WebsocketEvent {
        let mut identity = Map::new();
        identity.insert("sourceIp".to_owned(), Value::from(self.source_ip.as_str()));
        if let Some(agent) = &self.user_agent {
            identity.insert("userAgent".to_owned(), Value::from(agent.as_str()));
        }
        // The fields and order of API Gateway's own events (see the fixtures).
        let context = json!({
            "routeKey": route_key,
            "eventType": event_type.as_str(),
            "extendedRequestId": request_id,
            "requestTime": request_time(now_ms),
            "messageDirection": "IN",
            "stage": self.stage,
            "connectedAt": self.connected_at_ms,
            "requestTimeEpoch": now_ms,
            "identity": identity,
            "requestId": request_id,
            "domainName": self.domain_name,
            "connectionId": self.connection_id,
            "apiId": self.api_id,
        });
        let Value::Object(request_context) = context else {
            unreachable!("json!({{..}}) is an object")
        };
        WebsocketEvent {
            connection_id: self.connection_id.clone(),
            domain_name: self.domain_name.clone(),
            stage: self.stage.clone(),
            route_key: route_key.to_owned(),
            event_type,
            body: WebsocketMessage::default(),
            headers: Headers::new(),
            query_params: None,
            request_context,
            context: LambdaContext::default(),
        }
    }
}

/// API Gateway's `requestTime`: `09/Feb/2024:18:23:28 +0000`.
fn request_time(epoch_ms: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let t = Civil::from_epoch_ms(epoch_ms);
    let month = MONTHS
        .get(usize::try_from(t.month).unwrap_or(1).saturating_sub(1))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{:02}/{month}/{:04}:{:02}:{:02}:{:02} +0000",
        t.day, t.year, t.hour, t.minute, t.second
    )
}
