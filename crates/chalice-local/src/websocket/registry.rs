//! The open WebSocket connections of a local server, by connection id: what `send`, `close`
//! and `info` (from the app, or from the `@connections` endpoint) reach.
//!
//! Each connection has an outgoing queue that its own writer task drains to the socket, so
//! that a send never waits on a client: a broadcast to a hundred connections costs a hundred
//! queue pushes, however slow some of the clients are. The queue is bounded in bytes
//! ([`MAX_QUEUED_BYTES`]); a client that falls that far behind is disconnected (close code
//! 1008, "client too slow") and the send that found it full fails as for a gone connection,
//! which is what the sender would see a moment later anyway. A closed connection leaves the
//! registry before its `$disconnect` handler runs, as on API Gateway, where a post to a
//! connection being disconnected gets `410 Gone`.
//!
//! The registry also counts the sessions still running (a connection's session lasts until
//! its `$disconnect` handler has returned), so that a stopping server can wait for them:
//! [`Registry::close_all`] closes every connection, and [`Registry::sessions_ended`] waits
//! until each has run its `$disconnect`.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// How many bytes of messages may wait in one connection's outgoing queue. API Gateway
/// takes messages of up to 128 KB; eight of them queued, unread, is a client that is not
/// keeping up.
pub(crate) const MAX_QUEUED_BYTES: usize = 1024 * 1024;

/// What a connection's writer task is asked to do.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// Send this message.
    Message(Message),
    /// Send a close frame, then stop.
    Close(CloseFrame),
}

/// The connection is not (or no longer) open: API Gateway's `410 GoneException`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Gone;

/// What API Gateway's `GET @connections/{id}` tells of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConnectionInfo {
    /// When it was opened, in milliseconds since the epoch.
    pub(crate) connected_at_ms: u64,
    /// When a message last came from it, in milliseconds since the epoch.
    pub(crate) last_active_at_ms: u64,
    pub(crate) source_ip: IpAddr,
    pub(crate) user_agent: Option<String>,
}

impl ConnectionInfo {
    /// As the core describes a connection: times written as API Gateway writes them.
    pub(crate) fn describe(self) -> chalice_core::ConnectionInfo {
        chalice_core::ConnectionInfo::new(
            self.connected_at_ms,
            self.last_active_at_ms,
            self.source_ip.to_string(),
            self.user_agent,
        )
    }
}

struct Entry {
    queue: mpsc::UnboundedSender<Outgoing>,
    queued: Arc<AtomicUsize>,
    last_active_ms: Arc<AtomicU64>,
    connected_at_ms: u64,
    source_ip: IpAddr,
    user_agent: Option<String>,
}

/// The open connections of one server.
pub(crate) struct Registry {
    open: Mutex<HashMap<String, Entry>>,
    ids: IdSource,
    /// How many sessions are running, `$disconnect` included.
    sessions: Arc<watch::Sender<usize>>,
    /// Set once the server stops: connections opened from then on are closed at once, and
    /// closing ones wait less for their client's answer.
    stopping: AtomicBool,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            open: Mutex::default(),
            ids: IdSource::default(),
            sessions: Arc::new(watch::Sender::new(0)),
            stopping: AtomicBool::new(false),
        }
    }
}

/// Counts one session as running until dropped (after its `$disconnect` handler).
pub(crate) struct Session {
    sessions: Arc<watch::Sender<usize>>,
}

impl Drop for Session {
    fn drop(&mut self) {
        self.sessions.send_modify(|n| *n -= 1);
    }
}

