//! The smallest app: `GET /` answers `{"hello":"world"}`.
//!
//! Run with `cargo run -p hello-world`, then `curl http://127.0.0.1:8000/`.

use chalice::{Chalice, Json};
use serde_json::{Value, json};

fn main() {
    let mut app = Chalice::new("helloworld");
    app.route("/", index);
    chalice::run(app);
}

fn index() -> Json<Value> {
    Json(json!({"hello": "world"}))
}
