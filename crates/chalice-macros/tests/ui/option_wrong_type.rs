use chalice::route;

#[route("/", cors = "yes", name = index, methods = "GET", content_types = ["text/plain", 1])]
fn index() -> &'static str {
    "hi"
}

fn main() {}
