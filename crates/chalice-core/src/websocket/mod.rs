//! WebSocket APIs: handlers for a connection's moments (`on_ws_connect`, `on_ws_message`,
//! custom routes, `on_ws_disconnect`), their typed event, and [`websocket_api()`] to send
//! to connections from anywhere in the app.
//!
//! ```text
//!  Lambda (CHALICE_HANDLER=websocket_message, API Gateway's event JSON) ─┐
//!  local server (upgrade, frames, close) ─┬─ WebsocketConnection ─► event ─┼─► Chalice::handle_websocket
//!  test client (connect, send, close) ────┘   (select_websocket_route)    │   event middleware ─► handler
//!                                                                          ▼
//!  websocket_api().send/close/info ─► WebsocketBackend the adapter installed
//!      (Lambda: @connections over HTTPS; local: the sockets; tests: memory)
//! ```

mod api;
mod backend;
mod connect;
mod declare;
mod dispatch;
mod error;
mod event;
mod gateway;
mod info;
mod message;
mod register;
mod scope;

pub use self::api::{WebsocketApi, websocket_api};
pub use self::backend::{BackendFuture, WebsocketBackend};
pub use self::connect::WebsocketConnectResponse;
pub use self::dispatch::{WebsocketResponse, websocket_gateway_message};
pub use self::error::{WebsocketDisconnected, WebsocketError};
pub use self::event::{WebsocketEvent, WebsocketEventType};
pub use self::gateway::WebsocketConnection;
pub use self::info::ConnectionInfo;
pub use self::message::WebsocketMessage;
pub use self::register::OnWsRoute;
pub use self::scope::{install_websocket_backend, with_websocket_backend};

pub(crate) use self::declare::Websockets;
