//! Macro output in a crate that denies warnings, missing docs and unreachable `pub`: the
//! generated modules must add none of their own, to rustc and to clippy's pedantic lints.
//! (A test of its own, not a trybuild case: trybuild builds instead of checking as soon as
//! one case must pass, which made every compile-fail case build chalice and its
//! dependencies for nothing.)
#![deny(warnings, missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]

use chalice::{Chalice, ChaliceError, Json, Request, route};
use serde_json::{Value, json};

/// A public view with a typed capture, a borrowed capture and the request.
///
/// # Errors
///
/// Never: the `Result` is there for the macro to handle.
#[route("/users/{name}/posts/{id}", methods = ["GET", "PUT"], cors = true)]
pub fn post(name: &str, id: u32, request: &Request) -> Result<Json<Value>, ChaliceError> {
    Ok(Json(
        json!({"name": name, "id": id, "method": request.method().as_str()}),
    ))
}

#[route("/")]
async fn index() -> &'static str {
    std::future::ready("hi").await
}

#[route("/save/{id}", methods = ["POST"])]
async fn save(id: u64, request: Request) -> Result<Vec<u8>, ChaliceError> {
    let mut body = request.raw_body().to_vec();
    std::future::ready(()).await;
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

#[test]
fn strict_app_checks() {
    let mut app = Chalice::new("strict");
    app.register(post::route())
        .register(index::route())
        .register(save::route())
        .register(inner::inner::route())
        .register(inner::routes());
    assert!(app.check().is_ok());
}
