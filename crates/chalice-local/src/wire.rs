//! A connection's socket as hyper sees it: every byte read goes through the [framing
//! scanner](crate::framing), and every wait on the client is bounded in time.
//!
//! One deadline per connection, set when the server starts waiting on the client and cleared
//! when the client delivers what was awaited:
//!
//! - waiting for a request to start (an idle keep-alive connection): closed quietly;
//! - waiting for the rest of a head: answered 408 here (hyper has not seen a request yet, so
//!   only this layer can answer) and closed;
//! - waiting for the rest of a body: the read fails, the service sees
//!   [`Shared::body_timed_out`] and answers 408;
//! - waiting for the client to take its answer: closed.
//!
//! While the app is working on a request nothing is awaited from the client (hyper only
//! watches for it hanging up), so no deadline runs: a slow view is not the client's fault.
//!
//! The timer is armed lazily: a deadline is a plain `Instant` until the connection has to
//! wait, and the one `Sleep` per connection is moved only when it would fire too late. A
//! request that arrives whole costs one clock read, and no timer registration.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use crate::framing::{Framing, Refusal};

/// What a connection's socket layer and its service share.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Where the connection's current request is, as the service sees it.
    stage: AtomicU8,
    /// The number of the first head the scanner refused (0: none), and why.
    refused: AtomicU64,
    refusal: AtomicU8,
    /// The request's body did not arrive in time.
    body_timed_out: AtomicBool,
    /// The connection was upgraded to a WebSocket: no more requests in its bytes.
    upgraded: AtomicBool,
}

/// No request is being served.
const IDLE: u8 = 0;
/// The service is reading the request's body.
const READING: u8 = 1;
/// The app is working on the request: nothing is awaited from the client.
const ANSWERING: u8 = 2;

impl Shared {
    /// The service has a request (it starts reading the body).
    pub(crate) fn start_request(&self) {
        self.stage.store(READING, Ordering::Relaxed);
    }

    /// The body is read; the app takes over.
    pub(crate) fn start_answering(&self) {
        self.stage.store(ANSWERING, Ordering::Relaxed);
    }

    /// The answer is handed to the socket (or the request was dropped).
    pub(crate) fn end_request(&self) {
        self.stage.store(IDLE, Ordering::Relaxed);
    }

    /// Whether a request is in flight: from its head until its answer is handed to the
    /// socket.
    pub(crate) fn in_flight(&self) -> bool {
        self.stage.load(Ordering::Relaxed) != IDLE
    }

    fn answering(&self) -> bool {
        self.stage.load(Ordering::Relaxed) == ANSWERING
    }

    /// Why head number `head` (from 1) was refused, if it was.
    pub(crate) fn refusal(&self, head: u64) -> Option<Refusal> {
        if self.refused.load(Ordering::Relaxed) != head {
            return None;
        }
        match self.refusal.load(Ordering::Relaxed) {
            0 => Some(Refusal::BareLf),
            _ => Some(Refusal::Framing),
        }
    }

    /// The connection is a WebSocket from now on: its bytes are frames, not requests, and
    /// its session times the client's silence itself.
    pub(crate) fn upgrade(&self) {
        self.upgraded.store(true, Ordering::Relaxed);
    }

    /// Whether the current request's body timed out.
    pub(crate) fn body_timed_out(&self) -> bool {
        self.body_timed_out.load(Ordering::Relaxed)
    }
}

/// What the connection is waiting for when its deadline passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    Idle,
    Head,
    Body,
}

/// The answer to a head that did not arrive in time, written by this layer because hyper
/// has no request to answer.
const HEAD_TIMEOUT_RESPONSE: &[u8] = b"HTTP/1.1 408 Request Timeout\r\n\
content-type: application/json\r\n\
content-length: 29\r\n\
connection: close\r\n\
\r\n\
{\"message\":\"Request Timeout\"}";

/// A socket with its bytes scanned and its waits bounded.
pub(crate) struct Wire<I> {
    io: I,
    framing: Framing,
    shared: Arc<Shared>,
    timeout: Duration,
    /// When the current read wait gives up, and what it waits for.
    read_deadline: Option<(Instant, Wait)>,
    /// The framing generation the read deadline belongs to.
    read_generation: u64,
    /// When the current write wait gives up.
    write_deadline: Option<Instant>,
    /// The timer, created on the first wait, and the instant it is set to.
    sleep: Option<(Pin<Box<Sleep>>, Instant)>,
}

