//! One request: read it, answer it through the gateway, log it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use chalice_core::Response;
use chalice_core::adapter::{Gateway, MAX_BODY_BYTES, payload_too_large};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Frame, Incoming, SizeHint};

use crate::REQUEST_TARGET;
use crate::framing::Refusal;
use crate::function::LocalFunction;
use crate::limits::Limits;
use crate::wire::Shared;

/// What every request of a server needs.
pub(crate) struct State {
    pub(crate) gateway: Gateway,
    pub(crate) function: LocalFunction,
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
        None => respond(&state, peer, &shared, request).await,
    };
    let status = response.status().as_u16();
    if tracing::enabled!(target: REQUEST_TARGET, tracing::Level::INFO) {
        // Formatted once, here, and handed over as text: a format string would be formatted
        // again by every layer that records it.
        use std::fmt::Write as _;
        let micros = started.elapsed().as_micros();
        let target = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
        let mut line = String::with_capacity(method.as_str().len() + target.len() + 24);
        let _ = write!(
            line,
            "{method} {target} {status} {}.{:03}ms",
            micros / 1000,
            micros % 1000
        );
        tracing::info!(target: REQUEST_TARGET, message = line.as_str());
    }
    Ok(response.map(|body| Answer {
        body,
        _in_flight: in_flight,
    }))
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

async fn respond(
    state: &State,
    peer: SocketAddr,
    shared: &Shared,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        // Refuse without reading a byte of it; the unread body makes hyper close the
        // connection after this answer.
        return to_hyper(payload_too_large());
    }
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) if shared.body_timed_out() => {
            return closing(own_answer(
                http::StatusCode::REQUEST_TIMEOUT,
                "Request Timeout",
            ));
        }
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            return to_hyper(payload_too_large());
        }
        Err(error) => {
            let message = format!("Could not read the request body: {error}");
            return own_answer(http::StatusCode::BAD_REQUEST, &message);
        }
    };
    shared.start_answering();
    let app = state.gateway.app();
    if let Some(answer) =
        crate::functions::invoke_endpoint(app, &parts.method, parts.uri.path(), &body).await
    {
        return answer;
    }
    let mut http_request = state.function.request(parts.method, parts.uri.path());
    http_request.query = parts.uri.query().map(str::to_owned);
    http_request.headers = parts.headers;
    http_request.body = body;
    http_request.source_ip = peer.ip();
    to_hyper(state.gateway.handle(http_request).await)
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
