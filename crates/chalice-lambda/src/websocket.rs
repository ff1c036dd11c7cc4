//! WebSocket handlers on Lambda: the same binary, deployed as the function of a WebSocket
//! route with `CHALICE_HANDLER` naming its handler (`websocket_connect`, ...), answers API
//! Gateway's WebSocket events.

use std::collections::BTreeMap;

use chalice_core::{Chalice, LambdaContext, WebsocketEvent};
use serde::Serialize;

use crate::error::EventError;

/// Answers one API Gateway WebSocket event: the event's JSON in (read in one serde pass),
/// the answer API Gateway expects out: `{"statusCode":200}` (with the `headers` of a
/// `$connect` handler's `WebsocketConnectResponse`), or the handler's error as
/// `{"statusCode":403,"body":"{\"Code\":\"ForbiddenError\",...}"}`. For `$connect`, a status
/// that is not 2xx refuses the connection; an unhandled error is a 500 whose body hides it
/// unless the app's `debug` is on.
///
/// While the handler runs, [`chalice_core::websocket_api`] sends through the event's API
/// (`https://{domainName}/{stage}`). This is what [`crate::run`] does for each invocation
/// of a function whose `CHALICE_HANDLER` names a WebSocket handler, without the Runtime API.
///
/// # Errors
///
/// An [`EventError`] (`Chalice.InvalidEvent`) when the event is not an API Gateway
/// WebSocket event, naming what is missing.
///
/// ```
/// # let block_on = |f| tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f);
/// use chalice_core::{Chalice, ChaliceError, LambdaContext, WebsocketEvent};
///
/// let mut app = Chalice::new("chat");
/// app.on_ws_connect(|event: WebsocketEvent| -> Result<(), ChaliceError> {
///     match event.headers.get("x-api-key") {
///         Some("letmein") => Ok(()),
///         _ => Err(ChaliceError::forbidden("no key")),
///     }
/// });
/// let event = br#"{"headers": {"x-api-key": "guess"}, "requestContext": {
///     "routeKey": "$connect", "eventType": "CONNECT", "connectionId": "abc=",
///     "stage": "dev", "domainName": "abc.execute-api.us-east-1.amazonaws.com"}}"#;
/// let answer = block_on(chalice_lambda::handle_websocket_event(&app, event, LambdaContext::default()))?;
/// assert_eq!(
///     std::str::from_utf8(&answer)?,
///     r#"{"statusCode":403,"body":"{\"Code\":\"ForbiddenError\",\"Message\":\"no key\"}"}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn handle_websocket_event(
    app: &Chalice,
    event: &[u8],
    context: LambdaContext,
) -> Result<Vec<u8>, EventError> {
    let Ok(text) = simdutf8::basic::from_utf8(event) else {
        return Err(EventError::new(
            "the WebSocket event is not JSON: it is not UTF-8 text",
        ));
    };
    let mut event = WebsocketEvent::from_json(text).map_err(|error| {
        EventError::new(format!(
            "the event is not an API Gateway WebSocket event: {error}"
        ))
    })?;
    event.context = context;
    let response = app.handle_websocket(event).await;
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer<'a> {
        status_code: u16,
        // A `$connect` handler's `WebsocketConnectResponse`: API Gateway answers the
        // client's upgrade with them (`Sec-WebSocket-Protocol`).
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        headers: BTreeMap<&'a str, &'a str>,
        #[serde(skip_serializing_if = "str::is_empty")]
        body: &'a str,
    }
    let body = String::from_utf8_lossy(&response.body);
    serde_json::to_vec(&Answer {
        status_code: response.status_code,
        headers: response
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect(),
        body: &body,
    })
    .map_err(|e| EventError::new(format!("could not write the answer: {e}")))
}
