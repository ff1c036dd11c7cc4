//! The local `@connections`: API Gateway's management API for a WebSocket API's
//! connections, under [`CONNECTIONS_PREFIX`], so that programs other than the app (a script,
//! another service, `curl`) can reach the local clients as they would a deployed API's.

use bytes::Bytes;
use http_body_util::Full;
use tokio_tungstenite::tungstenite::Message;

use super::registry::Gone;
use super::session::MAX_MESSAGE_BYTES;
use super::{CONNECTIONS_PREFIX, Websockets, own_answer};

/// The answer to `method` on `path` when it is the management endpoint's, else `None`.
///
/// - `POST` sends the body to the connection (as a text frame when it is UTF-8, else
///   binary): `200`, or `413` for more than a message may hold;
/// - `DELETE` closes the connection: `204`;
/// - `GET` describes it: `200` with `ConnectedAt`, `Identity` and `LastActiveAt`;
///
/// and a connection that is not open answers `410 Gone`, as API Gateway's `GoneException`.
pub(crate) fn answer(
    websockets: Option<&Websockets>,
    method: &http::Method,
    path: &str,
    body: Bytes,
) -> Option<hyper::Response<Full<Bytes>>> {
    use http::StatusCode;
    let raw = path.strip_prefix(CONNECTIONS_PREFIX)?;
    let Some(websockets) = websockets else {
        return Some(own_answer(
            StatusCode::NOT_FOUND,
            "Not Found: the app has no WebSocket API (no on_ws_connect, on_ws_message or on_ws_disconnect handler)",
        ));
    };
    let id = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    if id.is_empty() || id.contains('/') {
        return Some(own_answer(
            StatusCode::NOT_FOUND,
            &format!("Not Found: {CONNECTIONS_PREFIX}CONNECTION_ID takes one connection id"),
        ));
    }
    let registry = websockets.registry();
    let gone = |Gone| {
        own_answer(
            StatusCode::GONE,
            &format!("Gone: connection {id} is not open"),
        )
    };
    let answer = match *method {
        http::Method::POST => {
            if body.len() > MAX_MESSAGE_BYTES {
                return Some(own_answer(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!(
                        "Payload Too Large: a message is at most {MAX_MESSAGE_BYTES} bytes; this one is {}",
                        body.len()
                    ),
                ));
            }
            let message = match String::from_utf8(Vec::from(body)) {
                Ok(text) => Message::text(text),
                Err(error) => Message::binary(error.into_bytes()),
            };
            registry
                .send(&id, message)
                .map(|()| empty(StatusCode::OK))
                .unwrap_or_else(gone)
        }
        http::Method::DELETE => registry
            .close(&id)
            .map(|()| empty(StatusCode::NO_CONTENT))
            .unwrap_or_else(gone),
        http::Method::GET => registry
            .info(&id)
            .map(|info| {
                // GetConnection's answer.
                let info = info.describe();
                let json = serde_json::json!({
                    "ConnectedAt": info.connected_at,
                    "Identity": {"SourceIp": info.source_ip, "UserAgent": info.user_agent},
                    "LastActiveAt": info.last_active_at,
                });
                let mut answer = own_answer(StatusCode::OK, "");
                *answer.body_mut() = Full::new(Bytes::from(json.to_string()));
                answer
            })
            .unwrap_or_else(gone),
        _ => {
            let mut answer = own_answer(
                StatusCode::METHOD_NOT_ALLOWED,
                "Method Not Allowed: POST a message, DELETE to close, GET to describe a connection",
            );
            answer.headers_mut().insert(
                http::header::ALLOW,
                http::HeaderValue::from_static("GET, POST, DELETE"),
            );
            answer
        }
    };
    Some(answer)
}

fn empty(status: http::StatusCode) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}
