use chalice::route;

#[route("/", method = ["POST"], timeout = 3)]
fn index() -> &'static str {
    "hi"
}

fn main() {}
