//! WebSocket subprotocols (`Sec-WebSocket-Protocol`) on the local server, as API Gateway
//! negotiates them: the `$connect` handler sees what the client offers and chooses with a
//! `WebsocketConnectResponse`; the server answers the upgrade with its choice, and the
//! client judges it (tokio-tungstenite refuses a missing or unoffered one, as browsers do).

use std::sync::{Arc, Mutex};

use chalice_core::adapter::Gateway;
use chalice_core::{Chalice, ChaliceError, WebsocketConnectResponse, WebsocketEvent};
use chalice_local::Server;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::error::{Error, ProtocolError, SubProtocolError};

/// What each `$connect` saw in `Sec-WebSocket-Protocol`.
type Offered = Arc<Mutex<Vec<Option<String>>>>;

/// Chooses `chat.v2` when offered, a protocol nobody offered for `pick-wrong`, else none.
fn app(offered: &Offered) -> Chalice {
    let mut app = Chalice::new("chat");
    let seen = Arc::clone(offered);
    app.on_ws_connect(
        move |event: WebsocketEvent| -> Result<WebsocketConnectResponse, ChaliceError> {
            let header = event
                .headers
                .get("sec-websocket-protocol")
                .map(str::to_owned);
            seen.lock().expect("not poisoned").push(header.clone());
            let offers = |p: &str| {
                header
                    .as_deref()
                    .is_some_and(|h| h.split(',').any(|o| o.trim() == p))
            };
            Ok(match () {
                () if offers("chat.v2") => WebsocketConnectResponse::new().subprotocol("chat.v2"),
                () if offers("pick-wrong") => {
                    WebsocketConnectResponse::new().subprotocol("unknown")
                }
                () => WebsocketConnectResponse::new(),
            })
        },
    );
    app.on_ws_message(|_: WebsocketEvent| {});
    app
}

/// How a connection attempt ended: the protocol of the 101, or the client's refusal.
#[derive(Debug, PartialEq)]
enum Outcome {
    Connected(Option<String>),
    Refused(SubProtocolError),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_chooses_the_subprotocol() {
    let offered = Offered::default();
    let server = Server::bind(
        "127.0.0.1:0".parse().expect("an address"),
        Gateway::new(Arc::new(app(&offered))),
    )
    .await
    .expect("bind");
    let addr = server.local_addr().expect("an address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve_until(async {
        let _ = stopped.await;
    }));

    // (the client's offer, what happens)
    let cases: &[(Option<&str>, Outcome)] = &[
        (
            Some("chat.v1, chat.v2"),
            Outcome::Connected(Some("chat.v2".to_owned())),
        ),
        (None, Outcome::Connected(None)),
        // Offered, none chosen: the client refuses, as it would a deployed API's answer.
        (
            Some("chat.v1"),
            Outcome::Refused(SubProtocolError::NoSubProtocol),
        ),
        // The handler's choice is passed on as it is; the client judges it.
        (
            Some("pick-wrong"),
            Outcome::Refused(SubProtocolError::InvalidSubProtocol),
        ),
    ];
    for (offer, expected) in cases {
        let mut request = format!("ws://{addr}/")
            .into_client_request()
            .expect("a request");
        if let Some(offer) = offer {
            request.headers_mut().insert(
                "Sec-WebSocket-Protocol",
                offer.parse().expect("a header value"),
            );
        }
        let outcome = match tokio_tungstenite::connect_async(request).await {
            Ok((_, response)) => Outcome::Connected(
                response
                    .headers()
                    .get("sec-websocket-protocol")
                    .map(|v| v.to_str().expect("text").to_owned()),
            ),
            Err(Error::Protocol(ProtocolError::SecWebSocketSubProtocolError(error))) => {
                Outcome::Refused(error)
            }
            Err(error) => panic!("{offer:?}: {error}"),
        };
        assert_eq!(&outcome, expected, "{offer:?}");
        // The handler saw the offer as the client sent it.
        let seen = offered.lock().expect("not poisoned").pop();
        assert_eq!(seen, Some(offer.map(str::to_owned)), "{offer:?}");
    }
    let _ = stop.send(());
    serving.await.expect("joined").expect("served");
}
