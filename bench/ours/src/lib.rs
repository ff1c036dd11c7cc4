//! The benchmark app, as a user of chalice for Rust writes it.
//!
//! Routes (the same in every peer: `peers/axum`, `peers/python/app.py`):
//! - `GET /` → `{"hello":"world"}`
//! - `GET /users/{name}` → `{"name":"<name>"}`
//! - `POST /echo` → the JSON body, parsed and written back
//! - `GET /r{i}/{id}` for i in 0..100 → `{"route":i,"id":"<id>"}` (filler, so that routing
//!   works on a table of realistic size)

use chalice::{Chalice, ChaliceError, Json, Request, Response};
use serde_json::{Value, json};

/// How many filler routes `/r{i}/{id}` the app has.
pub const FILLER_ROUTES: usize = 100;

/// The benchmark app.
pub fn app() -> Chalice {
    let mut app = Chalice::new("bench");
    app.route("/", index);
    app.route("/users/{name}", user);
    app.register(chalice::Route::new("/echo", echo).methods(["POST"]));
    for i in 0..FILLER_ROUTES {
        app.register(
            chalice::Route::new(format!("/r{i}/{{id}}"), move |request: &Request| {
                filler(i, request)
            })
            .name(format!("filler{i}")),
        );
    }
    app
}

fn index() -> Json<Value> {
    Json(json!({"hello": "world"}))
}

fn user(request: &Request) -> Json<Value> {
    Json(json!({"name": request.uri_param("name").unwrap_or_default()}))
}

/// Written from the parsed body by reference: no copy of the tree.
fn echo(request: &Request) -> Result<Response, ChaliceError> {
    Ok(Response::json(&request.json_body()?))
}

fn filler(i: usize, request: &Request) -> Json<Value> {
    Json(json!({"route": i, "id": request.uri_param("id").unwrap_or_default()}))
}
