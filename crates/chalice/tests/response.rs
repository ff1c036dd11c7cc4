//! SPEC §3 and §4: what views return, and how errors and panics answer.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chalice::test::{Client, TestResponse};
use chalice::{Bytes, Chalice, ChaliceError, ErrorKind, Json, Response, Route};
use serde_json::json;

fn get(app: Chalice, path: &str) -> TestResponse {
    Client::new(app)
        .http()
        .get(path)
        .header("Accept", "*/*")
        .send()
}

fn answer(status: u16, content_type: &str, body: &str) -> (u16, String, String) {
    (status, content_type.to_owned(), body.to_owned())
}

fn seen(response: &TestResponse) -> (u16, String, String) {
    let content_type = response
        .headers
        .get("content-type")
        .unwrap_or("<none>")
        .to_owned();
    (
        response.status_code,
        content_type,
        response.text().into_owned(),
    )
}

#[test]
fn every_return_type() {
    let mut app = Chalice::new("returns");
    app.route("/value", || json!({"b": 1, "a": [true, null]}));
    app.route("/json", || Json(BTreeMap::from([("k", 1)])));
    app.route("/str", || "plain text");
    app.route("/string", || String::from("owned"));
    app.route("/bytes", || vec![1u8, 2, 3]);
    app.route("/bytes-shared", || Bytes::from_static(b"shared"));
    app.route("/unit", || ());
    app.route("/none", || None::<Json<u8>>);
    app.route("/some", || Some("here"));
    app.route("/ok", || Ok::<_, ChaliceError>(Json(5)));
    app.route("/response", || {
        Response::new("teapot")
            .status_code(418)
            .header("X-Tea", "earl grey")
    });
    app.route("/async", || async { Json(json!({"async": true})) });
    app.route("/created", || {
        Response::json(&json!({"id": 1})).status_code(201)
    });
    let client = Client::new(app);
    let cases: &[(&str, (u16, String, String))] = &[
        (
            "/value",
            answer(200, "application/json", r#"{"b":1,"a":[true,null]}"#),
        ),
        ("/json", answer(200, "application/json", r#"{"k":1}"#)),
        ("/str", answer(200, "application/json", "plain text")),
        ("/string", answer(200, "application/json", "owned")),
        (
            "/bytes",
            answer(200, "application/octet-stream", "\u{1}\u{2}\u{3}"),
        ),
        (
            "/bytes-shared",
            answer(200, "application/octet-stream", "shared"),
        ),
        ("/unit", answer(200, "application/json", "null")),
        ("/none", answer(200, "application/json", "null")),
        ("/some", answer(200, "application/json", "here")),
        ("/ok", answer(200, "application/json", "5")),
        ("/response", answer(418, "application/json", "teapot")),
        (
            "/async",
            answer(200, "application/json", r#"{"async":true}"#),
        ),
        ("/created", answer(201, "application/json", r#"{"id":1}"#)),
    ];
    for (path, expected) in cases {
        let response = client
            .http()
            .get(path)
            .header("Accept", "application/octet-stream")
            .send();
        assert_eq!(&seen(&response), expected, "{path}");
    }
    let response = client.http().get("/response").send();
    assert_eq!(response.headers.get("x-tea"), Some("earl grey"));
}

#[test]
fn multi_valued_headers_are_sent() {
    let mut app = Chalice::new("headers");
    app.route("/cookies", || {
        Response::new("")
            .append_header("Set-Cookie", "a=1")
            .append_header("Set-Cookie", "b=2")
            .header("X-One", "1")
    });
    let response = get(app, "/cookies");
    assert_eq!(
        response.headers.get_all("set-cookie").collect::<Vec<_>>(),
        ["a=1", "b=2"]
    );
    assert_eq!(response.headers.get("x-one"), Some("1"));
}

#[test]
fn header_values_with_newlines_are_refused_single_or_multi() {
    let mut app = Chalice::new("inject");
    app.route("/single", || {
        Response::new("x").header("X-Bad", "a\nInjected: 1")
    });
    app.route("/multi", || {
        Response::new("x")
            .append_header("Set-Cookie", "ok=1")
            .append_header("Set-Cookie", "b=2\r\nInjected: 1")
    });
    app.route("/name", || Response::new("x").header("Bad Name", "v"));
    let client = Client::new(app);
    for path in ["/single", "/multi", "/name"] {
        let response = client.http().get(path).send();
        assert_eq!(response.status_code, 500, "{path}");
        assert_eq!(
            response.json(),
            json!({"Code": "InternalServerError", "Message": "An internal server error occurred."})
        );
        assert!(response.headers.get("injected").is_none());
        assert!(
            response.headers.get("set-cookie").is_none(),
            "{path}: nothing of the bad response is sent"
        );
    }
}

#[test]
fn the_nine_errors_and_chalice_view_error() {
    let mut app = Chalice::new("errors");
    for kind in ErrorKind::ALL {
        app.register(Route::new(format!("/{}", kind.code()), move || {
            Err::<String, _>(ChaliceError::new(kind, "why"))
        }));
    }
    let client = Client::new(app);
    let table = [
        ("ChaliceViewError", 500),
        ("BadRequestError", 400),
        ("UnauthorizedError", 401),
        ("ForbiddenError", 403),
        ("NotFoundError", 404),
        ("MethodNotAllowedError", 405),
        ("RequestTimeoutError", 408),
        ("ConflictError", 409),
        ("UnprocessableEntityError", 422),
        ("TooManyRequestsError", 429),
    ];
    assert_eq!(table.len(), ErrorKind::ALL.len());
    for (code, status) in table {
        let response = client.http().get(&format!("/{code}")).send();
        assert_eq!(response.status_code, status, "{code}");
        assert_eq!(
            response.text(),
            format!(r#"{{"Code":"{code}","Message":"why"}}"#)
        );
        assert_eq!(
            response.headers.get("content-type"),
            Some("application/json")
        );
    }
}

/// Captures what the app logs while `f` runs.
fn logs_of<T>(f: impl FnOnce() -> T) -> (T, String) {
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("buffer").extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let result = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8_lossy(&buffer.0.lock().expect("buffer")).into_owned();
    (result, text)
}

fn failing_app(debug: bool) -> Chalice {
    let mut app = Chalice::new("failing");
    app.set_debug(debug);
    app.route("/io/{x}", || -> Result<String, ChaliceError> {
        Ok(std::fs::read_to_string("/nonexistent/chalice/file")?)
    });
    app.route("/panic", || -> String { panic!("the view fell over") });
    app.route("/async-panic", || async {
        tokio::task::yield_now().await;
        if true {
            panic!("async view fell over");
        }
        "unreachable"
    });
    let mut bad_keys: BTreeMap<Vec<u8>, u8> = BTreeMap::new();
    bad_keys.insert(vec![1], 1);
    app.route("/unserializable", move || Json(bad_keys.clone()));
    app.route("/status", || Response::new("x").status_code(1000));
    app
}

#[test]
fn unhandled_errors_are_a_plain_500_and_logged_with_the_path() {
    let client = Client::new(failing_app(false));
    for (target, path, cause) in [
        ("/io/1", "/io/{x}", "No such file or directory"),
        ("/panic", "/panic", "the view fell over"),
        ("/async-panic", "/async-panic", "async view fell over"),
        ("/unserializable", "/unserializable", "key must be a string"),
        ("/status", "/status", "Invalid status code 1000"),
    ] {
        let (response, logs) = logs_of(|| client.http().get(target).send());
        assert_eq!(response.status_code, 500, "{target}");
        assert_eq!(
            response.json(),
            json!({"Code": "InternalServerError", "Message": "An internal server error occurred."})
        );
        assert!(
            logs.contains(&format!("Caught exception for path {path}")),
            "{target}: {logs}"
        );
        assert!(logs.contains(cause), "{target}: {logs}");
        assert!(
            !response.text().contains(cause),
            "{target}: the cause is not leaked"
        );
    }
    // The process, and the client, keep serving after panics.
    assert_eq!(client.http().get("/io/2").send().status_code, 500);
}

#[test]
fn debug_shows_the_error_and_backtrace_as_text() {
    let client = Client::new(failing_app(true));
    for (target, cause) in [
        ("/io/1", "No such file or directory"),
        ("/panic", "the view fell over"),
        ("/async-panic", "async view fell over"),
    ] {
        let response = client.http().get(target).send();
        assert_eq!(response.status_code, 500);
        assert_eq!(response.headers.get("content-type"), Some("text/plain"));
        let text = response.text();
        assert!(text.contains(cause), "{target}: {text}");
        assert!(text.contains("Backtrace:"), "{target}: {text}");
    }
    let text = client.http().get("/panic").send().text().into_owned();
    assert!(
        text.starts_with("panicked at crates/chalice/tests/response.rs:"),
        "{text}"
    );
}

#[test]
fn app_log_is_named_after_the_app_and_filtered_by_debug() {
    for (debug, expect_info) in [(false, false), (true, true)] {
        let mut app = Chalice::new("logger-app");
        app.set_debug(debug);
        app.route("/", || {
            let log = chalice::log();
            log.info("an info line");
            log.error("an error line");
            "ok"
        });
        let client = Client::new(app);
        let (_, logs) = logs_of(|| client.http().get("/").send());
        assert!(logs.contains("an error line"), "{logs}");
        assert!(
            logs.contains("logger=\"logger-app\"") || logs.contains("logger=logger-app"),
            "{logs}"
        );
        assert_eq!(
            logs.contains("an info line"),
            expect_info,
            "debug={debug}: {logs}"
        );
    }
}
