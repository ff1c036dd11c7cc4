//! [`HttpRequest`]: a request as it reaches API Gateway, before any routing.

use std::net::IpAddr;

use bytes::Bytes;
use http::{HeaderMap, Method};

use crate::lambda_context::LambdaContext;

/// An HTTP request as it reaches API Gateway, before any routing.
///
/// The adapter fills in what the core cannot know by itself (no clocks, no randomness in
/// the core): the request id, the time, the client's address.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The path as sent, still percent-encoded, without the query string.
    pub path: String,
    /// The query string, without the `?`.
    pub query: Option<String>,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The client's IP address (`requestContext.identity.sourceIp`).
    pub source_ip: IpAddr,
    /// A unique id for the request (`requestContext.requestId`).
    pub request_id: String,
    /// When the request arrived, in milliseconds since the Unix epoch.
    pub time_epoch_ms: u64,
    /// The Lambda context to expose to the view, if the adapter makes one.
    pub lambda_context: Option<LambdaContext>,
}

impl HttpRequest {
    /// A request for `method` on `target` (a path with an optional `?query`).
    pub fn new(method: Method, target: &str) -> Self {
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
            None => (target.to_owned(), None),
        };
        HttpRequest {
            method,
            path,
            query,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            source_ip: IpAddr::from([127, 0, 0, 1]),
            request_id: String::new(),
            time_epoch_ms: 0,
            lambda_context: None,
        }
    }
}
