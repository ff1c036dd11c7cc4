//! The local server's [`WebsocketBackend`]: `websocket_api()` in the app reaches the
//! server's own connections, from any handler or view.

use std::sync::Arc;

use chalice_core::adapter::{BackendFuture, WebsocketBackend};
use chalice_core::{ConnectionInfo, WebsocketDisconnected, WebsocketError, WebsocketMessage};
use tokio_tungstenite::tungstenite::Message;

use super::registry::{Gone, Registry};

/// `send`, `close` and `info` on the server's registry. The endpoint a call names is not
/// needed: every connection of the local API is in the registry. Each operation completes
/// at once (a send queues the message; the connection's writer sends it).
pub(crate) struct LocalBackend {
    registry: Arc<Registry>,
}

impl LocalBackend {
    pub(crate) fn new(registry: Arc<Registry>) -> Self {
        LocalBackend { registry }
    }
}

fn disconnected(connection_id: &str) -> impl FnOnce(Gone) -> WebsocketError + '_ {
    move |Gone| WebsocketError::Disconnected(WebsocketDisconnected::new(connection_id))
}

impl WebsocketBackend for LocalBackend {
    fn send<'a>(
        &'a self,
        _endpoint: Option<&'a str>,
        connection_id: &'a str,
        message: WebsocketMessage,
    ) -> BackendFuture<'a, ()> {
        let frame = match message {
            WebsocketMessage::Text(text) => Message::text(text),
            WebsocketMessage::Binary(bytes) => Message::binary(bytes),
        };
        let sent = self
            .registry
            .send(connection_id, frame)
            .map_err(disconnected(connection_id));
        Box::pin(std::future::ready(sent))
    }

    fn close<'a>(
        &'a self,
        _endpoint: Option<&'a str>,
        connection_id: &'a str,
    ) -> BackendFuture<'a, ()> {
        let closed = self
            .registry
            .close(connection_id)
            .map_err(disconnected(connection_id));
        Box::pin(std::future::ready(closed))
    }

    fn info<'a>(
        &'a self,
        _endpoint: Option<&'a str>,
        connection_id: &'a str,
    ) -> BackendFuture<'a, ConnectionInfo> {
        let info = self
            .registry
            .info(connection_id)
            .map(super::registry::ConnectionInfo::describe)
            .map_err(disconnected(connection_id));
        Box::pin(std::future::ready(info))
    }
}
