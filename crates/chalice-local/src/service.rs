//! One request: decide on its head, read its body if the app will see it, answer it
//! through the gateway, log it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use chalice_core::Response;
use chalice_core::adapter::{Admission, Gateway, MAX_BODY_BYTES, payload_too_large};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Frame, Incoming, SizeHint};

use crate::REQUEST_TARGET;
use crate::budget::{BodyBudget, Reservation};
use crate::framing::Refusal;
use crate::function::LocalFunction;
use crate::limits::Limits;
use crate::wire::Shared;

/// What every request of a server needs.
pub(crate) struct State {
    pub(crate) gateway: Gateway,
    pub(crate) function: LocalFunction,
    /// What the bodies of all requests in flight may take together.
    pub(crate) bodies: Arc<BodyBudget>,
    /// The app's WebSocket API, if it has one.
    pub(crate) websockets: Option<Arc<crate::websocket::Websockets>>,
}

/// Answers one request and logs it: method, path, status, duration, as an `INFO` event of
/// target `chalice::request` (which subscribers can send elsewhere or turn off).
pub(crate) async fn answer(
    state: Arc<State>,
    peer: SocketAddr,
    shared: Arc<Shared>,
    head: u64,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Answer>, Infallible> {
    let started = Instant::now();
    // Cheap clones (shared bytes): the line is formatted only if someone listens.
    let method = request.method().clone();
    let uri = request.uri().clone();
    shared.start_request();
    let in_flight = InFlight(Arc::clone(&shared));
    let response = match refusal(&shared, head, &request) {
        Some(refused) => refused,
        None => match &state.websockets {
            // Boxed, as `other_functions` is.
            Some(websockets) if crate::websocket::is_upgrade(&request) => {
                Box::pin(crate::websocket::upgrade(
                    websockets, peer, &shared, request,
                ))
                .await
            }
            // The app's code reaches this server's WebSocket connections.
            Some(websockets) => {
                websockets
                    .with_backend(respond(&state, peer, &shared, request))
                    .await
            }
            None => respond(&state, peer, &shared, request).await,
        },
    };
    let status = response.status().as_u16();
    if tracing::enabled!(target: REQUEST_TARGET, tracing::Level::INFO) {
        // Formatted once, here, and handed over as text: a format string would be formatted
        // again by every layer that records it. Written piece by piece: `write!` with its
        // five arguments (and a u128 for the duration) cost more than the rest of the line's
        // way to stderr.
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        let target = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
        let mut line = String::with_capacity(method.as_str().len() + target.len() + 32);
        line.push_str(method.as_str());
        line.push(' ');
        line.push_str(target);
        line.push(' ');
        push_decimal(&mut line, u64::from(status), 1);
        line.push(' ');
        push_decimal(&mut line, micros / 1000, 1);
        line.push('.');
        push_decimal(&mut line, micros % 1000, 3);
        line.push_str("ms");
        tracing::info!(target: REQUEST_TARGET, message = line.as_str());
    }
    Ok(response.map(|body| Answer {
        body,
        _in_flight: in_flight,
    }))
}

/// Appends `n` in decimal, with at least `width` digits (zeros in front).
fn push_decimal(line: &mut String, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    while n > 0 || digits.len() - start < width {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    for &digit in &digits[start..] {
        line.push(char::from(digit));
    }
}

/// A response body that keeps its request counted in flight until hyper has taken all of
/// it (hyper drops a body when it queues the last bytes), or the request is dropped.
pub(crate) struct Answer {
    body: Full<Bytes>,
    _in_flight: InFlight,
}

impl hyper::body::Body for Answer {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Marks the connection's request finished when dropped.
struct InFlight(Arc<Shared>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.end_request();
    }
}

/// The answer to a request a strict HTTP/1.1 server, or API Gateway, refuses on its head
/// alone; the connection is closed after it.
fn refusal(
    shared: &Shared,
    head: u64,
    request: &hyper::Request<Incoming>,
) -> Option<hyper::Response<Full<Bytes>>> {
    use http::StatusCode;
    let (status, message) = match shared.refusal(head) {
        Some(Refusal::BareLf) => (
            StatusCode::BAD_REQUEST,
            "Bad Request: a line of the request head ends with a bare LF; HTTP/1.1 lines end with CRLF"
                .to_owned(),
        ),
        Some(Refusal::Framing) => (
            StatusCode::BAD_REQUEST,
            "Bad Request: the request's Content-Length or Transfer-Encoding cannot be read"
                .to_owned(),
        ),
        None => {
            let size = head_size(request);
            if size > Limits::MAX_HEADER_BYTES {
                let message = format!(
                    "Request Header Fields Too Large: the request line and header values are {size} bytes; \
                     API Gateway allows {}",
                    Limits::MAX_HEADER_BYTES
                );
                (StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, message)
            } else if request.version() == http::Version::HTTP_11
                && request.headers().get_all(http::header::HOST).iter().count() != 1
            {
                (
                    StatusCode::BAD_REQUEST,
                    "Bad Request: an HTTP/1.1 request needs exactly one Host header".to_owned(),
                )
            } else {
                return None;
            }
        }
    };
    Some(closing(own_answer(status, &message)))
}

/// A head's size as API Gateway counts it against its 10,240 bytes: "total combined size of
/// request line and header values".
fn head_size<B>(request: &hyper::Request<B>) -> usize {
    let uri = request.uri();
    let target = uri.scheme_str().map_or(0, |s| s.len() + "://".len())
        + uri.authority().map_or(0, |a| a.as_str().len())
        + uri.path_and_query().map_or(1, |pq| pq.as_str().len());
    let line = request.method().as_str().len() + " ".len() + target + " HTTP/1.1".len();
    line + request.headers().values().map(|v| v.len()).sum::<usize>()
}

/// Answers a request whose head passed the server's own checks: the gateway decides on the
/// head, and the body is read only for a request that reaches the app.
async fn respond(
    state: &State,
    peer: SocketAddr,
    shared: &Shared,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    // hyper knows the body's length exactly when the request declared it.
    let declared = body.size_hint().exact();
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        // Refuse without reading a byte of it; the unread body makes hyper close the
        // connection after this answer.
        return to_hyper(payload_too_large());
    }
    let path = parts.uri.path();
    if path.starts_with(crate::functions::INVOKE_PREFIX)
        || path.starts_with(crate::websocket::CONNECTIONS_PREFIX)
    {
        // Boxed: the state of this rarer way through would otherwise be part of every
        // request's future, copied whole each time the future moves.
        return Box::pin(other_functions(state, shared, parts, declared, body)).await;
    }
    let mut head = state.function.request(parts.method, parts.uri.path());
    head.query = parts.uri.query().map(str::to_owned);
    head.headers = parts.headers;
    head.source_ip = peer.ip();
    let admitted = match state.gateway.admit(head).await {
        // API Gateway's own answer: the body, unread, is left to hyper, which closes the
        // connection after the answer if any of it is still to come.
        Admission::Answered(response) => return to_hyper(response),
        Admission::Admitted(admitted) => admitted,
    };
    // Held until the app has answered: the body is the request's until then.
    // A request without a body (most GETs) need not ask whether the app wants one.
    let (body, _reservation) = if !body.is_end_stream() && admitted.needs_body() {
        match read_body(&state.bodies, shared, declared, body).await {
            Ok(read) => read,
            Err(refused) => return refused,
        }
    } else {
        (Bytes::new(), None)
    };
    shared.start_answering();
    to_hyper(admitted.answer(body).await)
}

/// Answers a request to the app's other functions (`POST /_chalice/invoke/NAME`) or to the
/// WebSocket connections (`@connections`): the body is the event, read within the same
/// budget.
async fn other_functions(
    state: &State,
    shared: &Shared,
    parts: http::request::Parts,
    declared: Option<u64>,
    body: Incoming,
) -> hyper::Response<Full<Bytes>> {
    let (body, _reservation) = match read_body(&state.bodies, shared, declared, body).await {
        Ok(read) => read,
        Err(refused) => return refused,
    };
    shared.start_answering();
    let app = state.gateway.app();
    if let Some(answer) =
        crate::functions::invoke_endpoint(app, &parts.method, parts.uri.path(), &body).await
    {
        return answer;
    }
    let websockets = state.websockets.as_deref();
    if let Some(answer) =
        crate::websocket::management_answer(websockets, &parts.method, parts.uri.path(), body)
    {
        return answer;
    }
    to_hyper(chalice_core::adapter::missing_authentication_token())
}

/// Reads a body whole, within API Gateway's limit (413) and the server's budget for bodies
/// in flight (503). A body of `declared` length reserves all of it before its first byte is
/// read, so that a request that does not fit is refused before its client sends it; a
/// chunked one reserves what its buffer takes as it grows.
async fn read_body(
    budget: &Arc<BodyBudget>,
    shared: &Shared,
    declared: Option<u64>,
    mut body: Incoming,
) -> Result<(Bytes, Option<Reservation>), hyper::Response<Full<Bytes>>> {
    if declared == Some(0) || body.is_end_stream() {
        return Ok((Bytes::new(), None));
    }
    // `declared` is at most MAX_BODY_BYTES here, so it fits a usize.
    let expected = declared.map(|length| usize::try_from(length).unwrap_or(usize::MAX));
    let Some(mut reservation) = budget.reserve(expected.unwrap_or(0)) else {
        return Err(over_budget(budget));
    };
    // The first frame is kept as it came: a body that arrives in one piece is not copied.
    let mut first: Option<Bytes> = None;
    let mut joined: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let data = match frame {
            Ok(frame) => match frame.into_data() {
                Ok(data) => data,
                // Trailers: not part of the body.
                Err(_) => continue,
            },
            Err(_) if shared.body_timed_out() => {
                return Err(closing(own_answer(
                    http::StatusCode::REQUEST_TIMEOUT,
                    "Request Timeout",
                )));
            }
            Err(error) => {
                let message = format!("Could not read the request body: {error}");
                return Err(own_answer(http::StatusCode::BAD_REQUEST, &message));
            }
        };
        let held = first.as_ref().map_or(0, Bytes::len) + joined.len();
        let length = held + data.len();
        if length > MAX_BODY_BYTES {
            return Err(to_hyper(payload_too_large()));
        }
        if held == 0 {
            // A declared body was reserved whole; a chunked one reserves what it holds.
            if expected.is_none() && !reservation.grow_to(data.len()) {
                return Err(over_budget(budget));
            }
            first = Some(data);
            continue;
        }
        if length > joined.capacity() {
            // A chunked body doubles its buffer, and reserves each growth before it is made.
            let capacity =
                expected.unwrap_or_else(|| length.max(2 * joined.capacity()).min(MAX_BODY_BYTES));
            if expected.is_none() && !reservation.grow_to(capacity) {
                return Err(over_budget(budget));
            }
            joined.reserve_exact(capacity - joined.len());
        }
        if let Some(first) = first.take() {
            joined.extend_from_slice(&first);
        }
        joined.extend_from_slice(&data);
    }
    let body = match first {
        Some(first) => first,
        None => Bytes::from(joined),
    };
    Ok((body, Some(reservation)))
}

