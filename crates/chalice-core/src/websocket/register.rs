//! The WebSocket declaration methods of [`Chalice`] and [`Blueprint`] (Chalice's
//! `on_ws_connect`, `on_ws_message`, `on_ws_disconnect`, and custom route keys).

use std::panic::Location;

use chalice_manifest::{CONNECT_ROUTE, DEFAULT_ROUTE, DISCONNECT_ROUTE};

use super::declare::{WsRouteDecl, builtin_handler};
use super::event::WebsocketEvent;
use crate::app::Chalice;
use crate::blueprint::Blueprint;
use crate::events::{EventHandler, default_name};

/// The options of a custom WebSocket route; see [`Chalice::on_ws_route`].
pub struct OnWsRoute<'a> {
    decl: &'a mut WsRouteDecl,
}

impl OnWsRoute<'_> {
    /// Names the route's handler (default: the handler function's name). The name is its
    /// Lambda function's (`<app>-<stage>-<name>`); it must be unique in the app.
    pub fn name(self, name: impl Into<String>) -> Self {
        self.decl.name = Some(name.into());
        self
    }
}

impl std::fmt::Debug for OnWsRoute<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnWsRoute")
            .field("route_key", &self.decl.route_key)
            .field("name", &self.decl.name)
            .finish()
    }
}

fn decl<H, M>(route_key: &str, handler: H, location: &'static Location<'static>) -> WsRouteDecl
where
    H: EventHandler<WebsocketEvent, M>,
{
    let name = match builtin_handler(route_key) {
        Some(builtin) => Some(builtin.to_owned()),
        None => default_name::<H>(),
    };
    WsRouteDecl {
        route_key: route_key.to_owned(),
        name,
        handler: std::sync::Arc::new(handler.erase()),
        location,
    }
}

