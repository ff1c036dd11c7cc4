//! A chat room over WebSockets: each client that connects joins the room, each message it
//! sends goes to everyone in the room (itself included), and a client that leaves is
//! forgotten. `GET /` serves the page that does all this in a browser.
//!
//! The room lives in the process's memory: that is enough for `chalice local`, the release
//! binary run directly, and tests, where one process runs every handler. Deployed, each
//! handler is its own Lambda function with its own memory, so a real room keeps its
//! connection ids in a shared store (a DynamoDB table, as Chalice's own WebSocket tutorial
//! does); the handlers would not change otherwise.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chalice::{Chalice, ChaliceError, Response, WebsocketEvent, websocket_api};
use serde_json::json;

/// The page: a form, the messages received, and the script that connects them.
const PAGE: &str = include_str!("page.html");

/// The connections in the room.
#[derive(Debug, Default)]
pub struct Room {
    members: Mutex<BTreeSet<String>>,
}

impl Room {
    fn members(&self) -> MutexGuard<'_, BTreeSet<String>> {
        // Each use is one insert, remove or copy: a panic elsewhere cannot leave it half-done.
        self.members.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn join(&self, connection_id: String) {
        self.members().insert(connection_id);
    }

    fn leave(&self, connection_id: &str) {
        self.members().remove(connection_id);
    }

    /// Who is in the room now.
    pub fn list(&self) -> Vec<String> {
        self.members().iter().cloned().collect()
    }
}

/// The app, with a room of its own.
pub fn app() -> Chalice {
    app_with_room(Arc::default())
}

/// The app, with `room` as its room (tests look into it).
pub fn app_with_room(room: Arc<Room>) -> Chalice {
    let mut app = Chalice::new("chat");
    app.route("/", page);

    let joining = Arc::clone(&room);
    app.on_ws_connect(move |event: WebsocketEvent| joining.join(event.connection_id));

    let speaking = Arc::clone(&room);
    app.on_ws_message(move |event: WebsocketEvent| {
        let room = Arc::clone(&speaking);
        async move { broadcast(&room, &event).await }
    });

    app.on_ws_disconnect(move |event: WebsocketEvent| room.leave(&event.connection_id));
    app
}

/// Sends `event`'s message to everyone in the room as `{"from": id, "text": message}`;
/// a member whose connection is gone leaves the room.
async fn broadcast(room: &Room, event: &WebsocketEvent) -> Result<(), ChaliceError> {
    let Some(text) = event.body_text() else {
        return Err(ChaliceError::bad_request("send text, not binary"));
    };
    let line = json!({"from": event.connection_id, "text": text}).to_string();
    let api = websocket_api();
    for member in room.list() {
        match api.send(&member, line.as_str()).await {
            Ok(()) => {}
            Err(error) if error.is_disconnected() => room.leave(&member),
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}

/// `GET /`: the chat page. It connects to the WebSocket API at the URL the deployment gives
/// (`CHALICE_WEBSOCKET_ENDPOINT`, whose `https://` becomes `wss://`), else to the server
/// that served it, which is where the local server serves WebSockets.
fn page() -> Response {
    // `chalice_manifest::WEBSOCKET_ENDPOINT_ENV`, which the templates and the deployer set.
    let endpoint = std::env::var("CHALICE_WEBSOCKET_ENDPOINT")
        .ok()
        .and_then(|endpoint| {
            let rest = endpoint.strip_prefix("https://")?;
            Some(format!("wss://{rest}"))
        })
        .unwrap_or_default();
    let html = PAGE.replace("{{websocket_url}}", &html_attribute(&endpoint));
    Response::new(html).header("Content-Type", "text/html; charset=utf-8")
}

/// `text` made safe inside a double-quoted HTML attribute.
fn html_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
