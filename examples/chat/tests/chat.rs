//! The chat room in-process, through the test client: no socket, the same handlers.

use std::collections::BTreeSet;
use std::sync::Arc;

use chalice::WebsocketMessage;
use chalice::test::Client;
use chat::{Room, app, app_with_room};
use serde_json::json;

/// What everyone in the room receives when `from` says `text`.
fn line(from: &str, text: &str) -> WebsocketMessage {
    WebsocketMessage::from(json!({"from": from, "text": text}).to_string())
}

#[test]
fn everyone_in_the_room_hears_each_message_until_they_leave() {
    let room = Arc::new(Room::default());
    let client = Client::new(app_with_room(Arc::clone(&room)));
    let mut alice = client.websocket().connect().send().expect("alice joins");
    let mut bob = client.websocket().connect().send().expect("bob joins");
    let (a, b) = (
        alice.connection_id().to_owned(),
        bob.connection_id().to_owned(),
    );
    let members: BTreeSet<String> = room.list().into_iter().collect();
    assert_eq!(members, BTreeSet::from([a.clone(), b.clone()]));

    // (who speaks, what) → everyone in the room receives it, the speaker included.
    let said = [(&a, "hello bob"), (&b, "hi alice"), (&a, "how are you?")];
    for (who, text) in said {
        let speaker = if *who == a { &alice } else { &bob };
        let answer = speaker.message(text).send();
        assert!(answer.is_success(), "{who}: {text}: {answer:?}");
    }
    let expected: Vec<WebsocketMessage> = said.iter().map(|(who, text)| line(who, text)).collect();
    assert_eq!(alice.received(), expected);
    assert_eq!(bob.received(), expected);

    // Binary is refused with a 400 (the client gets API Gateway's message), and goes nowhere.
    let answer = bob.message(vec![0xff, 0x00]).send();
    assert_eq!(answer.status_code(), Some(400));
    assert_eq!(alice.received(), Vec::<WebsocketMessage>::new());

    // Bob leaves: the room forgets him, and goes on.
    bob.close().send();
    assert_eq!(room.list(), vec![a.clone()]);
    assert!(alice.message("anyone?").send().is_success());
    assert_eq!(alice.received(), vec![line(&a, "anyone?")]);
}

#[test]
fn the_page_connects_to_where_it_came_from() {
    let client = Client::new(app());
    let page = client.http().get("/").send();
    assert_eq!(page.status_code, 200);
    assert_eq!(
        page.headers.get("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = page.text();
    assert!(html.contains(r#"data-websocket-url="""#), "{html}");
    assert!(html.contains("new WebSocket(url)"), "{html}");
}
