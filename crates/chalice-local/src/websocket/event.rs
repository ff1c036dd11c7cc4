//! The events API Gateway sends a WebSocket API's handlers, built for a local connection,
//! and the route a message takes (the route selection expression).

use std::net::IpAddr;

use serde_json::{Map, Value, json};

use super::registry::{civil, now_ms};

/// The API id local events carry (the local REST API's, so that both look alike).
const LOCAL_API_ID: &str = "ymy8tbxw7b";

/// What every event of one connection shares.
#[derive(Debug, Clone)]
pub(crate) struct Connection {
    pub(crate) id: String,
    /// The `Host` the client connected to (API Gateway's `domainName`).
    pub(crate) domain_name: String,
    pub(crate) stage: String,
    pub(crate) source_ip: IpAddr,
    pub(crate) user_agent: Option<String>,
    pub(crate) connected_at_ms: u64,
}

impl Connection {
    /// The `requestContext` of an event of `event_type` on `route_key`.
    fn request_context(
        &self,
        route_key: &str,
        event_type: &str,
        request_id: &str,
    ) -> Map<String, Value> {
        let now = now_ms();
        let mut identity = Map::new();
        identity.insert("sourceIp".into(), self.source_ip.to_string().into());
        if let Some(agent) = &self.user_agent {
            identity.insert("userAgent".into(), agent.clone().into());
        }
        let context = json!({
            "routeKey": route_key,
            "eventType": event_type,
            "extendedRequestId": request_id,
            "requestTime": request_time(now),
            "messageDirection": "IN",
            "stage": self.stage,
            "connectedAt": self.connected_at_ms,
            "requestTimeEpoch": now,
            "identity": identity,
            "requestId": request_id,
            "domainName": self.domain_name,
            "connectionId": self.id,
            "apiId": LOCAL_API_ID,
        });
        match context {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    /// The `$connect` event: the upgrade request's headers and query string.
    pub(crate) fn connect_event(
        &self,
        request_id: &str,
        headers: &http::HeaderMap,
        query: Option<&str>,
    ) -> String {
        let mut single = Map::new();
        let mut multi: Map<String, Value> = Map::new();
        for (name, value) in headers {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            single.insert(name.as_str().to_owned(), value.clone().into());
            match multi.get_mut(name.as_str()) {
                Some(Value::Array(values)) => values.push(value.into()),
                _ => {
                    multi.insert(name.as_str().to_owned(), json!([value]));
                }
            }
        }
        let mut event = json!({
            "headers": single,
            "multiValueHeaders": multi,
            "requestContext": self.request_context("$connect", "CONNECT", request_id),
            "isBase64Encoded": false,
        });
        if let Some(query) = query.filter(|q| !q.is_empty()) {
            let mut single = Map::new();
            let mut multi: Map<String, Value> = Map::new();
            for (name, value) in form_urlencoded::parse(query.as_bytes()) {
                single.insert(name.clone().into_owned(), value.clone().into_owned().into());
                match multi.get_mut(name.as_ref()) {
                    Some(Value::Array(values)) => values.push(value.into_owned().into()),
                    _ => {
                        multi.insert(name.into_owned(), json!([value]));
                    }
                }
            }
            event["queryStringParameters"] = single.into();
            event["multiValueQueryStringParameters"] = multi.into();
        }
        event.to_string()
    }

    /// A message event on `route_key`: a text message as it is, a binary one in base64.
    pub(crate) fn message_event(
        &self,
        request_id: &str,
        route_key: &str,
        body: &Body<'_>,
    ) -> String {
        let mut context = self.request_context(route_key, "MESSAGE", request_id);
        context.insert("messageId".into(), request_id.into());
        let (body, base64) = match body {
            Body::Text(text) => ((*text).to_owned(), false),
            Body::Binary(bytes) => {
                use base64::Engine as _;
                (
                    base64::engine::general_purpose::STANDARD.encode(bytes),
                    true,
                )
            }
        };
        json!({
            "requestContext": context,
            "body": body,
            "isBase64Encoded": base64,
        })
        .to_string()
    }

    /// The `$disconnect` event, with the close code and reason as API Gateway reports them.
    pub(crate) fn disconnect_event(&self, request_id: &str, code: u16, reason: &str) -> String {
        let mut context = self.request_context("$disconnect", "DISCONNECT", request_id);
        context.insert("disconnectStatusCode".into(), code.into());
        context.insert("disconnectReason".into(), reason.into());
        json!({
            "headers": {"Host": self.domain_name},
            "multiValueHeaders": {"Host": [self.domain_name]},
            "requestContext": context,
            "isBase64Encoded": false,
        })
        .to_string()
    }
}

/// A message's body.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Body<'a> {
    Text(&'a str),
    Binary(&'a [u8]),
}

/// How a message's route key is chosen: API Gateway's route selection expression, of which
/// the form `$request.body.PATH` (a dotted path into a JSON message) is what Chalice and
/// almost every API use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RouteSelection {
    /// The path into the message's JSON; `None` for an expression of another form, for
    /// which every message takes `$default`.
    path: Option<Vec<String>>,
}

impl RouteSelection {
    pub(crate) fn new(expression: &str) -> Self {
        let path = expression
            .strip_prefix("$request.body.")
            .filter(|path| !path.is_empty() && path.split('.').all(|part| !part.is_empty()))
            .map(|path| path.split('.').map(str::to_owned).collect());
        RouteSelection { path }
    }

    /// Whether the expression is one this server follows.
    pub(crate) fn is_supported(&self) -> bool {
        self.path.is_some()
    }

    /// The route key the expression picks for `body`, if any: the string at the path of a
    /// JSON message (a number or boolean there counts as its JSON text, as API Gateway
    /// evaluates it).
    pub(crate) fn select(&self, body: &Body<'_>) -> Option<String> {
        let (Some(path), Body::Text(text)) = (&self.path, body) else {
            return None;
        };
        let mut value: Value = serde_json::from_str(text).ok()?;
        for part in path {
            value = match value {
                Value::Object(mut map) => map.remove(part)?,
                _ => return None,
            };
        }
        match value {
            Value::String(key) => Some(key),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

/// `requestTime` as API Gateway writes it, in UTC: `09/Feb/2024:18:11:43 +0000`.
fn request_time(epoch_ms: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (year, month, day, seconds) = civil(epoch_ms / 1000);
    let month = MONTHS[(month as usize).saturating_sub(1) % 12];
    format!(
        "{day:02}/{month}/{year}:{:02}:{:02}:{:02} +0000",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_selection() {
        let cases: &[(&str, Body<'_>, Option<&str>)] = &[
            (
                "$request.body.action",
                Body::Text(r#"{"action":"join"}"#),
                Some("join"),
            ),
            (
                "$request.body.action",
                Body::Text(r#"{"action":7}"#),
                Some("7"),
            ),
            (
                "$request.body.action",
                Body::Text(r#"{"action":{"a":1}}"#),
                None,
            ),
            (
                "$request.body.action",
                Body::Text(r#"{"other":"join"}"#),
                None,
            ),
            ("$request.body.action", Body::Text("join"), None),
            ("$request.body.action", Body::Text(r#"["join"]"#), None),
            (
                "$request.body.action",
                Body::Binary(br#"{"action":"join"}"#),
                None,
            ),
            (
                "$request.body.msg.kind",
                Body::Text(r#"{"msg":{"kind":"ping"}}"#),
                Some("ping"),
            ),
            (
                "$request.body.msg.kind",
                Body::Text(r#"{"msg":"ping"}"#),
                None,
            ),
            (
                "$request.header.x",
                Body::Text(r#"{"action":"join"}"#),
                None,
            ),
            ("$request.body.", Body::Text(r#"{"":"join"}"#), None),
        ];
        for (expression, body, expected) in cases {
            assert_eq!(
                RouteSelection::new(expression).select(body).as_deref(),
                *expected,
                "{expression} on {body:?}"
            );
        }
    }

    #[test]
    fn request_times_as_api_gateway_writes_them() {
        assert_eq!(
            request_time(1_707_502_303_419),
            "09/Feb/2024:18:11:43 +0000"
        );
        assert_eq!(request_time(0), "01/Jan/1970:00:00:00 +0000");
    }

    #[test]
    fn events_carry_what_api_gateway_sends() {
        let connection = Connection {
            id: "d3oXqc4aoAMCFZg=".into(),
            domain_name: "127.0.0.1:8000".into(),
            stage: "api".into(),
            source_ip: IpAddr::from([127, 0, 0, 1]),
            user_agent: Some("test".into()),
            connected_at_ms: 1_707_502_303_419,
        };
        let mut headers = http::HeaderMap::new();
        headers.append("x-a", "1".parse().expect("a header value"));
        headers.append("x-a", "2".parse().expect("a header value"));
        let connect: Value =
            serde_json::from_str(&connection.connect_event("r1", &headers, Some("room=a&x=1&x=2")))
                .expect("JSON");
        assert_eq!(connect["headers"]["x-a"], "2");
        assert_eq!(connect["multiValueHeaders"]["x-a"], json!(["1", "2"]));
        assert_eq!(
            connect["queryStringParameters"],
            json!({"room": "a", "x": "2"})
        );
        assert_eq!(
            connect["multiValueQueryStringParameters"]["x"],
            json!(["1", "2"])
        );
        let context = &connect["requestContext"];
        assert_eq!(context["eventType"], "CONNECT");
        assert_eq!(context["routeKey"], "$connect");
        assert_eq!(context["connectionId"], "d3oXqc4aoAMCFZg=");
        assert_eq!(context["domainName"], "127.0.0.1:8000");
        assert_eq!(context["stage"], "api");
        assert_eq!(context["requestId"], "r1");
        assert_eq!(context["connectedAt"], 1_707_502_303_419u64);
        assert_eq!(context["identity"]["sourceIp"], "127.0.0.1");

        let message: Value = serde_json::from_str(&connection.message_event(
            "r2",
            "$default",
            &Body::Binary(b"\xff"),
        ))
        .expect("JSON");
        assert_eq!(message["body"], "/w==");
        assert_eq!(message["isBase64Encoded"], true);
        assert_eq!(message["requestContext"]["eventType"], "MESSAGE");
        assert_eq!(message["requestContext"]["messageId"], "r2");

        let disconnect: Value =
            serde_json::from_str(&connection.disconnect_event("r3", 1001, "Going away"))
                .expect("JSON");
        assert_eq!(disconnect["requestContext"]["eventType"], "DISCONNECT");
        assert_eq!(disconnect["requestContext"]["routeKey"], "$disconnect");
        assert_eq!(disconnect["requestContext"]["disconnectStatusCode"], 1001);
    }
}
