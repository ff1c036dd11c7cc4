//! WebSocket APIs (issue 13): declarations checked when the app is built, the manifest's
//! WebSocket section, and connections through the test client: `$connect` (and its
//! refusal), messages routed by the selection expression, what the app sends from any
//! handler or view, `$disconnect`, several connections at once.

use std::sync::{Arc, Mutex};

use chalice::test::Client;
use chalice::{
    Blueprint, BlueprintOptions, Chalice, ChaliceError, DefinitionErrorKind, Event, EventNext,
    EventType, Request, SqsEvent, WebsocketError, WebsocketEvent, WebsocketEventType,
    WebsocketMessage, websocket_api,
};
use chalice_core::{WebsocketManifest, WebsocketRouteManifest};
use serde::Deserialize;
use serde_json::{Value, json};

fn join_room(_: WebsocketEvent) {}
fn leave_room(_: WebsocketEvent) {}
fn nightly(_: SqsEvent) {}

/// The messages of an app's definition errors, `[]` when it has none.
fn mistakes(app: &Chalice) -> Vec<String> {
    match app.check() {
        Ok(()) => Vec::new(),
        Err(errors) => errors.errors().iter().map(|e| e.message()).collect(),
    }
}

#[test]
fn declarations_are_checked_when_the_app_is_built() {
    let cases: &[(&str, fn(&mut Chalice), &[&str])] = &[
        (
            "one of each kind, custom routes, a selection expression: fine",
            |app| {
                app.on_ws_connect(|_: WebsocketEvent| {});
                app.on_ws_message(|_: WebsocketEvent| {});
                app.on_ws_disconnect(|_: WebsocketEvent| {});
                app.on_ws_route("join", join_room);
                app.on_ws_route("leave", leave_room);
                app.ws_route_selection_expression("$request.body.type");
            },
            &[],
        ),
        (
            "two connect handlers: Chalice's error",
            |app| {
                app.on_ws_connect(|_: WebsocketEvent| {});
                app.on_ws_connect(|_: WebsocketEvent| {});
            },
            &[
                "Duplicate websocket handler: 'on_ws_connect'. There can only be one handler for each websocket decorator.",
            ],
        ),
        (
            "two message handlers, two disconnect handlers",
            |app| {
                app.on_ws_message(|_: WebsocketEvent| {});
                app.on_ws_disconnect(|_: WebsocketEvent| {});
                app.on_ws_message(|_: WebsocketEvent| {});
                app.on_ws_disconnect(|_: WebsocketEvent| {});
            },
            &[
                "Duplicate websocket handler: 'on_ws_message'. There can only be one handler for each websocket decorator.",
                "Duplicate websocket handler: 'on_ws_disconnect'. There can only be one handler for each websocket decorator.",
            ],
        ),
        (
            "a custom route key twice",
            |app| {
                app.on_ws_route("join", join_room);
                app.on_ws_route("join", leave_room);
            },
            &["Duplicate websocket route key: 'join'. Each route key has one handler."],
        ),
        (
            "a custom key of API Gateway's own form, an empty one",
            |app| {
                app.on_ws_route("$join", join_room);
                app.on_ws_route("", leave_room);
            },
            &[
                "Invalid websocket route key \"$join\": keys starting with '$' are API Gateway's own: use on_ws_connect, on_ws_message or on_ws_disconnect for $connect, $default and $disconnect",
                "Invalid websocket route key \"\": it is empty",
            ],
        ),
        (
            "a closure on a custom route has no name to give its function",
            |app| {
                app.on_ws_route("join", |_: WebsocketEvent| {});
            },
            &[
                "The on_ws_route handler is a closure, which has no name to give its Lambda function: name it with .name(\"...\")",
            ],
        ),
        (
            "a handler named like another function of the app",
            |app| {
                app.on_sqs_message("jobs", nightly);
                app.on_ws_route("join", join_room).name("nightly");
                app.lambda_function(|_: Value| ()).name("websocket_connect");
                app.on_ws_connect(|_: WebsocketEvent| {});
            },
            &[
                "Duplicate function name detected: nightly\nNames must be unique across all lambda functions in your Chalice app.",
                "Duplicate function name detected: websocket_connect\nNames must be unique across all lambda functions in your Chalice app.",
            ],
        ),
        (
            "a selection expression that does not read the message",
            |app| {
                app.ws_route_selection_expression("$request.header.action");
            },
            &[
                "Invalid websocket route selection expression \"$request.header.action\": a route selection expression reads the message's JSON: $request.body.<key>, such as $request.body.action",
            ],
        ),
    ];
    for (case, declare, expected) in cases {
        let mut app = Chalice::new("app");
        declare(&mut app);
        assert_eq!(mistakes(&app), *expected, "{case}");
    }
}

