//! The HTTP/1.1 server: accept, serve each connection, shut down cleanly.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chalice_core::adapter::Gateway;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::Semaphore;

use crate::budget::BodyBudget;
use crate::connection;
use crate::function::LocalFunction;
use crate::limits::Limits;
use crate::service::State;
use crate::shutdown::{Connections, Stopped};
use crate::wire::Shared;

/// The local server, bound and ready to serve.
pub struct Server {
    listener: TcpListener,
    gateway: Gateway,
    function: LocalFunction,
    limits: Limits,
}

impl Server {
    /// Binds `addr` (port 0 picks a free port) for `gateway`, with the default [`Limits`],
    /// and installs the core's panic hook
    /// ([`chalice_core::adapter::install_panic_hook`]) for the process.
    pub async fn bind(addr: SocketAddr, gateway: Gateway) -> Result<Server, BindError> {
        // The server owns its process: panicking views are logged with their location.
        chalice_core::adapter::install_panic_hook();
        let listener = listen(addr).map_err(|source| BindError { addr, source })?;
        let function = LocalFunction::new(gateway.app().app_name());
        Ok(Server {
            listener,
            gateway,
            function,
            limits: Limits::new(),
        })
    }

    /// Sets the Lambda function local requests pretend to run in.
    #[must_use]
    pub fn function(mut self, function: LocalFunction) -> Self {
        self.function = function;
        self
    }

    /// Sets what any one client may hold of the server: see [`Limits`].
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until Ctrl-C (SIGINT) or SIGTERM, then finishes the requests in flight.
    ///
    /// Called inside a Tokio runtime, the signals are listened for from this call on, not from
    /// the future's first poll: a signal sent once the caller has said it is serving (its
    /// "Serving on" line) stops the server gracefully rather than killing the process.
    pub fn serve(self) -> impl Future<Output = io::Result<Stopped>> {
        let signals = Signals::listen();
        self.serve_until(signals.stopped())
    }

