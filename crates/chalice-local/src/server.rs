//! The HTTP/1.1 server: accept, convert, answer through the gateway, log, shut down cleanly.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chalice_core::Response;
use chalice_core::adapter::{Gateway, MAX_BODY_BYTES, payload_too_large};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::function::LocalFunction;

/// How long a client may take to send its request head (slowloris guard).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long shutdown waits for requests in flight before giving up on them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The local server, bound and ready to serve.
pub struct Server {
    listener: TcpListener,
    state: Arc<State>,
}

struct State {
    gateway: Gateway,
    function: LocalFunction,
}

impl Server {
    /// Binds `addr` (port 0 picks a free port) for `gateway`, and installs the core's panic
    /// hook ([`chalice_core::adapter::install_panic_hook`]) for the process.
    pub async fn bind(addr: SocketAddr, gateway: Gateway) -> Result<Server, BindError> {
        // The server owns its process: panicking views are logged with their location.
        chalice_core::adapter::install_panic_hook();
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| BindError { addr, source })?;
        let function = LocalFunction::new(gateway.app().app_name());
        Ok(Server {
            listener,
            state: Arc::new(State { gateway, function }),
        })
    }

    /// Sets the Lambda function local requests pretend to run in.
    #[must_use]
    pub fn function(mut self, function: LocalFunction) -> Self {
        if let Some(state) = Arc::get_mut(&mut self.state) {
            state.function = function;
        }
        self
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until Ctrl-C (SIGINT) or SIGTERM, then finishes the requests in flight.
    pub async fn serve(self) -> io::Result<()> {
        self.serve_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight (up to 5 s).
    pub async fn serve_until(self, shutdown: impl Future<Output = ()>) -> io::Result<()> {
        let Server { listener, state } = self;
        let graceful = GracefulShutdown::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(error) => {
                        // Out of file descriptors and the like: say so, back off, go on.
                        tracing::warn!(target: "chalice::local", "accept failed: {error}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            // Small responses must not wait for Nagle's algorithm and delayed ACKs.
            let _ = stream.set_nodelay(true);
            let state = Arc::clone(&state);
            let service = service_fn(move |request| answer(Arc::clone(&state), peer, request));
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service);
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                if let Err(error) = connection.await {
                    tracing::debug!(target: "chalice::local", "connection from {peer} ended: {error}");
                }
            });
        }
        drop(listener);
        tracing::info!(target: "chalice::local", "Shutting down: finishing requests in flight");
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(SHUTDOWN_GRACE) => {
                tracing::warn!(target: "chalice::local", "Requests still in flight after {SHUTDOWN_GRACE:?}; stopping anyway");
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.listener.local_addr().ok())
            .finish_non_exhaustive()
    }
}

/// Answers one request and logs it: method, path, status, duration.
async fn answer(
    state: Arc<State>,
    peer: SocketAddr,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    // Cheap clones (shared bytes): the line is formatted only if someone listens.
    let method = request.method().clone();
    let uri = request.uri().clone();
    let response = respond(&state, peer, request).await;
    let status = response.status().as_u16();
    if tracing::enabled!(target: "chalice::local", tracing::Level::INFO) {
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
        tracing::info!(target: "chalice::local", message = line.as_str());
    }
    Ok(response)
}

async fn respond(
    state: &State,
    peer: SocketAddr,
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
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            return to_hyper(payload_too_large());
        }
        Err(error) => {
            let message = format!("Could not read the request body: {error}");
            let body = format!(r#"{{"message":{}}}"#, json_string(&message));
            return to_hyper(Response::new(body).status_code(400));
        }
    };
    let mut http_request = state.function.request(parts.method, parts.uri.path());
    http_request.query = parts.uri.query().map(str::to_owned);
    http_request.headers = parts.headers;
    http_request.body = body;
    http_request.source_ip = peer.ip();
    to_hyper(state.gateway.handle(http_request).await)
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

/// Completes on Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// The server could not listen on its address.
#[derive(Debug)]
pub struct BindError {
    addr: SocketAddr,
    source: io::Error,
}

impl BindError {
    /// The address that could not be bound.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether another process holds the port.
    pub fn is_addr_in_use(&self) -> bool {
        self.source.kind() == io::ErrorKind::AddrInUse
    }
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let addr = self.addr;
        match self.source.kind() {
            io::ErrorKind::AddrInUse => write!(
                f,
                "cannot listen on {addr}: port {} is already in use (is another `chalice local` running?); \
                 choose another port with --port or CHALICE_PORT",
                addr.port()
            ),
            io::ErrorKind::PermissionDenied => write!(
                f,
                "cannot listen on {addr}: permission denied (ports below 1024 need privileges); \
                 choose another port with --port or CHALICE_PORT"
            ),
            io::ErrorKind::AddrNotAvailable => write!(
                f,
                "cannot listen on {addr}: this machine has no such address; use --host 127.0.0.1, or CHALICE_HOST"
            ),
            _ => write!(f, "cannot listen on {addr}: {}", self.source),
        }
    }
}

impl std::error::Error for BindError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}
