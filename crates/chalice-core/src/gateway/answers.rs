//! API Gateway's own answers, given without calling the function: its limits, its 403 for
//! what a REST API does not have, its CORS preflights, its refusals on behalf of authorizers
//! and API keys. Byte for byte as API Gateway (and Chalice's local server) send them.

use std::sync::Arc;

use http::HeaderMap;
use serde_json::json;

use crate::app::Chalice;
use crate::headers::Headers;
use crate::response::Response;

/// API Gateway's limit on a request's payload: 10 MB.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// API Gateway's answer for a path (or a method of a path) a REST API does not have: 403
/// `{"message":"Missing Authentication Token"}`.
///
/// ```
/// let response = chalice_core::adapter::missing_authentication_token();
/// assert_eq!(response.status_code, 403);
/// assert_eq!(response.body, r#"{"message":"Missing Authentication Token"}"#);
/// assert_eq!(response.headers.get("x-amzn-errortype"), Some("MissingAuthenticationTokenException"));
/// ```
pub fn missing_authentication_token() -> Response {
    missing_authentication_token_for(&HeaderMap::new())
}

/// The same, for a request with these headers: with an `Authorization` header, API Gateway
/// takes the request for a SigV4-signed one and says what the signature lacks instead
/// (Chalice's local server mimics this too).
pub(crate) fn missing_authentication_token_for(headers: &HeaderMap) -> Response {
    let (kind, body) = match headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(authorization) => {
            let message = format!(
                "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' \
                 parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires \
                 existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={authorization}"
            );
            (
                "IncompleteSignatureException",
                serde_json::to_vec(&json!({ "message": message })),
            )
        }
        None => (
            "MissingAuthenticationTokenException",
            Ok(br#"{"message":"Missing Authentication Token"}"#.to_vec()),
        ),
    };
    Response::new(body.unwrap_or_default())
        .status_code(403)
        .header("content-type", "application/json")
        .header("x-amzn-ErrorType", kind)
}

/// API Gateway's answer for a payload over [`MAX_BODY_BYTES`]: 413 `{"message":"Request Too
/// Long"}`.
pub fn payload_too_large() -> Response {
    Response::new(&br#"{"message":"Request Too Long"}"#[..])
        .status_code(413)
        .header("content-type", "application/json")
}

/// API Gateway's 401, for a request an authorizer refuses or that lacks its token.
pub(crate) fn unauthorized() -> Response {
    gateway_error(
        401,
        "UnauthorizedException",
        r#"{"message":"Unauthorized"}"#,
    )
}

/// One of API Gateway's own error answers.
pub(crate) fn gateway_error(status: u16, kind: &'static str, body: &str) -> Response {
    Response::new(body.to_owned())
        .status_code(status)
        .header("content-type", "application/json")
        .header("x-amzn-ErrorType", kind)
}

/// Each route's answer to a CORS preflight, by route id: the headers of API Gateway's mock
/// `OPTIONS` integration, as Chalice's swagger generator defines it (the methods with CORS,
/// then `OPTIONS`; the route's CORS headers). `None` for a route without CORS.
pub(crate) fn preflights(app: &Chalice) -> Arc<[Option<Headers>]> {
    app.table
        .iter()
        .map(|(_, resource)| {
            let config = resource
                .entries
                .iter()
                .find_map(|entry| app.resolve_cors(&entry.cors))?;
            let methods = resource
                .entries
                .iter()
                .filter(|entry| app.resolve_cors(&entry.cors).is_some())
                .map(|entry| entry.method.as_str());
            let mut headers = Headers::new();
            headers.insert("content-type", "application/json");
            // The one model of these headers, which the CLI writes into the deployed API's
            // mock integration too.
            for (name, value) in config.preflight_headers(methods) {
                headers.insert(name, value);
            }
            Some(headers)
        })
        .collect()
}

/// The answer to a CORS preflight of a route whose preflight headers are `headers`: API
/// Gateway's mock integration, 200 with an empty body.
pub(crate) fn preflight(headers: &Headers) -> Response {
    let mut response = Response::new("");
    response.headers = headers.clone();
    response
}
