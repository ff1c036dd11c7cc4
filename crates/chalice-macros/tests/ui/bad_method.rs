use chalice::route;

#[route("/", methods = ["GET", "FETCH"])]
fn index() -> &'static str {
    "hi"
}

fn main() {}
