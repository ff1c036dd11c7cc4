use chalice::route;

#[route("/", methods = ["GET", "POST", "get"])]
fn index() -> &'static str {
    "hi"
}

fn main() {}