#[test]
fn a_duplicate_is_reported_where_it_was_declared() {
    let mut app = Chalice::new("app");
    app.on_ws_message(|_: WebsocketEvent| {});
    let line = line!() + 1;
    app.on_ws_message(|_: WebsocketEvent| {});
    let errors = app.check().expect_err("a duplicate");
    let error = &errors.errors()[0];
    assert!(matches!(
        error.kind(),
        DefinitionErrorKind::DuplicateWebsocketHandler {
            decorator: "on_ws_message",
            ..
        }
    ));
    assert_eq!(error.location().file(), file!());
    assert_eq!(error.location().line(), line);
}

#[test]
fn the_manifest_lists_each_route_and_its_handler() {
    let mut bp = Blueprint::new("rooms");
    bp.on_ws_route("join", join_room);
    bp.on_ws_disconnect(|_: WebsocketEvent| {});
    let mut app = Chalice::new("chat");
    app.on_ws_connect(|_: WebsocketEvent| {});
    app.on_ws_message(|_: WebsocketEvent| {});
    app.register_blueprint(&bp, BlueprintOptions::new().name_prefix("rooms_"));
    assert_eq!(mistakes(&app), Vec::<String>::new());
    let manifest = app.manifest();
    let mut expected = WebsocketManifest::default();
    expected.routes = vec![
        WebsocketRouteManifest::new("$connect", "websocket_connect"),
        WebsocketRouteManifest::new("$default", "websocket_message"),
        // A blueprint's custom handler takes the prefix; the built-in names are Chalice's.
        WebsocketRouteManifest::new("join", "rooms_join_room"),
        WebsocketRouteManifest::new("$disconnect", "websocket_disconnect"),
    ];
    assert_eq!(manifest.websocket, Some(expected));
    let names: Vec<&str> = manifest.handler_names().collect();
    assert_eq!(
        names,
        [
            "websocket_connect",
            "websocket_message",
            "rooms_join_room",
            "websocket_disconnect"
        ]
    );
    assert_eq!(Chalice::new("plain").manifest().websocket, None);
}

