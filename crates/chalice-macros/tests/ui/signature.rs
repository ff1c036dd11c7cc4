//! The view's signature: what the macro can't call, or can't line up with the path.

use chalice::{Request, route};

// A borrowed capture other than `&str`.
#[route("/users/{name}")]
fn borrowed_capture_not_str(name: &String) -> String {
    name.clone()
}

// A capture with no parameter.
#[route("/users/{name}/posts/{id}")]
fn capture_without_parameter(name: &str) -> String {
    name.to_owned()
}

// A generic view.
#[route("/items/{id}")]
fn generic_view<T: std::str::FromStr + ToString>(id: T) -> String {
    id.to_string()
}

// Not a function.
#[route("/")]
struct NotAFunction;

// A parameter that is no capture.
#[route("/users/{name}")]
fn parameter_not_a_capture(name: &str, user_id: u32) -> String {
    format!("{name} {user_id}")
}

// A pattern for a parameter.
#[route("/points/{x}")]
fn pattern_parameter((x, y): (u32, u32)) -> String {
    format!("{x} {y}")
}

// The request twice.
#[route("/")]
fn request_twice(first: &Request, second: &Request) -> String {
    format!("{} {}", first.path(), second.path())
}

// A method.
struct Api;

impl Api {
    #[route("/")]
    fn self_receiver(&self) -> &'static str {
        "hi"
    }
}

fn main() {}