impl<I> Wire<I> {
    pub(crate) fn new(io: I, shared: Arc<Shared>, timeout: Duration) -> Self {
        Wire {
            io,
            framing: Framing::new(),
            shared,
            timeout,
            read_deadline: None,
            read_generation: 0,
            write_deadline: None,
            sleep: None,
        }
    }

    /// Polls the earliest deadline; `Ready(true)` when the read deadline has passed,
    /// `Ready(false)` when the write deadline has.
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Poll<bool> {
        let read = self.read_deadline.map(|(at, _)| at);
        let due = match (read, self.write_deadline) {
            (Some(r), Some(w)) => r.min(w),
            (Some(at), None) | (None, Some(at)) => at,
            (None, None) => return Poll::Pending,
        };
        loop {
            let (sleep, armed) = self
                .sleep
                .get_or_insert_with(|| (Box::pin(tokio::time::sleep_until(due)), due));
            if *armed > due {
                sleep.as_mut().reset(due);
                *armed = due;
            }
            ready!(sleep.as_mut().poll(cx));
            if Instant::now() >= due {
                return Poll::Ready(read == Some(due));
            }
            // Fired for an earlier deadline since cleared: wait for this one.
            sleep.as_mut().reset(due);
            *armed = due;
        }
    }
}

impl<I: AsyncRead + AsyncWrite + Unpin> AsyncRead for Wire<I> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let read = &buf.filled()[before..];
                if !read.is_empty() && !this.shared.upgraded.load(Ordering::Relaxed) {
                    this.framing.feed(read);
                    if this.framing.generation() != this.read_generation {
                        this.read_deadline = None;
                        this.read_generation = this.framing.generation();
                    }
                    if let Some((head, why)) = this.framing.refused() {
                        this.shared.refused.store(head, Ordering::Relaxed);
                        let code = u8::from(why != Refusal::BareLf);
                        this.shared.refusal.store(code, Ordering::Relaxed);
                    }
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => {
                if this.shared.answering() || this.shared.upgraded.load(Ordering::Relaxed) {
                    // hyper only watches for the client hanging up while the app works.
                    this.read_deadline = None;
                    return Poll::Pending;
                }
                let wait = if !this.framing.in_request() {
                    Wait::Idle
                } else if this.framing.in_head() {
                    Wait::Head
                } else {
                    Wait::Body
                };
                // One deadline for the whole request, head and body: it is cleared only
                // when a request starts or ends.
                let at = match this.read_deadline {
                    Some((at, _)) => at,
                    None => Instant::now() + this.timeout,
                };
                this.read_deadline = Some((at, wait));
                if this.poll_deadline(cx) != Poll::Ready(true) {
                    return Poll::Pending;
                }
                this.read_deadline = None;
                match wait {
                    // An idle connection ends as if the client had closed it.
                    Wait::Idle => Poll::Ready(Ok(())),
                    Wait::Head => {
                        // Best effort: a client this slow has room in its socket for a
                        // short answer; if not, it is closed without one.
                        let _ = Pin::new(&mut this.io).poll_write(cx, HEAD_TIMEOUT_RESPONSE);
                        Poll::Ready(Err(timed_out("the request head")))
                    }
                    Wait::Body => {
                        this.shared.body_timed_out.store(true, Ordering::Relaxed);
                        Poll::Ready(Err(timed_out("the request body")))
                    }
                }
            }
        }
    }
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        format!("{what} did not arrive in time"),
    )
}

impl<I: AsyncRead + AsyncWrite + Unpin> Wire<I> {
    /// After a write poll: clears the write deadline on progress, sets it on a wait, and
    /// fails the write once it has passed.
    fn after_write<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if polled.is_ready() {
            self.write_deadline = None;
            return polled;
        }
        if self.write_deadline.is_none() {
            self.write_deadline = Some(Instant::now() + self.timeout);
        }
        if self.poll_deadline(cx) != Poll::Ready(false) {
            return Poll::Pending;
        }
        self.write_deadline = None;
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the client did not take its answer in time",
        )))
    }
}

impl<I: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Wire<I> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.io).poll_write(cx, data);
        this.after_write(cx, polled)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.io).poll_write_vectored(cx, data);
        this.after_write(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.io).poll_flush(cx);
        this.after_write(cx, polled)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
