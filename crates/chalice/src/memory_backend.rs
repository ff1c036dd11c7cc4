//! The test client's in-memory [`WebsocketBackend`]: it keeps what the app sends to each
//! connection, for every request and invocation the client makes, so `websocket_api()`
//! reaches a test's connections from any handler or view.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use chalice_core::adapter::{BackendFuture, WebsocketBackend, WebsocketConnection};
use chalice_core::{
    Chalice, ConnectionInfo, WebsocketDisconnected, WebsocketError, WebsocketMessage,
};

/// What the in-memory backend keeps of one connection.
pub(crate) struct Connection {
    pub(crate) gateway: WebsocketConnection,
    /// What the app sent, oldest first, not yet received by the test.
    pub(crate) inbox: VecDeque<WebsocketMessage>,
    pub(crate) open: bool,
    pub(crate) last_active_ms: u64,
}

/// The test client's connections, shared by every request and invocation the client makes:
/// `websocket_api()` reaches them from any handler or view.
pub(crate) struct MemoryBackend {
    app: Weak<Chalice>,
    connections: Mutex<HashMap<String, Connection>>,
}

impl MemoryBackend {
    pub(crate) fn new(app: &Arc<Chalice>) -> Arc<Self> {
        Arc::new(MemoryBackend {
            app: Arc::downgrade(app),
            connections: Mutex::new(HashMap::new()),
        })
    }

    pub(crate) fn connections(&self) -> MutexGuard<'_, HashMap<String, Connection>> {
        // A panicking handler never holds this lock (it is taken and released around map
        // operations only): poisoning cannot leave the map half-changed.
        self.connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Marks the connection closed; `true` if it was open.
    pub(crate) fn mark_closed(&self, connection_id: &str) -> bool {
        self.connections()
            .get_mut(connection_id)
            .is_some_and(|connection| std::mem::replace(&mut connection.open, false))
    }
}

impl WebsocketBackend for MemoryBackend {
    fn send<'a>(
        &'a self,
        _endpoint: Option<&'a str>,
        connection_id: &'a str,
        message: WebsocketMessage,
    ) -> BackendFuture<'a, ()> {
        let result = match self.connections().get_mut(connection_id) {
            Some(connection) if connection.open => {
                connection.inbox.push_back(message);
                connection.last_active_ms = now_ms();
                Ok(())
            }
            _ => Err(WebsocketDisconnected::new(connection_id).into()),
        };
        Box::pin(std::future::ready(result))
    }

    fn close<'a>(
        &'a self,
        _endpoint: Option<&'a str>,
        connection_id: &'a str,
    ) -> BackendFuture<'a, ()> {
        Box::pin(async move {
            if !self.mark_closed(connection_id) {
                return Err(WebsocketDisconnected::new(connection_id).into());
            }
            // API Gateway runs `$disconnect` when the app deletes a connection.
            let event = self.connections().get(connection_id).map(|connection| {
                connection
                    .gateway
                    .disconnect_event(1000, "", &request_id(), now_ms())
            });
            if let (Some(app), Some(event)) = (self.app.upgrade(), event) {
                let _ = app.handle_websocket(event).await;
            }
            Ok(())
        })
    }

    fn info<'a>(
        &'a self,
        _endpoint: Option<&'a str>,
        connection_id: &'a str,
    ) -> BackendFuture<'a, ConnectionInfo> {
        let result = match self.connections().get(connection_id) {
            Some(connection) if connection.open => Ok(ConnectionInfo::new(
                connection.gateway.connected_at_ms,
                connection.last_active_ms,
                connection.gateway.source_ip.clone(),
                connection.gateway.user_agent.clone(),
            )),
            _ => Err(WebsocketError::Disconnected(WebsocketDisconnected::new(
                connection_id,
            ))),
        };
        Box::pin(std::future::ready(result))
    }
}

pub(crate) fn now_ms() -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(now.as_millis()).unwrap_or(u64::MAX)
}

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// A connection id shaped like API Gateway's (16 characters of base64, `Kf2dGd9lywMCEng=`),
/// unique in the process.
pub(crate) fn connection_id() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut bytes = [0u8; 11];
    bytes[..8].copy_from_slice(&n.to_be_bytes());
    bytes[8..].copy_from_slice(&std::process::id().to_be_bytes()[1..]);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An API Gateway request id (`Kf2dGGnuywMFdFA=`), unique in the process.
pub(crate) fn request_id() -> String {
    connection_id()
}
