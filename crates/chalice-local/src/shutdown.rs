//! Stopping: which connections are open and which have a request in flight, and the signal
//! that first drains them, then cuts what is left.
//!
//! On shutdown, each connection is told to finish: hyper closes an idle keep-alive
//! connection at once, and one with a request in flight after its answer. A connection with
//! no request in flight (a client that connected and sent nothing, or half a head) is given
//! a moment to flush what it was writing, then dropped: such a client has no answer coming.
//! Shutdown ends as soon as no connection is left, so it is immediate when nothing is in
//! flight; after the grace period, the requests still in flight are cut and counted.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::connection::Finish;
use crate::wire::Shared;

/// How a server stopped, as [`Server::serve`](crate::Server::serve) reports it.
///
/// A server started from `chalice::run(app)` exits with status 1 when requests were cut, so that a
/// script or supervisor notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    requests_cut: usize,
}

impl Stopped {
    /// How many requests were still in flight after the
    /// [grace period](crate::Limits::shutdown_grace), and were cut.
    pub fn requests_cut(&self) -> usize {
        self.requests_cut
    }
}

/// How long a connection with nothing in flight may take to finish writing once shutdown
/// starts.
const FLUSH_WINDOW: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Serving,
    Draining,
    Stopped,
}

/// The server's open connections.
pub(crate) struct Connections {
    open: Mutex<HashMap<u64, Arc<Shared>>>,
    next_id: AtomicU64,
    phase: watch::Sender<Phase>,
}

impl Connections {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Connections {
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            phase: watch::Sender::new(Phase::Serving),
        })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<Shared>>> {
        // The map is only ever inserted into or removed from: a panic elsewhere cannot leave
        // it half-changed.
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a new connection in, until the returned registration is dropped.
    pub(crate) fn register(self: &Arc<Self>, shared: Arc<Shared>) -> Registration {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, Arc::clone(&shared));
        Registration {
            id,
            connections: Arc::clone(self),
            phase: self.phase.subscribe(),
            shared,
        }
    }

    /// How many requests are in flight.
    pub(crate) fn in_flight(&self) -> usize {
        self.lock().values().filter(|s| s.in_flight()).count()
    }

    /// Tells every connection to finish, waits until none is left or `grace` has passed,
    /// then cuts the rest.
    pub(crate) async fn drain(&self, grace: Duration) -> Stopped {
        self.phase.send_replace(Phase::Draining);
        let deadline = Instant::now() + grace;
        loop {
            let (open, in_flight) = {
                let open = self.lock();
                (open.len(), open.values().filter(|s| s.in_flight()).count())
            };
            if open == 0 {
                return Stopped { requests_cut: 0 };
            }
            let now = Instant::now();
            if now >= deadline {
                self.phase.send_replace(Phase::Stopped);
                return Stopped {
                    requests_cut: in_flight,
                };
            }
            // Polled only while stopping; a notification per finished request would cost
            // every request something for the sake of this one moment.
            tokio::time::sleep((deadline - now).min(Duration::from_millis(5))).await;
        }
    }
}

/// One open connection, counted until dropped.
pub(crate) struct Registration {
    id: u64,
    connections: Arc<Connections>,
    phase: watch::Receiver<Phase>,
    shared: Arc<Shared>,
}

impl Registration {
    /// Drives `connection` until it ends or shutdown drops it.
    pub(crate) async fn run<C, T>(mut self, connection: C) -> Option<T>
    where
        C: Future<Output = T> + Finish,
    {
        let mut connection = std::pin::pin!(connection);
        tokio::select! {
            ended = connection.as_mut() => return Some(ended),
            _ = self.phase.wait_for(|p| *p != Phase::Serving) => {}
        }
        connection.as_mut().finish();
        loop {
            let idle = !self.shared.in_flight();
            tokio::select! {
                ended = connection.as_mut() => return Some(ended),
                _ = self.phase.wait_for(|p| *p == Phase::Stopped) => return None,
                () = tokio::time::sleep(FLUSH_WINDOW), if idle => {
                    if !self.shared.in_flight() {
                        return None;
                    }
                }
            }
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.connections.lock().remove(&self.id);
    }
}
