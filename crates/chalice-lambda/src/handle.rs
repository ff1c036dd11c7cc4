//! [`handle_event`]: one API Gateway event in, its response JSON out.

use std::sync::Arc;

use bytes::Bytes;
use chalice_core::{Chalice, LambdaContext, Request};

use crate::decode::{self, Decoded, Version};
use crate::encode::Encoded;
use crate::error::EventError;

/// Answers one API Gateway proxy event: the event's JSON in, the response's JSON out.
///
/// REST API proxy events (payload 1.0) and HTTP API events (payload 2.0) are told apart by
/// their `version` field and answered in the same version. The request reaches the app's
/// dispatch with the route the event names, the headers, query
/// parameters, captures, stage variables, the body (base64-decoded when the event says so),
/// `requestContext` (parsed only if the view reads it), `context` as the
/// [`LambdaContext`] and the event itself for [`Request::to_original_event`].
///
/// This is what [`crate::run`] does for each invocation, without the Runtime API; use it to
/// test or benchmark an app against captured events.
///
/// # Errors
///
/// An [`EventError`] when the event is not an API Gateway proxy event (not JSON, another
/// event source, a required field missing or of the wrong type). A malformed HTTP request
/// inside a proper event (a body that is not valid base64) is a 400 response instead, and
/// a path no route matches gets the answer API Gateway would give (403 `Missing
/// Authentication Token` for REST APIs, 404 `Not Found` for HTTP APIs).
///
/// ```
/// # let block_on = |f| tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f);
/// use chalice_core::{Chalice, LambdaContext, Request};
///
/// let mut app = Chalice::new("app");
/// app.route("/users/{name}", |request: &Request| {
///     format!("hello {}", request.uri_param("name").unwrap_or_default())
/// });
///
/// let event = br#"{
///     "version": "2.0",
///     "routeKey": "GET /users/{name}",
///     "rawPath": "/users/bob",
///     "pathParameters": {"name": "bob"},
///     "requestContext": {"http": {"method": "GET"}, "stage": "$default"}
/// }"#;
/// let response = block_on(chalice_lambda::handle_event(&app, event, LambdaContext::default()))?;
/// assert_eq!(
///     std::str::from_utf8(&response)?,
///     r#"{"statusCode":200,"headers":{"content-type":"application/json"},"cookies":[],"body":"hello bob","isBase64Encoded":false}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn handle_event(
    app: &Chalice,
    event: &[u8],
    context: LambdaContext,
) -> Result<Vec<u8>, EventError> {
    // One pass: the decode checks the whole text's JSON syntax as it reads it. The copy is
    // shared by the request: header values are slices of it, and it is the text
    // `to_original_event` parses if a view calls it.
    let encoded = respond(app, Bytes::copy_from_slice(event), context).await?;
    encoded
        .to_vec()
        .map_err(|e| EventError::new(format!("could not write the response: {e}")))
}

/// The response to an event.
pub(crate) async fn respond(
    app: &Chalice,
    event: Bytes,
    context: LambdaContext,
) -> Result<Encoded, EventError> {
    // The fast check says whether; std's says where.
    let Ok(text) = simdutf8::basic::from_utf8(&event) else {
        let detail = std::str::from_utf8(&event)
            .err()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        return Err(EventError::new(format!(
            "the event is not JSON: it is not UTF-8 text{detail}"
        )));
    };
    let (version, decoded) = decode::decode(app, &event, text)?;
    let response = match decoded {
        Decoded::Response(response) => response,
        Decoded::Request(parts) => {
            let builder = Request::builder(parts.method, Arc::clone(parts.route.template()))
                .header_source(parts.headers)
                .query_params(parts.query);
            // A REST API passes captures as sent, an HTTP API decoded: typed captures decode
            // the first kind only.
            let builder = match version {
                Version::V1 => builder.uri_params(parts.uri_params),
                Version::V2 => builder.uri_params_decoded(parts.uri_params),
            };
            let mut builder = builder
                .stage_vars(parts.stage_vars)
                .body(parts.body)
                .lambda_context(context)
                .original_event_bytes(event.clone())
                .state_of(app);
            if let Some(request_context) = parts.context {
                builder = builder.context_bytes(request_context);
            }
            parts.route.handle(builder.build()).await
        }
    };
    let binary = response.is_binary();
    Ok(Encoded::new(version, response, binary))
}
