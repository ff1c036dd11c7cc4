//! The attribute's options: each mistake named, at the option that makes it.

use chalice::route;

// A method API Gateway does not have.
#[route("/", methods = ["GET", "FETCH"])]
fn bad_method() -> &'static str {
    "hi"
}

// CORS beside a user-defined OPTIONS, as Chalice refuses it.
#[route("/", methods = ["GET", "OPTIONS"], cors = true)]
fn cors_with_options() -> &'static str {
    "hi"
}

// One method twice, whatever its case.
#[route("/", methods = ["GET", "POST", "get"])]
fn duplicate_method() -> &'static str {
    "hi"
}

// No method at all.
#[route("/", methods = [])]
fn empty_methods() -> &'static str {
    "hi"
}

// No path: neither an empty attribute nor options alone.
#[route]
fn missing_path() -> &'static str {
    "hi"
}

#[route(methods = ["GET"])]
fn missing_path_with_options() -> &'static str {
    "hi"
}

// An option given twice.
#[route("/", cors = true, cors = false)]
fn option_twice() -> &'static str {
    "hi"
}

// Options of the wrong type, each named.
#[route("/", cors = "yes", name = index, methods = "GET", content_types = ["text/plain", 1])]
fn option_wrong_type() -> &'static str {
    "hi"
}

// Options Chalice does not have, with a did-you-mean.
#[route("/", method = ["POST"], timeout = 3)]
fn unknown_option() -> &'static str {
    "hi"
}

fn main() {}
