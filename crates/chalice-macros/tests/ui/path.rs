//! Paths that break API Gateway's and Chalice's rules: each refused where it is written,
//! with Chalice's wording (the same check as `Chalice::check`, from chalice-path).

use chalice::route;

// A character API Gateway does not allow.
#[route("/users/*")]
fn bad_character() -> &'static str {
    "[]"
}

// The same capture twice.
#[route("/{id}/children/{id}")]
fn duplicate_capture(id: u32) -> String {
    id.to_string()
}

// A greedy capture before the end.
#[route("/files/{path+}/meta")]
fn greedy_not_last(path: &str) -> String {
    path.to_owned()
}

// No leading slash.
#[route("users")]
fn no_leading_slash() -> &'static str {
    "[]"
}

// A capture that is part of a segment.
#[route("/files/{name}.txt")]
fn partial_capture(name: &str) -> String {
    name.to_owned()
}

// A trailing slash.
#[route("/users/")]
fn trailing_slash() -> &'static str {
    "[]"
}

fn main() {}
