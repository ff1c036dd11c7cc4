//! Each function's environment variables under `chalice local`: the server's process has
//! the API handler's, and `chalice local` passes what each other function's
//! `lambda_functions` entry changes in `CHALICE_FUNCTION_ENV_VARS`. Schedules (run once on
//! demand, with an empty `POST /_chalice/invoke/NAME`, and so without waiting for their
//! time), event handlers and WebSocket handlers must each see their own, as deployed.

mod support;

use std::sync::Arc;

use chalice_core::adapter::Gateway;
use chalice_core::{
    Chalice, CloudWatchEvent, Rate, SqsEvent, WebsocketEvent, env_var, websocket_api,
};
use chalice_local::Server;
use futures_util::{SinkExt as _, StreamExt as _};
use tokio_tungstenite::tungstenite::Message;

use support::{ChildServer, http, say};

/// What a handler reports: `TABLE` and `API_ONLY` as it sees them (`-` for unset).
fn seen() -> String {
    let var = |key| env_var(key).unwrap_or_else(|| "-".to_owned());
    format!("TABLE={} API_ONLY={}", var("TABLE"), var("API_ONLY"))
}

/// Not a test of its own: the server the test below starts as a child process. Each
/// handler prints `NAME TABLE=... API_ONLY=...`; the API's `/env` answers it.
#[test]
#[ignore = "the child process of the test here, which runs it itself"]
fn child_server() {
    if !support::is_child() {
        return;
    }
    let mut app = Chalice::new("jobs");
    app.route("/env", seen);
    app.schedule(Rate::hours(1), |event: CloudWatchEvent| {
        say(&format!("nightly {} {}", seen(), event.detail_type));
    })
    .name("nightly");
    app.on_sqs_message("q", |_: SqsEvent| say(&format!("worker {}", seen())))
        .name("worker");
    app.on_ws_connect(|_: WebsocketEvent| say(&format!("websocket_connect {}", seen())));
    app.on_ws_message(|event: WebsocketEvent| async move {
        say(&format!("websocket_message {}", seen()));
        websocket_api().send(&event.connection_id, "done").await
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let server = Server::bind(
            "127.0.0.1:0".parse().expect("an address"),
            Gateway::new(Arc::new(app)),
        )
        .await
        .expect("bind");
        say(&format!(
            "listening {}",
            server.local_addr().expect("an address")
        ));
        let _ = server.serve().await;
    });
}

#[test]
fn each_function_runs_with_its_own_variables() {
    // As `chalice local` starts the app: the API handler's variables in the process, each
    // other function's changes beside them.
    let (mut server, addr) = ChildServer::start(&[
        ("TABLE", "api-table"),
        ("API_ONLY", "1"),
        (
            "CHALICE_FUNCTION_ENV_VARS",
            r#"{"nightly": {"TABLE": "nightly-table", "API_ONLY": null},
                "websocket_message": {"TABLE": "ws-table"}}"#,
        ),
    ]);
    let sqs = r#"{"Records": [{"messageId": "m1", "receiptHandle": "h", "body": "x"}]}"#;
    // (request, its answer, the line its handler printed)
    let cases: &[(&str, &str, &str, (u16, &str), Option<&str>)] = &[
        ("GET", "/env", "", (200, "TABLE=api-table API_ONLY=1"), None),
        // An empty POST runs the schedule now, with the event EventBridge sends.
        (
            "POST",
            "/_chalice/invoke/nightly",
            "",
            (200, "null"),
            Some("nightly TABLE=nightly-table API_ONLY=- Scheduled Event"),
        ),
        // No entry of its own: the API handler's variables are the stage's too.
        (
            "POST",
            "/_chalice/invoke/worker",
            sqs,
            (200, "null"),
            Some("worker TABLE=api-table API_ONLY=1"),
        ),
    ];
    for (method, path, body, answer, line) in cases {
        let (status, got) = http(addr, method, path, body);
        assert_eq!((status, got.as_str()), *answer, "{method} {path}");
        if let Some(line) = line {
            let name = line.split(' ').next().expect("a name");
            let rest = server.next_line(&format!("{name} "));
            assert_eq!(format!("{name} {rest}"), *line, "{method} {path}");
        }
    }

    // WebSocket handlers: $connect has no entry, $default has its own.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let (mut client, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/"))
            .await
            .expect("the upgrade succeeds");
        client.send(Message::text("hi")).await.expect("send");
        let answer = client.next().await.expect("an answer").expect("a message");
        assert_eq!(answer, Message::text("done"));
    });
    assert_eq!(
        server.next_line("websocket_connect "),
        "TABLE=api-table API_ONLY=1"
    );
    assert_eq!(
        server.next_line("websocket_message "),
        "TABLE=ws-table API_ONLY=1"
    );
}
