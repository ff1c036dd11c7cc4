//! Issue 10, item 6: the test client tells why a request failed. An unhandled error or a
//! panic is printed (error, causes, panic location) to the test's output, which libtest
//! captures and shows for a failing test, and the response holds it
//! (`TestResponse::unhandled_error`).
//!
//! What a test prints is only visible from outside it: each case runs one test of this very
//! binary again, as a child process, and reads what libtest shows.

use std::fmt;
use std::process::Command;

use chalice::test::Client;
use chalice::{Chalice, ChaliceError, EventType, Next, Request, Response};

#[derive(Debug)]
struct SaveFailed(std::io::Error);

impl fmt::Display for SaveFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("could not save the note")
    }
}

impl std::error::Error for SaveFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

fn app() -> Chalice {
    let mut app = Chalice::new("errors");
    app.route("/save", || -> Result<String, ChaliceError> {
        Err(SaveFailed(std::io::Error::other("disk full")))?
    });
    app.route("/panic", || -> String { panic!("the kettle is empty") });
    app.route("/missing", || -> Result<String, ChaliceError> {
        Err(ChaliceError::not_found("no note 7"))
    });
    app.route("/ok", || "fine");
    app.error_handler(|_: &std::num::ParseIntError| Response::new("not a number").status_code(400));
    app.route("/handled", || -> Result<String, ChaliceError> {
        Ok("many".parse::<u8>()?.to_string())
    });
    app
}

/// What the response holds, per request: (path, status, the unhandled error's report).
#[test]
fn the_response_holds_the_unhandled_error() {
    let client = Client::new(app());
    let cases: [(&str, u16, Option<&str>); 5] = [
        ("/handled", 400, None),
        (
            "/save",
            500,
            Some("could not save the note\n\nCaused by:\n    disk full"),
        ),
        ("/missing", 404, None),
        ("/ok", 200, None),
        ("/panic", 500, Some("<panic>")),
    ];
    for (path, status, report) in cases {
        let response = client.http().get(path).send();
        assert_eq!(response.status_code, status, "{path}");
        let got = response.unhandled_error().map(ChaliceError::report);
        match (report, got) {
            (Some("<panic>"), Some(got)) => {
                // The location is this file's, wherever the test runs from.
                let location = "panicked at crates/chalice/tests/test_client_errors.rs:";
                assert!(got.starts_with(location), "{got}");
                assert!(got.ends_with(": the kettle is empty"), "{got}");
            }
            (expected, got) => assert_eq!(got.as_deref(), expected, "{path}"),
        }
    }
}

#[test]
fn a_middleware_sees_the_error_the_client_reports() {
    let mut app = app();
    app.middleware(EventType::Http, |request: Request, next: Next| async move {
        let mut response = next.run(request).await;
        if response.unhandled_error().is_some() {
            response.headers.insert("x-incident", "1");
        }
        response
    });
    let client = Client::new(app);
    let response = client.http().get("/save").send();
    assert_eq!(response.headers.get("x-incident"), Some("1"));
    assert!(response.unhandled_error().is_some());
}

/// Run by the parent test below, in a child process only (`CHALICE_CHILD` names the case).
#[test]
fn child_sends_requests() {
    let Ok(case) = std::env::var("CHALICE_CHILD") else {
        return;
    };
    let client = Client::new(app());
    let response = client.http().get(&case).send();
    assert_eq!(response.status_code, 200, "the child test fails on purpose");
}

#[test]
fn unhandled_errors_are_printed_to_the_tests_output() {
    let save = "chalice test client: GET /save answered 500 for an unhandled error:\n    \
                could not save the note\n\n    Caused by:\n        disk full\n";
    let panic = "chalice test client: GET /panic answered 500 for an unhandled error:\n    \
                 panicked at crates/chalice/tests/test_client_errors.rs:";
    // (request path, what the failing child test's captured output must hold)
    let cases = [
        ("/save", Some(save)),
        ("/panic", Some(panic)),
        ("/missing", None),
        ("/handled", None),
    ];
    for (path, expected) in cases {
        let output = Command::new(std::env::current_exe().expect("the test binary"))
            .args(["--exact", "child_sends_requests", "--test-threads=1"])
            .env("CHALICE_CHILD", path)
            .output()
            .expect("the test binary runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(!output.status.success(), "the child fails: {stdout}");
        // libtest shows a failing test's captured output under this line.
        let captured = stdout
            .split_once("---- child_sends_requests stdout ----")
            .map(|(_, rest)| rest)
            .unwrap_or_else(|| panic!("no captured output: {stdout}"));
        match expected {
            Some(expected) => assert!(captured.contains(expected), "{path}: {captured}"),
            None => assert!(
                !captured.contains("chalice test client"),
                "{path}: {captured}"
            ),
        }
    }
}

#[test]
fn a_500_the_view_made_itself_is_not_an_unhandled_error() {
    let mut app = Chalice::new("plain");
    app.route("/", || Response::new("down").status_code(500));
    let response = Client::new(app).http().get("/").send();
    assert_eq!(response.status_code, 500);
    assert!(response.unhandled_error().is_none());
}