/// The declaration methods, the same on the app and on blueprints.
macro_rules! websocket_declarations {
    ($owner:ty) => {
        impl $owner {
            /// Runs `handler` when a client opens a WebSocket connection (`$connect`,
            /// Chalice's `@app.on_ws_connect`). Returning an error refuses the connection:
            /// the client's upgrade fails with the error's status (a
            /// [`crate::ChaliceError::forbidden`] is a 403). Its Lambda function is named
            /// `websocket_connect`. At most one per app.
            ///
            /// The handler is a function of the [`WebsocketEvent`], sync or async, returning
            /// `()` or `Result<(), E>`.
            ///
            /// ```
            /// use chalice_core::{Chalice, ChaliceError, WebsocketEvent};
            ///
            /// fn connect(event: WebsocketEvent) -> Result<(), ChaliceError> {
            ///     let token = event.query_params.as_ref().and_then(|q| q.get("token"));
            ///     if token != Some("secret") {
            ///         return Err(ChaliceError::forbidden("a token is required"));
            ///     }
            ///     Ok(())
            /// }
            ///
            /// let mut app = Chalice::new("chat");
            /// app.on_ws_connect(connect);
            /// assert_eq!(app.manifest().websocket.unwrap().routes[0].handler, "websocket_connect");
            /// ```
            #[track_caller]
            pub fn on_ws_connect<H, M>(&mut self, handler: H) -> &mut Self
            where
                H: EventHandler<WebsocketEvent, M>,
            {
                let decl = decl(CONNECT_ROUTE, handler, Location::caller());
                self.functions.websockets.push(decl);
                self
            }

            /// Runs `handler` on each message no custom route matches (`$default`,
            /// Chalice's `@app.on_ws_message`). Its Lambda function is named
            /// `websocket_message`. At most one per app.
            ///
            /// ```
            /// use chalice_core::{Chalice, ChaliceError, WebsocketEvent, websocket_api};
            ///
            /// async fn echo(event: WebsocketEvent) -> Result<(), ChaliceError> {
            ///     websocket_api().send(&event.connection_id, event.body).await?;
            ///     Ok(())
            /// }
            ///
            /// let mut app = Chalice::new("echo");
            /// app.on_ws_message(echo);
            /// assert!(app.check().is_ok());
            /// ```
            #[track_caller]
            pub fn on_ws_message<H, M>(&mut self, handler: H) -> &mut Self
            where
                H: EventHandler<WebsocketEvent, M>,
            {
                let decl = decl(DEFAULT_ROUTE, handler, Location::caller());
                self.functions.websockets.push(decl);
                self
            }

            /// Runs `handler` when a connection closes, whichever side closed it
            /// (`$disconnect`, Chalice's `@app.on_ws_disconnect`); sending to it fails from
            /// then on. Its Lambda function is named `websocket_disconnect`. At most one
            /// per app.
            ///
            /// ```
            /// use chalice_core::{Chalice, WebsocketEvent};
            ///
            /// let mut app = Chalice::new("chat");
            /// app.on_ws_disconnect(|event: WebsocketEvent| {
            ///     println!("{} left", event.connection_id);
            /// });
            /// assert!(app.check().is_ok());
            /// ```
            #[track_caller]
            pub fn on_ws_disconnect<H, M>(&mut self, handler: H) -> &mut Self
            where
                H: EventHandler<WebsocketEvent, M>,
            {
                let decl = decl(DISCONNECT_ROUTE, handler, Location::caller());
                self.functions.websockets.push(decl);
                self
            }

            /// Runs `handler` on messages whose route key is `route_key`: the value the
            /// route selection expression picks out of the message (by default its
            /// `action` key: `{"action": "join", ...}` goes to the `join` route). Messages no
            /// route matches go to [`on_ws_message`](Self::on_ws_message)'s handler.
            ///
            /// The handler's Lambda function is named after the function (closures need
            /// [`OnWsRoute::name`]); each route key is declared once.
            ///
            /// ```
            /// use chalice_core::{Chalice, ChaliceError, WebsocketEvent};
            /// use serde::Deserialize;
            ///
            /// #[derive(Deserialize)]
            /// struct Join {
            ///     room: String,
            /// }
            ///
            /// fn join_room(event: WebsocketEvent) -> Result<(), ChaliceError> {
            ///     let join: Join = event.json_body()?;
            ///     println!("{} joins {}", event.connection_id, join.room);
            ///     Ok(())
            /// }
            ///
            /// let mut app = Chalice::new("chat");
            /// app.on_ws_route("join", join_room);
            /// app.on_ws_route("leave", |_: WebsocketEvent| {}).name("leave_room");
            /// let api = app.manifest().websocket.unwrap();
            /// assert_eq!(api.route_of("join_room").unwrap().route_key, "join");
            /// assert_eq!(api.route_of("leave_room").unwrap().route_key, "leave");
            /// ```
            #[track_caller]
            pub fn on_ws_route<H, M>(
                &mut self,
                route_key: impl Into<String>,
                handler: H,
            ) -> OnWsRoute<'_>
            where
                H: EventHandler<WebsocketEvent, M>,
            {
                let decl = decl(&route_key.into(), handler, Location::caller());
                OnWsRoute {
                    decl: self.functions.websockets.push(decl),
                }
            }

            /// Sets how API Gateway picks a message's route key (default
            /// `$request.body.action`, API Gateway's and Chalice's): `$request.body.` and a
            /// path of keys in the message's JSON. The local server and the test client
            /// route messages by it too.
            ///
            /// ```
            /// use chalice_core::{Chalice, WebsocketEvent};
            ///
            /// let mut app = Chalice::new("game");
            /// app.ws_route_selection_expression("$request.body.type");
            /// app.on_ws_route("move", |_: WebsocketEvent| {}).name("make_move");
            /// assert_eq!(app.manifest().websocket.unwrap().route_selection_expression, "$request.body.type");
            /// ```
            #[track_caller]
            pub fn ws_route_selection_expression(
                &mut self,
                expression: impl Into<String>,
            ) -> &mut Self {
                self.functions
                    .websockets
                    .set_selection(expression.into(), Location::caller());
                self
            }
        }
    };
}

websocket_declarations!(Chalice);
websocket_declarations!(Blueprint);