/// The answer to a request whose body does not fit the server's budget for bodies in
/// flight: API Gateway's 503 shape, the connection closed after it (its body unread).
fn over_budget(budget: &BodyBudget) -> hyper::Response<Full<Bytes>> {
    let total = budget.total();
    if budget.first_refusal() {
        tracing::warn!(
            target: "chalice::local",
            "request bodies in flight would take more than {total} bytes: answering 503 until \
             some are answered (raise the limit with --max-inflight-body-bytes)"
        );
    }
    let message = format!(
        "Service Unavailable: request bodies in flight would take more than the local server's {total} bytes"
    );
    closing(own_answer(http::StatusCode::SERVICE_UNAVAILABLE, &message))
}

/// An answer of the local server's own, shaped as API Gateway's: `{"message":"..."}`.
fn own_answer(status: http::StatusCode, message: &str) -> hyper::Response<Full<Bytes>> {
    let body = format!(r#"{{"message":{}}}"#, json_string(message));
    let mut response = hyper::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// The response, with the connection closed after it.
fn closing(mut response: hyper::Response<Full<Bytes>>) -> hyper::Response<Full<Bytes>> {
    response.headers_mut().insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    );
    response
}

fn to_hyper(response: Response) -> hyper::Response<Full<Bytes>> {
    let mut out = hyper::Response::new(Full::new(response.body));
    // Dispatch guarantees a status in 100..=599, which `from_u16` accepts.
    *out.status_mut() = http::StatusCode::from_u16(response.status_code)
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    *out.headers_mut() = response.headers.into_header_map();
    out
}

fn json_string(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::push_decimal;

    #[test]
    fn decimals_as_the_request_line_writes_them() {
        let cases: &[(u64, usize, &str)] = &[
            (0, 1, "0"),
            (200, 1, "200"),
            (7, 3, "007"),
            (42, 3, "042"),
            (999, 3, "999"),
            (1234, 1, "1234"),
            (u64::MAX, 1, "18446744073709551615"),
        ];
        for &(n, width, expected) in cases {
            let mut line = String::new();
            push_decimal(&mut line, n, width);
            assert_eq!(line, expected, "{n} in {width}");
        }
    }
}
