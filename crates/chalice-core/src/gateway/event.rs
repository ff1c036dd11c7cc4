//! The event API Gateway would have sent for a request the gateway emulation answers: its
//! `requestContext`, and the whole REST API (v1) proxy event for `to_original_event()`.
//!
//! Both are made only if a view asks (building `requestContext` eagerly cost a tenth of a
//! local request, see bench/README.md), from what the gateway knew when it routed the
//! request ([`EmulatedEvent`]) and the request itself.

use std::net::IpAddr;
use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Map, Value, json};

use crate::request::{Emulated, Request};

/// What the gateway emulation knows of a request beyond the request itself.
pub(crate) struct EmulatedEvent {
    /// The concrete path, as sent.
    pub(crate) path: String,
    pub(crate) stage: Arc<str>,
    pub(crate) request_id: String,
    pub(crate) time_epoch_ms: u64,
    pub(crate) source_ip: IpAddr,
    /// What the route's authorizer let through, for `context()["authorizer"]`.
    pub(crate) authorizer: Option<Value>,
}

impl Emulated for EmulatedEvent {
    fn request_context(&self, request: &Request) -> Value {
        let mut context = json!({
            "resourcePath": request.path(),
            "httpMethod": request.method().as_str(),
            "path": self.path,
            "stage": &*self.stage,
            "requestId": self.request_id,
            "requestTimeEpoch": self.time_epoch_ms,
            "protocol": "HTTP/1.1",
            "identity": {"sourceIp": self.source_ip.to_string()},
        });
        if let (Some(authorizer), Some(map)) = (&self.authorizer, context.as_object_mut()) {
            map.insert("authorizer".to_owned(), authorizer.clone());
        }
        context
    }

    fn original_event(&self, request: &Request) -> Value {
        let mut single = Map::new();
        let mut multi = Map::new();
        for (name, value) in request.headers().iter() {
            single.insert(name.to_owned(), json!(value));
            if let Value::Array(values) = multi.entry(name.to_owned()).or_insert_with(|| json!([]))
            {
                values.push(json!(value));
            }
        }
        let query = request.query_params();
        let query_multi = query.map(|q| {
            q.keys()
                .map(|k| (k.to_owned(), json!(q.get_list(k))))
                .collect::<Map<String, Value>>()
        });
        let raw_body = request.raw_body();
        let (body, is_base64) = match std::str::from_utf8(raw_body) {
            _ if raw_body.is_empty() => (Value::Null, false),
            Ok(text) => (json!(text), false),
            Err(_) => (
                json!(base64::engine::general_purpose::STANDARD.encode(raw_body)),
                true,
            ),
        };
        json!({
            "resource": request.path(),
            "path": self.path,
            "httpMethod": request.method().as_str(),
            "headers": single,
            "multiValueHeaders": multi,
            "queryStringParameters": query,
            "multiValueQueryStringParameters": query_multi,
            "pathParameters": request.uri_params(),
            "stageVariables": request.stage_vars(),
            "requestContext": request.context(),
            "body": body,
            "isBase64Encoded": is_base64,
        })
    }
}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;

    #[test]
    fn the_event_is_the_proxy_event_api_gateway_would_send() {
        let emulated = EmulatedEvent {
            path: "/files/a.bin".to_owned(),
            stage: "dev".into(),
            request_id: "req-1".to_owned(),
            time_epoch_ms: 1_700_000_000_000,
            source_ip: IpAddr::from([10, 0, 0, 7]),
            authorizer: Some(json!({"principalId": "alice"})),
        };
        let request = Request::builder(Method::PUT, "/files/{name}")
            .uri_param("name", "a.bin")
            .query_string("x=1&x=2")
            .header("Accept", "a")
            .header("Accept", "b")
            .body(vec![0xff, 0x00])
            .emulated(Box::new(emulated))
            .build();
        let context = json!({
            "resourcePath": "/files/{name}",
            "httpMethod": "PUT",
            "path": "/files/a.bin",
            "stage": "dev",
            "requestId": "req-1",
            "requestTimeEpoch": 1_700_000_000_000_u64,
            "protocol": "HTTP/1.1",
            "identity": {"sourceIp": "10.0.0.7"},
            "authorizer": {"principalId": "alice"},
        });
        assert_eq!(request.context(), &context);
        assert_eq!(
            request.to_original_event(),
            json!({
                "resource": "/files/{name}",
                "path": "/files/a.bin",
                "httpMethod": "PUT",
                "headers": {"accept": "b"},
                "multiValueHeaders": {"accept": ["a", "b"]},
                "queryStringParameters": {"x": "2"},
                "multiValueQueryStringParameters": {"x": ["1", "2"]},
                "pathParameters": {"name": "a.bin"},
                "stageVariables": null,
                "requestContext": context,
                "body": "/wA=",
                "isBase64Encoded": true,
            })
        );
    }
}
