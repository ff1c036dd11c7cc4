use chalice::route;

#[route("/", cors = true, cors = false)]
fn index() -> &'static str {
    "hi"
}

fn main() {}
