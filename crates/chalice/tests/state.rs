//! Typed app state (`app.state(value)`, `State<T>`) and `chalice::log()`, as a user writes
//! them: in closures and `#[route]` views, sync and async, through the test client and a
//! Lambda event; one instance per app, so parallel tests never see each other's data.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chalice::test::Client;
use chalice::{Chalice, ChaliceError, Json, Request, State, route};
use serde_json::{Value, json};

use common::{runtime, through_lambda};

/// A store, as a user would hand one to the views (a database client in a real app).
#[derive(Default)]
struct Notes(Mutex<BTreeMap<String, String>>);

/// Settings of another type, to show that each type is its own value.
struct Prefix(&'static str);

#[route("/notes/{key}", methods = ["PUT"])]
fn put_note(
    key: String,
    notes: State<Notes>,
    request: &Request,
) -> Result<Json<Value>, ChaliceError> {
    let text = String::from_utf8(request.raw_body().to_vec())?;
    notes.0.lock().expect("notes").insert(key, text);
    Ok(Json(
        json!({"stored": notes.0.lock().expect("notes").len()}),
    ))
}

#[route("/notes/{key}")]
async fn get_note(
    prefix: State<Prefix>,
    key: String,
    notes: State<Notes>,
) -> Result<String, ChaliceError> {
    // Held across an await: a `State` is an owned handle.
    tokio::task::yield_now().await;
    let note = notes.0.lock().expect("notes").get(&key).cloned();
    note.map(|text| format!("{}{text}", prefix.0))
        .ok_or_else(|| ChaliceError::not_found(format!("no note {key}")))
}

#[route("/missing")]
fn missing(_settings: State<u64>) -> &'static str {
    "unreachable"
}

fn app(prefix: &'static str) -> Chalice {
    let mut app = Chalice::new("notes");
    app.state(Notes::default()).state(Prefix(prefix));
    app.register(put_note::route());
    app.register(get_note::route());
    app.register(missing::route());
    // A closure reads the same value through the request.
    app.route(
        "/count",
        |request: &Request| -> Result<String, ChaliceError> {
            let notes = State::<Notes>::from_request(request)?;
            let count = notes.0.lock().expect("notes").len();
            Ok(count.to_string())
        },
    );
    app.route("/count-async", |request: Request| async move {
        let notes = request
            .state::<Notes>()
            .map(|n| n.0.lock().expect("notes").len());
        format!("{notes:?}")
    });
    app
}

#[test]
fn views_share_their_apps_state_and_apps_never_share() {
    let first = Client::new(app("1:"));
    let second = Client::new(app("2:"));
    // (client, method, target, body, status, answer)
    let cases: &[(&Client, &str, &str, &str, u16, &str)] = &[
        (&first, "PUT", "/notes/a", "milk", 200, r#"{"stored":1}"#),
        (
            &first,
            "PUT",
            "/notes/b%20c",
            "eggs",
            200,
            r#"{"stored":2}"#,
        ),
        (&first, "GET", "/notes/b%20c", "", 200, "1:eggs"),
        (&first, "GET", "/count", "", 200, "2"),
        (&first, "GET", "/count-async", "", 200, "Some(2)"),
        // The second app has its own store and its own prefix.
        (&second, "GET", "/count", "", 200, "0"),
        (
            &second,
            "GET",
            "/notes/a",
            "",
            404,
            r#"{"Code":"NotFoundError","Message":"no note a"}"#,
        ),
        (&second, "PUT", "/notes/a", "tea", 200, r#"{"stored":1}"#),
        (&second, "GET", "/notes/a", "", 200, "2:tea"),
        (&first, "GET", "/notes/a", "", 200, "1:milk"),
        // A view asking for state its app was not given: an unhandled error.
        (
            &first,
            "GET",
            "/missing",
            "",
            500,
            r#"{"Code":"InternalServerError","Message":"An internal server error occurred."}"#,
        ),
    ];
    for (client, method, target, body, status, answer) in cases {
        let method = chalice::Method::from_bytes(method.as_bytes()).expect("method");
        let response = client
            .http()
            .request(method.clone(), target)
            .body(body.as_bytes().to_vec())
            .send();
        assert_eq!(
            (response.status_code, &*response.text()),
            (*status, *answer),
            "{method} {target}"
        );
    }
}

#[test]
fn state_reaches_views_on_lambda_too() {
    let app = app("λ:");
    let event = |method: &str, key: &str, body: &str| {
        json!({
            "resource": "/notes/{key}",
            "path": format!("/notes/{key}"),
            "httpMethod": method,
            "headers": {},
            "multiValueHeaders": {},
            "pathParameters": {"key": key},
            "requestContext": {"resourcePath": "/notes/{key}", "httpMethod": method, "stage": "api"},
            "body": body,
            "isBase64Encoded": false,
        })
    };
    let runtime = runtime();
    let put = runtime.block_on(through_lambda(&app, &event("PUT", "k", "v")));
    assert_eq!((put.status, put.json()), (200, json!({"stored": 1})));
    let get = runtime.block_on(through_lambda(&app, &event("GET", "k", "")));
    assert_eq!((get.status, &get.body[..]), (200, "λ:v".as_bytes()));
}

#[test]
fn missing_state_names_the_type_when_debug_is_on() {
    let mut app = app("");
    app.set_debug(true);
    let text = Client::new(app)
        .http()
        .get("/missing")
        .send()
        .text()
        .into_owned();
    assert!(
        text.contains("the app has no state of type u64: give it one with app.state(value)"),
        "{text}"
    );
}

#[test]
fn log_is_never_missing() {
    // Inside a view, the app's logger, also from code the view calls after an await.
    fn helper() -> String {
        chalice::log().name().to_owned()
    }
    let mut app = Chalice::new("log-app");
    app.route("/sync", || {
        chalice::log().info("no unwrap needed");
        helper()
    });
    app.route("/async", || async {
        tokio::task::yield_now().await;
        helper()
    });
    let client = Client::new(app);
    for target in ["/sync", "/async"] {
        assert_eq!(
            client.http().get(target).send().text(),
            "log-app",
            "{target}"
        );
    }
    // Outside a view: the process's default logger, which logs as any logger does.
    let log = chalice::log();
    assert_eq!(log.name(), "chalice");
    assert_eq!(log.level(), chalice::Level::ERROR);
    let lines = Arc::new(Mutex::new(Vec::<u8>::new()));
    let writer = Arc::clone(&lines);
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || Writer(Arc::clone(&writer)))
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        chalice::log().error("outside any view");
    });
    let text = String::from_utf8(lines.lock().expect("lines").clone()).expect("UTF-8");
    assert!(text.contains("outside any view"), "{text}");
    assert!(text.contains("logger=\"chalice\""), "{text}");
}

struct Writer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Writer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lines").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