/// A chat room: `$connect` needs a name, messages are broadcast, `join` and `whoami` are
/// custom routes, an HTTP view and an SQS handler post to the room, `$disconnect` leaves.
fn chat(log: &Arc<Mutex<Vec<String>>>) -> Chalice {
    #[derive(Default)]
    struct Room(Mutex<Vec<String>>);
    let room = Arc::new(Room::default());
    let mut app = Chalice::new("chat");

    let (r, l) = (Arc::clone(&room), Arc::clone(log));
    app.on_ws_connect(move |event: WebsocketEvent| -> Result<(), ChaliceError> {
        let name = event.query_params.as_ref().and_then(|q| q.get("name"));
        let Some(name) = name else {
            return Err(ChaliceError::forbidden("say who you are: ?name=..."));
        };
        if name == "crash" {
            return Err(ChaliceError::unhandled(std::io::Error::other(
                "the room's database is down",
            )));
        }
        l.lock()
            .expect("not poisoned")
            .push(format!("connect {name}"));
        r.0.lock().expect("not poisoned").push(event.connection_id);
        Ok(())
    });

    let r = Arc::clone(&room);
    app.on_ws_message(move |event: WebsocketEvent| {
        let r = Arc::clone(&r);
        async move {
            let api = websocket_api();
            let ids = r.0.lock().expect("not poisoned").clone();
            for id in ids {
                api.send(&id, event.body.clone()).await?;
            }
            Ok::<(), ChaliceError>(())
        }
    });

    #[derive(Deserialize)]
    struct Join {
        room: String,
    }
    app.on_ws_route("join", |event: WebsocketEvent| async move {
        let join: Join = event.json_body()?;
        websocket_api()
            .send(&event.connection_id, format!("joined {}", join.room))
            .await?;
        Ok::<(), ChaliceError>(())
    })
    .name("join_room");

    app.on_ws_route("whoami", |event: WebsocketEvent| async move {
        let api = websocket_api();
        let info = api.info(&event.connection_id).await?;
        let answer = json!({
            "route": event.route_key,
            "type": event.event_type.as_str(),
            "stage": event.stage,
            "endpoint": api.endpoint(),
            "source_ip": info.source_ip,
            "function": event.context.function_name,
        });
        api.send(&event.connection_id, answer.to_string()).await?;
        Ok::<(), ChaliceError>(())
    })
    .name("whoami");

    app.on_ws_route("kick", |event: WebsocketEvent| async move {
        websocket_api().close(&event.connection_id).await?;
        Ok::<(), ChaliceError>(())
    })
    .name("kick");

    let (r, l) = (Arc::clone(&room), Arc::clone(log));
    app.on_ws_disconnect(move |event: WebsocketEvent| {
        let status = &event.request_context["disconnectStatusCode"];
        l.lock()
            .expect("not poisoned")
            .push(format!("disconnect {status}"));
        r.0.lock()
            .expect("not poisoned")
            .retain(|id| *id != event.connection_id);
    });

    // Sending from outside WebSocket handlers (aws/chalice#1991).
    let r = Arc::clone(&room);
    app.route("/announce", move |request: Request| {
        let text = request.query_param("text").unwrap_or_default().to_owned();
        let ids = r.0.lock().expect("not poisoned").clone();
        async move {
            let api = websocket_api();
            for id in &ids {
                api.send(id, text.as_str()).await?;
            }
            Ok::<_, ChaliceError>(format!("sent to {}", ids.len()))
        }
    });
    let r = Arc::clone(&room);
    app.on_sqs_message("announcements", move |event: SqsEvent| {
        let ids = r.0.lock().expect("not poisoned").clone();
        async move {
            let api = websocket_api();
            for record in &event.records {
                for id in &ids {
                    api.send(id, record.body.as_str()).await?;
                }
            }
            Ok::<(), ChaliceError>(())
        }
    })
    .name("announcer");
    app
}

fn text(message: &str) -> WebsocketMessage {
    WebsocketMessage::from(message)
}

#[test]
fn connect_refusals_are_visible_and_hide_unhandled_errors() {
    let log = Arc::default();
    let client = Client::new(chat(&log));
    let refused = client.websocket().connect().send().expect_err("no name");
    assert_eq!(refused.status_code(), 403);
    assert_eq!(
        refused.body(),
        r#"{"Code":"ForbiddenError","Message":"say who you are: ?name=..."}"#
    );
    let crashed = client
        .websocket()
        .connect()
        .query("name", "crash")
        .send()
        .expect_err("a failing handler");
    assert_eq!(crashed.status_code(), 500);
    assert_eq!(
        crashed.body(),
        r#"{"Code":"InternalServerError","Message":"An internal server error occurred."}"#
    );
    assert_eq!(
        crashed.error().map(ChaliceError::report).as_deref(),
        Some("the room's database is down")
    );
    assert!(log.lock().expect("not poisoned").is_empty());

    // With debug on, the body says why.
    let mut app = chat(&log);
    app.set_debug(true);
    let client = Client::new(app);
    let crashed = client
        .websocket()
        .connect()
        .query("name", "crash")
        .send()
        .expect_err("a failing handler");
    assert_eq!(crashed.status_code(), 500);
    assert!(
        String::from_utf8_lossy(crashed.body()).starts_with("the room's database is down"),
        "{crashed}"
    );
}

