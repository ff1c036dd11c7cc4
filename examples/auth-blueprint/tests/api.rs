//! The notes API through the test client, and once over a real socket.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chalice::test::{Client, TestRequest};
use serde_json::json;

fn client() -> Client {
    Client::new(auth_blueprint::app()).api_keys(["stats-key"])
}

#[test]
fn users_see_only_their_notes_and_the_authorizer_guards_them() {
    let client = client();
    fn alice(r: TestRequest<'_>) -> TestRequest<'_> {
        r.header("Authorization", "Bearer alice-token")
    }
    fn root(r: TestRequest<'_>) -> TestRequest<'_> {
        r.header("Authorization", "root-token")
    }

    assert_eq!(client.http().get("/notes").send().status_code, 401);
    assert_eq!(
        client
            .http()
            .get("/notes")
            .header("Authorization", "nope")
            .send()
            .status_code,
        401
    );

    let created = alice(client.http().post("/notes"))
        .json(&json!({"text": "buy tea"}))
        .send();
    assert_eq!(created.status_code, 201, "{}", created.text());
    assert_eq!(created.json(), json!({"id": 1, "text": "buy tea"}));
    // The blueprint's middleware and the app's both touched the response.
    assert_eq!(created.headers.get("x-notes-api"), Some("1"));
    assert!(created.headers.get("x-elapsed-us").is_some());

    let again = alice(client.http().post("/notes"))
        .json(&json!({"text": "buy tea"}))
        .send();
    assert_eq!(
        (again.status_code, again.json()),
        (409, json!({"error": "already noted: buy tea"}))
    );
    // An error's answer (the error handler's, here) passes through the middleware too.
    assert_eq!(again.headers.get("x-notes-api"), Some("1"));
    assert!(again.headers.get("x-elapsed-us").is_some());

    assert_eq!(
        alice(client.http().get("/notes")).send().json(),
        json!([{"id": 1, "text": "buy tea"}])
    );
    assert_eq!(root(client.http().get("/notes")).send().json(), json!([]));
    let missing = root(client.http().get("/notes/1")).send();
    assert_eq!(
        (missing.status_code, missing.json()),
        (404, json!({"error": "no note 1"}))
    );
    assert_eq!(missing.headers.get("x-notes-api"), Some("1"));
    let bad = alice(client.http().get("/notes/x")).send();
    assert_eq!(bad.status_code, 400);

    // Alice may not reach /admin; root may.
    assert_eq!(alice(client.http().get("/admin")).send().status_code, 403);
    assert_eq!(root(client.http().get("/admin")).send().status_code, 200);
    assert_eq!(
        alice(client.http().get("/whoami")).send().json(),
        json!({"principalId": "alice", "admin": false})
    );

    let deleted = alice(client.http().delete("/notes/1")).send();
    assert_eq!(deleted.json(), json!({"id": 1, "text": "buy tea"}));
    assert_eq!(
        alice(client.http().delete("/notes/1")).send().status_code,
        404
    );
}

#[test]
fn api_keys_and_cognito_tokens() {
    let client = client();
    assert_eq!(client.http().get("/stats").send().status_code, 403);
    assert_eq!(
        client
            .http()
            .get("/stats")
            .header("x-api-key", "stats-key")
            .send()
            .status_code,
        200
    );
    assert_eq!(client.http().get("/profile").send().status_code, 401);
    // header {"alg":"none"}, payload {"sub":"u-1","email":"a@example.com"}
    let token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1LTEiLCJlbWFpbCI6ImFAZXhhbXBsZS5jb20ifQ.";
    let response = client
        .http()
        .get("/profile")
        .header("Authorization", token)
        .send();
    assert_eq!(
        response.json(),
        json!({"sub": "u-1", "email": "a@example.com"})
    );
}

#[test]
fn the_manifest_carries_the_blueprint_and_authorizers() {
    let manifest = auth_blueprint::app().manifest();
    let routes: Vec<(String, String, String)> = manifest
        .routes
        .iter()
        .map(|r| (r.method.clone(), r.path.clone(), r.view_name.clone()))
        .filter(|(_, path, _)| path.starts_with("/notes"))
        .collect();
    let expected = [
        ("GET", "/notes", "notes_notes"),
        ("POST", "/notes", "notes_notes"),
        ("GET", "/notes/{id}", "notes_note"),
        ("DELETE", "/notes/{id}", "notes_note"),
    ]
    .map(|(m, p, v)| (m.to_owned(), p.to_owned(), v.to_owned()));
    assert_eq!(routes, expected);
    let names: Vec<&str> = manifest
        .authorizers
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["token_auth", "users_pool"]);
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(addr: &str, path: &str, headers: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}\r\n"
    )
    .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}

#[test]
fn the_local_server_enforces_keys_from_the_environment() {
    let child = Command::new(env!("CARGO_BIN_EXE_auth-blueprint"))
        .args(["--port", "0"])
        .env("CHALICE_API_KEYS", "k1, k2")
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the example");
    let mut running = Running(child);
    let stderr = running.0.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let deadline = Instant::now() + Duration::from_secs(20);
    let addr = loop {
        assert!(Instant::now() < deadline, "no 'Serving on' line");
        let line = lines.next().expect("a line").expect("utf-8");
        if let Some(url) = line.strip_prefix("Serving on http://") {
            break url.to_owned();
        }
    };
    assert!(get(&addr, "/stats", "").starts_with("HTTP/1.1 403"));
    assert!(get(&addr, "/stats", "x-api-key: k2\r\n").starts_with("HTTP/1.1 200"));
    let refused = get(&addr, "/notes", "");
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    assert!(
        refused.ends_with(r#"{"message":"Unauthorized"}"#),
        "{refused}"
    );
    assert!(get(&addr, "/notes", "Authorization: alice-token\r\n").starts_with("HTTP/1.1 200"));
}
