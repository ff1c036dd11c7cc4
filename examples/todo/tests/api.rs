//! The todo API, request by request, through the test client.

use chalice::test::Client;
use serde_json::{Value, json};

/// One step of a scenario: method, target, JSON body, expected status and body.
type Step = (&'static str, &'static str, Option<Value>, u16, Value);

fn play(client: &Client, steps: &[Step]) {
    for (i, (method, target, body, status, expected)) in steps.iter().enumerate() {
        let mut request = client
            .http()
            .request(method.parse().expect("method"), target);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send();
        let got = response.json_body().unwrap_or(Value::Null);
        assert_eq!(
            (response.status_code, &got),
            (*status, expected),
            "step {i}: {method} {target}"
        );
        assert_eq!(
            response.headers.get("access-control-allow-origin"),
            Some("*"),
            "step {i}: CORS on every answer"
        );
    }
}

#[test]
fn create_read_update_delete() {
    let client = Client::new(todo::app());
    play(
        &client,
        &[
            ("GET", "/todos", None, 200, json!([])),
            (
                "POST",
                "/todos",
                Some(json!({"title": "milk"})),
                201,
                json!({"id": 1, "title": "milk", "done": false}),
            ),
            (
                "POST",
                "/todos",
                Some(json!({"title": "eggs", "done": true})),
                201,
                json!({"id": 2, "title": "eggs", "done": true}),
            ),
            (
                "GET",
                "/todos",
                None,
                200,
                json!([{"id": 1, "title": "milk", "done": false}, {"id": 2, "title": "eggs", "done": true}]),
            ),
            (
                "GET",
                "/todos?done=true",
                None,
                200,
                json!([{"id": 2, "title": "eggs", "done": true}]),
            ),
            (
                "GET",
                "/todos?done=false",
                None,
                200,
                json!([{"id": 1, "title": "milk", "done": false}]),
            ),
            (
                "GET",
                "/todos/1",
                None,
                200,
                json!({"id": 1, "title": "milk", "done": false}),
            ),
            (
                "PUT",
                "/todos/1",
                Some(json!({"title": "oat milk", "done": true})),
                200,
                json!({"id": 1, "title": "oat milk", "done": true}),
            ),
            ("DELETE", "/todos/2", None, 204, Value::Null),
            (
                "GET",
                "/todos",
                None,
                200,
                json!([{"id": 1, "title": "oat milk", "done": true}]),
            ),
        ],
    );
}

#[test]
fn mistakes_get_clear_errors() {
    let client = Client::new(todo::app());
    let error = |code: &str, message: &str| json!({"Code": code, "Message": message});
    play(
        &client,
        &[
            (
                "GET",
                "/todos/9",
                None,
                404,
                error("NotFoundError", "Todo 9 does not exist"),
            ),
            (
                "DELETE",
                "/todos/9",
                None,
                404,
                error("NotFoundError", "Todo 9 does not exist"),
            ),
            (
                "GET",
                "/todos/abc",
                None,
                400,
                error(
                    "BadRequestError",
                    "Invalid value for URI parameter 'id': \"abc\" is not a valid u32 (invalid digit found in string)",
                ),
            ),
            (
                "GET",
                "/todos?done=maybe",
                None,
                400,
                error(
                    "BadRequestError",
                    "done must be true or false, not \"maybe\"",
                ),
            ),
            (
                "POST",
                "/todos",
                Some(json!({})),
                400,
                error(
                    "BadRequestError",
                    "Invalid JSON body: missing field `title` at line 1 column 2",
                ),
            ),
            (
                "POST",
                "/todos",
                Some(json!({"title": "x", "colour": "red"})),
                400,
                error(
                    "BadRequestError",
                    "Invalid JSON body: unknown field `colour`, expected `title` or `done` at line 1 column 21",
                ),
            ),
            (
                "POST",
                "/todos",
                Some(json!({"title": "  "})),
                422,
                error("UnprocessableEntityError", "A todo needs a title"),
            ),
            (
                "PUT",
                "/todos/1",
                Some(json!({"title": "x"})),
                404,
                error("NotFoundError", "Todo 1 does not exist"),
            ),
        ],
    );
    let response = client
        .http()
        .post("/todos")
        .header("Content-Type", "application/json")
        .body("{not json")
        .send();
    assert_eq!(
        (response.status_code, response.json()),
        (400, error("BadRequestError", "Error Parsing JSON"))
    );
    let response = client
        .http()
        .post("/todos")
        .header("Content-Type", "text/plain")
        .body("milk")
        .send();
    assert_eq!(
        (response.status_code, response.json()),
        (
            415,
            json!({"Code": "UnsupportedMediaType", "Message": "Unsupported media type: text/plain"})
        )
    );
}

#[test]
fn created_todos_say_where_they_live() {
    let client = Client::new(todo::app());
    let response = client
        .http()
        .post("/todos")
        .json(&json!({"title": "milk"}))
        .send();
    assert_eq!(response.headers.get("location"), Some("/todos/1"));
    let preflight = client
        .http()
        .options("/todos/1")
        .header("Origin", "https://app.example")
        .send();
    assert_eq!(preflight.status_code, 200);
    assert_eq!(
        preflight.headers.get("access-control-allow-methods"),
        Some("GET,PUT,DELETE,OPTIONS")
    );
}

#[test]
fn each_app_has_its_own_store() {
    let first = Client::new(todo::app());
    first
        .http()
        .post("/todos")
        .json(&json!({"title": "a"}))
        .send();
    let second = Client::new(todo::app());
    assert_eq!(second.http().get("/todos").send().json(), json!([]));
}