/// One connection's side of the registry: its queue's receiving end and counters, held by
/// its session.
pub(crate) struct Registered {
    pub(crate) id: String,
    /// The session's own way into its queue (close frames of its own).
    pub(crate) sender: mpsc::UnboundedSender<Outgoing>,
    pub(crate) queue: mpsc::UnboundedReceiver<Outgoing>,
    pub(crate) queued: Arc<AtomicUsize>,
    pub(crate) last_active_ms: Arc<AtomicU64>,
    /// Held by the session until its `$disconnect` handler has returned.
    pub(crate) session: Session,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock leaves the map consistent (each operation is one
        // insert, remove or lookup): keep serving.
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A fresh connection id, in API Gateway's shape (16 characters of base64).
    pub(crate) fn new_id(&self) -> String {
        self.ids.next()
    }

    /// How many connections are open.
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    /// Opens connection `id`, from `source_ip` with `user_agent`.
    pub(crate) fn register(
        &self,
        id: String,
        source_ip: IpAddr,
        user_agent: Option<String>,
    ) -> Registered {
        let (sender, queue) = mpsc::unbounded_channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let now = now_ms();
        let last_active_ms = Arc::new(AtomicU64::new(now));
        let entry = Entry {
            queue: sender.clone(),
            queued: Arc::clone(&queued),
            last_active_ms: Arc::clone(&last_active_ms),
            connected_at_ms: now,
            source_ip,
            user_agent,
        };
        self.sessions.send_modify(|n| *n += 1);
        let session = Session {
            sessions: Arc::clone(&self.sessions),
        };
        {
            let mut open = self.lock();
            // Checked under the lock `close_all` takes: a connection that opens as the
            // server stops is closed, however the two interleave.
            if self.stopping.load(Ordering::Acquire) {
                let _ = sender.send(Outgoing::Close(going_away()));
            }
            open.insert(id.clone(), entry);
        }
        Registered {
            id,
            sender,
            queue,
            queued,
            last_active_ms,
            session,
        }
    }

    /// Removes connection `id` (its session has ended).
    pub(crate) fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    /// Queues `message` (text or binary) for connection `id`.
    pub(crate) fn send(&self, id: &str, message: Message) -> Result<(), Gone> {
        let open = self.lock();
        let entry = open.get(id).ok_or(Gone)?;
        let len = message.len();
        let before = entry.queued.fetch_add(len, Ordering::AcqRel);
        if before + len > MAX_QUEUED_BYTES {
            entry.queued.fetch_sub(len, Ordering::AcqRel);
            // Its writer sends the close frame once it has written what is queued, if the
            // client ever takes it; the socket's write timeout ends it otherwise.
            let _ = entry.queue.send(Outgoing::Close(CloseFrame {
                code: CloseCode::Policy,
                reason: "client too slow: its outgoing queue is full".into(),
            }));
            drop(open);
            self.remove(id);
            tracing::warn!(
                target: "chalice::local",
                "WebSocket connection {id} disconnected: it had {MAX_QUEUED_BYTES} bytes of messages unread"
            );
            return Err(Gone);
        }
        entry
            .queue
            .send(Outgoing::Message(message))
            .map_err(|_| Gone)
    }

    /// Closes connection `id` (close code 1000), as API Gateway's `DELETE @connections`.
    pub(crate) fn close(&self, id: &str) -> Result<(), Gone> {
        let open = self.lock();
        let entry = open.get(id).ok_or(Gone)?;
        entry
            .queue
            .send(Outgoing::Close(CloseFrame {
                code: CloseCode::Normal,
                reason: "".into(),
            }))
            .map_err(|_| Gone)
    }

    /// What is known of connection `id`.
    pub(crate) fn info(&self, id: &str) -> Result<ConnectionInfo, Gone> {
        let open = self.lock();
        let entry = open.get(id).ok_or(Gone)?;
        Ok(ConnectionInfo {
            connected_at_ms: entry.connected_at_ms,
            last_active_at_ms: entry.last_active_ms.load(Ordering::Relaxed),
            source_ip: entry.source_ip,
            user_agent: entry.user_agent.clone(),
        })
    }

    /// Closes every connection, and every one that opens from now on, with 1001 ("going
    /// away"): the server is stopping. Each session then ends when its client answers the
    /// close frame, or [`close_wait`](Self::close_wait) later, and runs `$disconnect`.
    pub(crate) fn close_all(&self) {
        let open = self.lock();
        self.stopping.store(true, Ordering::Release);
        for entry in open.values() {
            let _ = entry.queue.send(Outgoing::Close(going_away()));
        }
    }

    /// How long a closing connection waits for its client's close frame (and for its own
    /// to be written): [`CLOSE_WAIT`], or [`STOPPING_CLOSE_WAIT`] once the server stops.
    pub(crate) fn close_wait(&self) -> Duration {
        if self.stopping.load(Ordering::Acquire) {
            STOPPING_CLOSE_WAIT
        } else {
            CLOSE_WAIT
        }
    }

    /// Completes when no session is running: every connection has closed and run its
    /// `$disconnect` handler.
    pub(crate) async fn sessions_ended(&self) {
        let mut sessions = self.sessions.subscribe();
        // The sender lives in `self`: the wait cannot fail for want of it.
        let _ = sessions.wait_for(|n| *n == 0).await;
    }

    /// How many sessions are running.
    pub(crate) fn sessions(&self) -> usize {
        *self.sessions.borrow()
    }
}

/// How long a closing side waits for the other's close frame.
pub(crate) const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// The same while the server stops: a client that does not answer the close frame within
/// it is not waited for, so that its `$disconnect` still runs within the shutdown's grace
/// period.
pub(crate) const STOPPING_CLOSE_WAIT: Duration = Duration::from_millis(500);

fn going_away() -> CloseFrame {
    CloseFrame {
        code: CloseCode::Away,
        reason: "Going away: the server is stopping".into(),
    }
}

/// Connection ids: unique in the process, unguessable enough for a development server.
struct IdSource {
    seed: RandomState,
    counter: AtomicU64,
}

impl Default for IdSource {
    fn default() -> Self {
        IdSource {
            seed: RandomState::new(),
            counter: AtomicU64::new(0),
        }
    }
}

impl IdSource {
    /// 11 bytes in base64: 16 characters ending in `=`, as API Gateway's ids
    /// (`d3oXqc4aoAMCFZg=`). The counter makes them unique; the hash of it, keyed per
    /// process, makes them look as random as API Gateway's.
    fn next(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut bytes = [0u8; 11];
        bytes[..8].copy_from_slice(&self.seed.hash_one(n).to_le_bytes());
        // The counter's low bytes, masked, keep ids distinct even if two hashes met.
        let mask = self.seed.hash_one(u64::MAX).to_le_bytes();
        for (i, byte) in n.to_le_bytes()[..3].iter().enumerate() {
            bytes[8 + i] = byte ^ mask[i];
        }
        base64::engine::general_purpose::URL_SAFE.encode(bytes)
    }
}

pub(crate) fn now_ms() -> u64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_api_gateways_and_differ() {
        let registry = Registry::default();
        let ids: Vec<String> = (0..1000).map(|_| registry.new_id()).collect();
        for id in &ids {
            assert_eq!(id.len(), 16, "{id}");
            assert!(id.ends_with('=') && !id.ends_with("=="), "{id}");
        }
        let unique: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
    }

