//! One connection: hyper's HTTP/1.1 over the watched socket, answering with the service.

use std::cell::Cell;
use std::error::Error;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::{HttpService, service_fn};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::service::{State, answer};
use crate::wire::{Shared, Wire};

/// The most bytes of a head hyper reads before answering 431 by itself.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// hyper's settings for the server's connections.
pub(crate) fn builder() -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .keep_alive(true)
        // The request timeout lives in `Wire`, which also answers 408 (hyper's own header
        // timeout closes without a word, and costs a timer allocation per request).
        .header_read_timeout(None)
        // A hard bound on what a head may take of memory. API Gateway's own limit, on the
        // request line and header values only, is checked once the head is parsed, so that
        // its 431 can say by how much.
        .max_header_size(MAX_HEAD_BYTES)
        // A response's head and body in one buffer, written by one `send`: the bodies of a
        // local server's answers are small, so copying them costs less than hyper's queue
        // of buffers and a `writev` of two.
        .writev(false);
    builder
}

/// Serves the connection `io` from `peer` until it ends: every byte through [`Wire`], every
/// request through [`answer`].
pub(crate) fn serve<I>(
    builder: &http1::Builder,
    state: &Arc<State>,
    io: I,
    peer: SocketAddr,
    shared: &Arc<Shared>,
    timeout: Duration,
) -> impl Future<Output = hyper::Result<()>> + Finish + Send + use<I>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(Wire::new(io, Arc::clone(shared), timeout));
    let state = Arc::clone(state);
    let shared = Arc::clone(shared);
    // Requests come in the order their heads arrived: the n-th call is head n.
    let heads = Cell::new(0u64);
    let service = service_fn(move |request| {
        heads.set(heads.get() + 1);
        answer(
            Arc::clone(&state),
            peer,
            Arc::clone(&shared),
            heads.get(),
            request,
        )
    });
    // With upgrades: a WebSocket handshake hands the socket over to its session.
    builder.serve_connection(io, service).with_upgrades()
}

/// A connection that can be asked to finish: close once its request in flight is answered.
pub(crate) trait Finish {
    fn finish(self: Pin<&mut Self>);
}

impl<I, S, B> Finish for http1::UpgradeableConnection<I, S>
where
    S: HttpService<Incoming, ResBody = B>,
    S::Error: Into<Box<dyn Error + Send + Sync>>,
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    B: Body + 'static,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    fn finish(self: Pin<&mut Self>) {
        self.graceful_shutdown();
    }
}
