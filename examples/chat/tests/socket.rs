//! The chat room over real sockets: the example's binary, as `cargo run -p chat` starts it,
//! and WebSocket clients (tokio-tungstenite) talking to it.

mod common;

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn connect(url: &str) -> Client {
    let (client, answer) = connect_async(url).await.expect("the upgrade succeeds");
    assert_eq!(answer.status(), 101);
    client
}

/// The next text message the client receives, as JSON when it is JSON.
async fn next_text(client: &mut Client) -> Value {
    let next = tokio::time::timeout(Duration::from_secs(10), client.next())
        .await
        .expect("a message within 10 s");
    match next {
        Some(Ok(Message::Text(text))) => {
            serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.to_string()))
        }
        other => panic!("expected a text message, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_crosses_between_two_clients() {
    let served = common::serve();
    assert_eq!(served.websocket_url, format!("ws://{}/", served.addr));
    let mut alice = connect(&served.websocket_url).await;
    let mut bob = connect(&served.websocket_url).await;

    // Everyone in the room gets each message, the sender included, with who sent it.
    alice.send(Message::text("hello bob")).await.expect("send");
    let to_alice = next_text(&mut alice).await;
    let to_bob = next_text(&mut bob).await;
    assert_eq!(to_alice, to_bob);
    assert_eq!(to_bob["text"], "hello bob");
    let alice_id = to_bob["from"].as_str().expect("a sender").to_owned();

    bob.send(Message::text("hi alice")).await.expect("send");
    let to_alice = next_text(&mut alice).await;
    assert_eq!(next_text(&mut bob).await, to_alice);
    assert_eq!(to_alice["text"], "hi alice");
    let bob_id = to_alice["from"].as_str().expect("a sender").to_owned();
    assert_ne!(alice_id, bob_id);

    // Programs besides the app reach the clients through the local @connections.
    let connections = |id: &str| format!("/_chalice/ws/@connections/{id}");
    let (status, _) =
        common::http(served.addr, "POST", &connections(&alice_id), b"from curl").await;
    assert_eq!(status, 200);
    assert_eq!(next_text(&mut alice).await, json!("from curl"));
    let (status, info) = common::http(served.addr, "GET", &connections(&bob_id), b"").await;
    assert_eq!(status, 200, "{info}");
    let info: Value = serde_json::from_str(&info).expect("JSON");
    assert_eq!(info["Identity"]["SourceIp"], "127.0.0.1");

    // Bob leaves: his connection is gone, and the room goes on without him.
    bob.close(None).await.expect("close");
    let gone = async {
        loop {
            let (status, _) = common::http(served.addr, "GET", &connections(&bob_id), b"").await;
            if status == 410 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), gone)
        .await
        .expect("bob's connection is gone within 10 s");
    alice.send(Message::text("anyone?")).await.expect("send");
    assert_eq!(next_text(&mut alice).await["text"], "anyone?");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_opens_its_websocket_on_the_server_that_served_it() {
    let served = common::serve();
    let (status, page) = common::http(served.addr, "GET", "/", b"").await;
    assert_eq!(status, 200);
    // Not deployed, the page is given no URL and connects to where it came from, `/`.
    assert!(page.contains(r#"data-websocket-url="""#), "{page}");
    assert!(page.contains(r#"location.host + "/""#), "{page}");
}