    #[test]
    fn a_full_queue_disconnects_its_client_and_the_send_fails() {
        let registry = Registry::default();
        let mut open = registry.register("c1".into(), IpAddr::from([127, 0, 0, 1]), None);
        let chunk = Message::binary(vec![b'x'; 64 * 1024]);
        for n in 0..MAX_QUEUED_BYTES / chunk.len() {
            assert_eq!(registry.send("c1", chunk.clone()), Ok(()), "message {n}");
        }
        assert_eq!(registry.send("c1", chunk.clone()), Err(Gone));
        assert_eq!(registry.send("c1", Message::text("x")), Err(Gone));
        assert_eq!(registry.len(), 0);
        let mut last = None;
        while let Ok(outgoing) = open.queue.try_recv() {
            last = Some(outgoing);
        }
        match last {
            Some(Outgoing::Close(frame)) => assert_eq!(frame.code, CloseCode::Policy),
            other => panic!("expected a close frame last, got {other:?}"),
        }
    }

    #[test]
    fn gone_connections() {
        let registry = Registry::default();
        drop(registry.register("c1".into(), IpAddr::from([127, 0, 0, 1]), None));
        registry.remove("c1");
        assert_eq!(registry.send("c1", Message::text("")), Err(Gone));
        assert_eq!(registry.close("c1"), Err(Gone));
        assert_eq!(registry.info("c1"), Err(Gone));
        assert_eq!(registry.send("never", Message::text("")), Err(Gone));
    }
}
