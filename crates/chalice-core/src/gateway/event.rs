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

use super::arn::LOCAL_ACCOUNT_ID;
use crate::request::{Emulated, Request};

/// What the gateway emulation knows of a request beyond the request itself.
pub(crate) struct EmulatedEvent {
    /// The concrete path as API Gateway passes it on (`path.rs`), without the stage.
    pub(crate) path: String,
    pub(crate) stage: Arc<str>,
    /// The API's id (`Gateway::api_id`).
    pub(crate) api_id: Arc<str>,
    pub(crate) request_id: String,
    pub(crate) time_epoch_ms: u64,
    pub(crate) source_ip: IpAddr,
    /// The API key the route required and the client sent (`identity.apiKey`).
    pub(crate) api_key: Option<String>,
    /// What the route's authorizer let through, for `context()["authorizer"]`.
    pub(crate) authorizer: Option<Value>,
}

/// The fields of `requestContext.identity` a REST API sends for every request: `null` for a
/// caller it knows nothing of (no IAM signature, no Cognito identity), as locally.
const IDENTITY_FIELDS: [&str; 11] = [
    "cognitoIdentityPoolId",
    "accountId",
    "cognitoIdentityId",
    "caller",
    "apiKey",
    "apiKeyId",
    "accessKey",
    "cognitoAuthenticationType",
    "cognitoAuthenticationProvider",
    "userArn",
    "user",
];

impl Emulated for EmulatedEvent {
    /// `requestContext` as a REST API builds it for the stage. `domainName` is the `Host`
    /// the client addressed (on AWS too: the execute-api or custom domain), `localhost`
    /// without one; `apiId` and `accountId` are the placeholders of the local `methodArn`
    /// (Chalice's). Left out are the two ids only a deployed API has, of its resource and
    /// its own request log (`resourceId`, `extendedRequestId`).
    fn request_context(&self, request: &Request) -> Value {
        let mut identity: Map<String, Value> = IDENTITY_FIELDS
            .iter()
            .map(|field| ((*field).to_owned(), Value::Null))
            .collect();
        identity.insert("sourceIp".to_owned(), json!(self.source_ip.to_string()));
        identity.insert("principalOrgId".to_owned(), Value::Null);
        identity.insert("userAgent".to_owned(), json!(request.header("user-agent")));
        if let Some(key) = &self.api_key {
            identity.insert("apiKey".to_owned(), json!(key));
        }
        let domain_name = request.header("host").unwrap_or("localhost");
        let mut context = json!({
            "resourcePath": request.path(),
            "httpMethod": request.method().as_str(),
            "requestTime": request_time(self.time_epoch_ms),
            "path": format!("/{}{}", self.stage, self.path),
            "protocol": "HTTP/1.1",
            "stage": &*self.stage,
            "domainPrefix": domain_prefix(domain_name),
            "requestTimeEpoch": self.time_epoch_ms,
            "requestId": self.request_id,
            "identity": identity,
            "domainName": domain_name,
            "apiId": &*self.api_id,
            "accountId": LOCAL_ACCOUNT_ID,
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

/// The first label of the host (`abc123` of `abc123.execute-api.us-east-1.amazonaws.com`),
/// without a port: API Gateway's `domainPrefix`.
fn domain_prefix(domain_name: &str) -> &str {
    let host = match domain_name
        .strip_prefix('[')
        .and_then(|rest| rest.find(']'))
    {
        // An IPv6 literal, `[::1]:8000`: its colons are not the port's.
        Some(end) => &domain_name[..end + 2],
        None => domain_name.split(':').next().unwrap_or(domain_name),
    };
    host.split('.').next().unwrap_or(host)
}

/// `requestTime` as API Gateway writes it, in UTC: `10/Jul/2026:19:19:04 +0000`.
fn request_time(epoch_ms: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let seconds = epoch_ms / 1000;
    let (days, of_day) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = crate::civil::civil_from_days(days);
    format!(
        "{day:02}/{}/{year}:{:02}:{:02}:{:02} +0000",
        MONTHS[usize::try_from(month).unwrap_or(1).saturating_sub(1) % 12],
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
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
            api_id: "a1b2c3d4e5".into(),
            request_id: "req-1".to_owned(),
            time_epoch_ms: 1_783_711_144_836,
            source_ip: IpAddr::from([10, 0, 0, 7]),
            api_key: Some("k-1".to_owned()),
            authorizer: Some(json!({"principalId": "alice"})),
        };
        let request = Request::builder(Method::PUT, "/files/{name}")
            .uri_param("name", "a.bin")
            .query_string("x=1&x=2")
            .header("Accept", "a")
            .header("Accept", "b")
            .header("Host", "api.example.com:8443")
            .header("User-Agent", "curl/8.7.1")
            .body(vec![0xff, 0x00])
            .emulated(Box::new(emulated))
            .build();
        let context = json!({
            "resourcePath": "/files/{name}",
            "httpMethod": "PUT",
            "requestTime": "10/Jul/2026:19:19:04 +0000",
            "path": "/dev/files/a.bin",
            "protocol": "HTTP/1.1",
            "stage": "dev",
            "domainPrefix": "api",
            "requestTimeEpoch": 1_783_711_144_836_u64,
            "requestId": "req-1",
            "identity": {
                "cognitoIdentityPoolId": null,
                "accountId": null,
                "cognitoIdentityId": null,
                "caller": null,
                "apiKey": "k-1",
                "apiKeyId": null,
                "accessKey": null,
                "sourceIp": "10.0.0.7",
                "principalOrgId": null,
                "cognitoAuthenticationType": null,
                "cognitoAuthenticationProvider": null,
                "userArn": null,
                "userAgent": "curl/8.7.1",
                "user": null,
            },
            "domainName": "api.example.com:8443",
            "apiId": "a1b2c3d4e5",
            "accountId": "123456789012",
            "authorizer": {"principalId": "alice"},
        });
        assert_eq!(request.context(), &context);
        assert_eq!(
            request.to_original_event(),
            json!({
                "resource": "/files/{name}",
                "path": "/files/a.bin",
                "httpMethod": "PUT",
                "headers": {"accept": "b", "host": "api.example.com:8443", "user-agent": "curl/8.7.1"},
                "multiValueHeaders": {"accept": ["a", "b"], "host": ["api.example.com:8443"], "user-agent": ["curl/8.7.1"]},
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

    #[test]
    fn request_time_and_domain_prefix_are_written_as_api_gateway_writes_them() {
        // (requestTimeEpoch, requestTime) pairs from real events: voker-apigw-rest-live.json
        // and AWS's sample example-apigw-request.json; then the epoch and a leap day.
        let times = [
            (1_783_711_144_836, "10/Jul/2026:19:19:04 +0000"),
            (1_589_522_469_693, "15/May/2020:06:01:09 +0000"),
            (0, "01/Jan/1970:00:00:00 +0000"),
            (951_868_799_999, "29/Feb/2000:23:59:59 +0000"),
        ];
        for (epoch_ms, written) in times {
            assert_eq!(request_time(epoch_ms), written, "{epoch_ms}");
        }
        // (domainName, domainPrefix)
        let prefixes = [
            (
                "5h7pqvr9u4.execute-api.us-west-2.amazonaws.com",
                "5h7pqvr9u4",
            ),
            ("api.example.com", "api"),
            ("localhost:8000", "localhost"),
            ("127.0.0.1:8000", "127"),
            ("localhost", "localhost"),
            ("[::1]:8000", "[::1]"),
        ];
        for (domain, prefix) in prefixes {
            assert_eq!(domain_prefix(domain), prefix, "{domain}");
        }
    }
}
