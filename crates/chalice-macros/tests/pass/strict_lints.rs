//! Macro output in a crate that denies warnings, missing docs and unreachable `pub`: the
//! generated modules must add none of their own.
#![deny(warnings, missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]

use chalice::{route, Chalice, ChaliceError, Json, Request};
use serde_json::{json, Value};

/// A public view with a typed capture, a borrowed capture and the request.
#[route("/users/{name}/posts/{id}", methods = ["GET", "PUT"], cors = true)]
pub fn post(name: &str, id: u32, request: &Request) -> Result<Json<Value>, ChaliceError> {
    Ok(Json(json!({"name": name, "id": id, "method": request.method().as_str()})))
}

#[route("/")]
async fn index() -> &'static str {
    "hi"
}

#[route("/save/{id}", methods = ["POST"])]
async fn save(id: u64, request: Request) -> Result<Vec<u8>, ChaliceError> {
    let mut body = request.raw_body().to_vec();
    body.extend_from_slice(id.to_string().as_bytes());
    Ok(body)
}

mod inner {
    use chalice::route;

    #[route("/inner/{unused}")]
    pub(crate) fn inner(_unused: u8) {}

    #[route("/inner-private")]
    fn private() -> Option<String> {
        None
    }

    pub(crate) fn routes() -> chalice::Route {
        private::route()
    }
}

fn main() {
    let mut app = Chalice::new("strict");
    app.register(post::route())
        .register(index::route())
        .register(save::route())
        .register(inner::inner::route())
        .register(inner::routes());
    assert!(app.check().is_ok());
}
