use chalice::route;

#[route("/", methods = [])]
fn index() -> &'static str {
    "hi"
}

fn main() {}
