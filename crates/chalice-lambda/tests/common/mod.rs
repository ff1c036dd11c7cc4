//! Helpers shared by the integration tests: fixtures, an echo app, a runtime to block on.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

use chalice_core::{Chalice, Json, LambdaContext, Request, Route};
use serde_json::{Map, Value, json};

/// The bytes of `tests/data/<name>`.
pub fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// `tests/data/<name>` as JSON, to patch.
pub fn fixture(name: &str) -> Value {
    serde_json::from_slice(&fixture_bytes(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// Sets `value` at a `/`-separated path of object keys, creating objects on the way.
pub fn patch(event: &mut Value, pointer: &str, value: Value) {
    let mut target = event;
    let mut keys = pointer.split('/').peekable();
    while let Some(key) = keys.next() {
        let object = target.as_object_mut().expect("patching an object");
        if keys.peek().is_none() {
            object.insert(key.to_owned(), value);
            return;
        }
        target = object.entry(key).or_insert_with(|| json!({}));
    }
}

/// Removes the key at a `/`-separated path.
pub fn unset(event: &mut Value, pointer: &str) {
    let (parent, key) = match pointer.rsplit_once('/') {
        Some((parent, key)) => (event.pointer_mut(&format!("/{parent}")), key),
        None => (Some(event), pointer),
    };
    if let Some(Value::Object(object)) = parent {
        object.shift_remove(key);
    }
}

/// What a request looked like to the view, as JSON.
pub fn echo(request: &Request) -> Json<Value> {
    let mut headers = Map::new();
    for (name, value) in request.headers().iter() {
        if let Value::Array(values) = headers.entry(name).or_insert_with(|| json!([])) {
            values.push(json!(value));
        }
    }
    let query = request.query_params().map(|q| {
        q.keys()
            .map(|k| (k.to_owned(), json!(q.get_list(k))))
            .collect::<Map<String, Value>>()
    });
    let body = request.raw_body();
    Json(json!({
        "method": request.method().as_str(),
        "template": request.path(),
        "uri_params": request.uri_params(),
        "query": query,
        "headers": headers,
        "body": String::from_utf8_lossy(body),
        "body_bytes": body,
        "stage_vars": request.stage_vars(),
    }))
}

/// An app whose routes all echo the request, for every method and content type.
pub fn echo_app(templates: &[&str]) -> Chalice {
    let mut app = Chalice::new("echo");
    for template in templates {
        app.register(
            Route::new(*template, echo)
                .methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
                .content_types(["*/*"]),
        );
    }
    app.check().expect("a valid echo app");
    app
}

/// Runs a future to completion on this thread. `handle_event` does no I/O, so its future
/// never waits on anything and a no-op waker is enough.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::yield_now();
    }
}

/// `handle_event` on `event`, the response parsed.
pub fn respond(app: &Chalice, event: &Value) -> Value {
    respond_bytes(app, event.to_string().as_bytes())
}

/// `handle_event` on raw bytes, the response parsed.
pub fn respond_bytes(app: &Chalice, event: &[u8]) -> Value {
    let bytes = block_on(chalice_lambda::handle_event(
        app,
        event,
        LambdaContext::new("test-request", 0),
    ))
    .unwrap_or_else(|e| panic!("an API Gateway response, got the error: {e}"));
    serde_json::from_slice(&bytes).expect("the response is JSON")
}

/// The JSON body of a response (the echo view's report).
pub fn body_json(response: &Value) -> Value {
    let body = response["body"].as_str().expect("a text body");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("a JSON body ({e}): {body}"))
}