#[test]
fn messages_take_the_route_the_selection_expression_picks() {
    let log = Arc::default();
    let client = Client::new(chat(&log));
    let mut ws = client
        .websocket()
        .connect()
        .query("name", "ann")
        .send()
        .expect("accepted");
    // (message, route taken, what the connection receives)
    let cases: &[(&str, Option<&str>, &[&str])] = &[
        (
            r#"{"action": "join", "room": "lobby"}"#,
            Some("join"),
            &["joined lobby"],
        ),
        ("hello", Some("$default"), &["hello"]),
        (
            r#"{"action": "dance"}"#,
            Some("$default"),
            &[r#"{"action": "dance"}"#],
        ),
        (
            r#"{"action": ["join"]}"#,
            Some("$default"),
            &[r#"{"action": ["join"]}"#],
        ),
    ];
    for (message, route, received) in cases {
        let response = ws.message(*message).send();
        assert_eq!(response.route_key.as_deref(), *route, "{message}");
        assert!(response.is_success(), "{message}");
        let got: Vec<WebsocketMessage> = ws.received();
        let expected: Vec<WebsocketMessage> = received.iter().map(|m| text(m)).collect();
        assert_eq!(got, expected, "{message}");
    }

    // A bad message: the handler's 400, and nothing sent.
    let response = ws.message(r#"{"action": "join"}"#).send();
    assert_eq!(response.status_code(), Some(400));
    assert!(
        response.error().is_some_and(|e| e
            .message()
            .starts_with("Error Parsing JSON: missing field `room`")),
        "{:?}",
        response.error()
    );
    assert_eq!(ws.received(), []);

    // Binary messages stay binary.
    ws.message(vec![0u8, 159, 146, 150]).send();
    assert_eq!(
        ws.receive(),
        Some(WebsocketMessage::from(vec![0u8, 159, 146, 150]))
    );
}

#[test]
fn without_a_default_route_api_gateway_answers_forbidden() {
    let mut app = Chalice::new("app");
    app.on_ws_route("join", join_room);
    app.ws_route_selection_expression("${request.body.kind}");
    let client = Client::new(app);
    let mut ws = client
        .websocket()
        .connect()
        .send()
        .expect("no $connect: accepted");
    assert_eq!(
        ws.message(r#"{"kind": "join"}"#)
            .send()
            .route_key
            .as_deref(),
        Some("join")
    );
    let response = ws.message(r#"{"action": "join"}"#).send();
    assert_eq!(response.route_key, None);
    assert_eq!(response.status_code(), None);
    let frame: Value = match ws.receive() {
        Some(WebsocketMessage::Text(frame)) => serde_json::from_str(&frame).expect("JSON"),
        other => panic!("expected API Gateway's answer, got {other:?}"),
    };
    assert_eq!(frame["message"], "Forbidden");
    assert_eq!(frame["connectionId"], ws.connection_id());
}

#[test]
fn the_app_reaches_connections_from_any_handler_or_view() {
    let log = Arc::default();
    let client = Client::new(chat(&log));
    let mut sockets: Vec<_> = ["ann", "bob", "cid"]
        .iter()
        .map(|name| {
            client
                .websocket()
                .connect()
                .query("name", name)
                .send()
                .expect("accepted")
        })
        .collect();

    // A broadcast from a message handler reaches each connection.
    sockets[0].message("hi all").send();
    for ws in &mut sockets {
        assert_eq!(ws.received(), [text("hi all")], "{}", ws.connection_id());
    }
    // From an HTTP view.
    let response = client
        .http()
        .get("/announce")
        .query("text", "server restarts at noon")
        .send();
    assert_eq!(response.text(), "sent to 3");
    // From an SQS handler.
    let event = client.events().sqs("announcements", ["maintenance done"]);
    client
        .lambda_()
        .invoke("announcer", &event)
        .send()
        .expect("sent");
    for ws in &mut sockets {
        assert_eq!(
            ws.received(),
            [text("server restarts at noon"), text("maintenance done")]
        );
    }

    // One leaves: $disconnect runs, and the others no longer get its messages.
    let bob = sockets.remove(1);
    let answer = bob.close().send().expect("open until now");
    assert!(answer.is_success());
    sockets[0].message("bye bob").send();
    assert_eq!(sockets[1].received(), [text("bye bob")]);
    assert_eq!(
        log.lock().expect("not poisoned").as_slice(),
        [
            "connect ann",
            "connect bob",
            "connect cid",
            "disconnect 1000"
        ]
    );
}

#[test]
fn sending_to_a_gone_connection_is_websocket_disconnected() {
    let mut app = Chalice::new("app");
    app.route("/send", |request: Request| {
        let id = request.query_param("id").unwrap_or_default().to_owned();
        async move {
            match websocket_api().send(&id, "x").await {
                Ok(()) => "sent".to_owned(),
                Err(WebsocketError::Disconnected(gone)) => format!("gone: {}", gone.connection_id),
                Err(other) => format!("failed: {other}"),
            }
        }
    });
    let client = Client::new(app);
    let ws = client.websocket().connect().send().expect("accepted");
    let id = ws.connection_id().to_owned();
    let send = || {
        client
            .http()
            .get("/send")
            .query("id", &id)
            .send()
            .text()
            .into_owned()
    };
    assert_eq!(send(), "sent");
    assert!(ws.close().send().is_some());
    assert_eq!(send(), format!("gone: {id}"));
    assert_eq!(
        client
            .http()
            .get("/send")
            .query("id", "nobody=")
            .send()
            .text(),
        "gone: nobody="
    );
}

#[test]
fn handlers_see_the_event_and_can_close_connections() {
    let log = Arc::default();
    let client = Client::new(chat(&log));
    let mut ws = client
        .websocket()
        .connect()
        .query("name", "ann")
        .send()
        .expect("accepted");
    ws.message(r#"{"action": "whoami"}"#).send();
    let Some(WebsocketMessage::Text(answer)) = ws.receive() else {
        panic!("whoami answers");
    };
    let answer: Value = serde_json::from_str(&answer).expect("JSON");
    assert_eq!(
        answer,
        json!({
            "route": "whoami",
            "type": "MESSAGE",
            "stage": "api",
            "endpoint": "https://localhost/api",
            "source_ip": "127.0.0.1",
            "function": "chat-dev-whoami",
        })
    );

    // The app closes the connection: $disconnect runs, and the test sees it closed.
    assert!(ws.is_open());
    assert!(ws.message(r#"{"action": "kick"}"#).send().is_success());
    assert!(!ws.is_open());
    assert_eq!(
        log.lock().expect("not poisoned").as_slice(),
        ["connect ann", "disconnect 1000"]
    );
    assert!(ws.close().send().is_none(), "closed by the app already");
}

#[test]
fn event_middleware_sees_websocket_events() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut app = Chalice::new("app");
    app.on_ws_message(|_: WebsocketEvent| {});
    let s = Arc::clone(&seen);
    app.event_middleware(
        EventType::Websocket,
        move |event: Event, next: EventNext| {
            let s = Arc::clone(&s);
            async move {
                if let Event::Websocket(ws) = &event {
                    s.lock()
                        .expect("not poisoned")
                        .push(format!("{} {}", ws.event_type, ws.route_key));
                    if ws.body_text() == Some("forbidden") {
                        return Err(ChaliceError::forbidden("not that word"));
                    }
                }
                next.run(event).await
            }
        },
    );
    let client = Client::new(app);
    let ws = client.websocket().connect().send().expect("accepted");
    assert!(ws.message("hello").send().is_success());
    assert_eq!(ws.message("forbidden").send().status_code(), Some(403));
    ws.close().send();
    assert_eq!(
        seen.lock().expect("not poisoned").as_slice(),
        ["MESSAGE $default", "MESSAGE $default"],
        "no handler for $connect and $disconnect: nothing runs, as on API Gateway"
    );
    assert_eq!(WebsocketEventType::Connect.as_str(), "CONNECT");
}

#[tokio::test]
async fn async_tests_await_the_same_calls() {
    let log = Arc::default();
    let client = Client::new(chat(&log));
    let mut ws = client
        .websocket()
        .connect()
        .query("name", "ann")
        .await
        .expect("accepted");
    ws.message("hi").await;
    assert_eq!(ws.receive(), Some(text("hi")));
    assert!(ws.close().await.is_some());
}

#[test]
fn outside_the_app_websocket_api_says_so() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let error = runtime
        .block_on(websocket_api().send("abc=", "hi"))
        .expect_err("no backend");
    assert!(matches!(error, WebsocketError::NoBackend));
    assert!(error.to_string().starts_with(
        "websocket_api() was called outside the app: no local server, test client or Lambda runtime runs this code"
    ));
}