    /// Serves until `shutdown` completes, then stops: at once when no request is in flight,
    /// else when they are answered or the [grace period](Limits::shutdown_grace) has passed,
    /// whichever comes first. The requests still running then are cut, and counted in
    /// [`Stopped::requests_cut`].
    pub async fn serve_until(self, shutdown: impl Future<Output = ()>) -> io::Result<Stopped> {
        let Server {
            listener,
            gateway,
            function,
            limits,
        } = self;
        crate::reserved::warn_about_hidden_routes(gateway.app());
        let bodies = BodyBudget::new(limits.max_inflight_body_bytes);
        let websockets = crate::websocket::Websockets::new(
            gateway.app(),
            gateway.stage_name(),
            limits.max_connections,
            &bodies,
        )
        .map(Arc::new);
        if let (Some(_), Ok(addr)) = (&websockets, listener.local_addr()) {
            tracing::info!(
                target: "chalice::local",
                "WebSocket API on ws://{addr}/ (management endpoint: http://{addr}{})",
                crate::websocket::CONNECTIONS_PREFIX
            );
        }
        let state = Arc::new(State {
            gateway,
            function,
            bodies,
            websockets,
        });
        let connections = Connections::new();
        let schedules = crate::functions::spawn_schedules(state.gateway.app());
        let mut shutdown = std::pin::pin!(shutdown);
        let builder = connection::builder();
        let mut refused_accepts = 0u32;
        let max_connections = limits.max_connections;
        let permits = Arc::new(Semaphore::new(max_connections));
        let full = full_answer(max_connections);
        let mut refused_connections = 0u64;
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                () = &mut shutdown => break,
            };
            let (stream, peer) = match accepted {
                Ok(pair) => pair,
                Err(error) if is_per_connection(&error) => {
                    tracing::debug!(target: "chalice::local", "accept failed: {error}");
                    continue;
                }
                Err(error) => {
                    // Out of file descriptors (or memory): the waiting connections stay in the
                    // kernel's queue until some of ours close. Say so once, then back off
                    // instead of retrying (and logging) in a tight loop.
                    refused_accepts += 1;
                    if refused_accepts == 1 {
                        tracing::warn!(
                            target: "chalice::local",
                            "cannot accept connections: {error}; waiting for some to close \
                             (raise the open-file limit with `ulimit -n`, or lower --max-connections)"
                        );
                    }
                    let pause = Duration::from_millis(10 << refused_accepts.min(6));
                    tokio::select! {
                        () = tokio::time::sleep(pause) => continue,
                        () = &mut shutdown => break,
                    }
                }
            };
            if refused_accepts > 0 {
                tracing::info!(
                    target: "chalice::local",
                    "accepting connections again ({refused_accepts} attempts failed meanwhile)"
                );
                refused_accepts = 0;
            }
            let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
                // A flood is refused at once, with a word for clients that read it, so the
                // process keeps its file descriptors and keeps answering the others.
                let _ = stream.try_write(full.as_bytes());
                drop(stream);
                refused_connections += 1;
                if refused_connections == 1 {
                    tracing::warn!(
                        target: "chalice::local",
                        "{max_connections} connections are open, the most allowed: refusing new ones \
                         with 503 until some close (raise the limit with --max-connections)"
                    );
                }
                continue;
            };
            if refused_connections > 0 {
                tracing::info!(
                    target: "chalice::local",
                    "accepting connections again ({refused_connections} refused meanwhile)"
                );
                refused_connections = 0;
            }
            // Small responses must not wait for Nagle's algorithm and delayed ACKs.
            let _ = stream.set_nodelay(true);
            let shared = Arc::new(Shared::default());
            let registration = connections.register(Arc::clone(&shared));
            let connection = connection::serve(
                &builder,
                &state,
                stream,
                peer,
                &shared,
                limits.request_timeout,
            );
            tokio::spawn(async move {
                let _permit = permit;
                if let Some(Err(error)) = registration.run(connection).await {
                    tracing::debug!(target: "chalice::local", "connection from {peer} ended: {error}");
                }
            });
        }
        drop(listener);
        for schedule in schedules {
            schedule.abort();
        }
        let grace = limits.shutdown_grace;
        match connections.in_flight() {
            0 => tracing::info!(target: "chalice::local", "Shutting down"),
            n => tracing::info!(
                target: "chalice::local",
                "Shutting down: finishing {n} request{} in flight (for up to {grace:?})",
                plural(n)
            ),
        }
        // WebSocket connections close (1001) and run `$disconnect` while the requests in
        // flight finish, within the same grace period.
        let websockets = async {
            if let Some(websockets) = &state.websockets {
                websockets.shut_down(grace).await;
            }
        };
        let (stopped, ()) = tokio::join!(connections.drain(grace), websockets);
        if let n @ 1.. = stopped.requests_cut() {
            tracing::warn!(
                target: "chalice::local",
                "Cut {n} request{} still running after {grace:?} (set the grace period with --shutdown-grace)",
                plural(n)
            );
        }
        Ok(stopped)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The answer to a connection past the limit, written before it is closed.
fn full_answer(max_connections: usize) -> String {
    let body = format!(
        r#"{{"message":"Service Unavailable: the local server already has {max_connections} connections open"}}"#
    );
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// How many connections the kernel may queue before the server takes them.
const BACKLOG: u32 = 1024;

/// A listener on `addr` with a queue of [`BACKLOG`] connections. `TcpListener::bind` queues
/// 128 (std's value): a burst past that waits for the client's SYN to be sent again, a second
/// later, instead of being answered (or refused) at once.
fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    // As std does on Unix: a restarted server can take its port back at once.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// Accept errors that concern one connection (it was reset before we took it), not the
/// server: retried at once.
fn is_per_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.listener.local_addr().ok())
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// Ctrl-C, and SIGTERM on Unix, listened for from the moment [`Signals::listen`] runs (when
/// a runtime is current; else from the first poll, as `tokio::signal::ctrl_c` does).
struct Signals {
    #[cfg(unix)]
    unix: Option<[tokio::signal::unix::Signal; 2]>,
}

impl Signals {
    fn listen() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let unix = tokio::runtime::Handle::try_current().ok().and_then(|_| {
                Some([
                    signal(SignalKind::interrupt()).ok()?,
                    signal(SignalKind::terminate()).ok()?,
                ])
            });
            Signals { unix }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// Completes on the first of the signals.
    async fn stopped(self) {
        #[cfg(unix)]
        if let Some([mut interrupt, mut terminate]) = self.unix {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
        shutdown_signal().await;
    }
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
