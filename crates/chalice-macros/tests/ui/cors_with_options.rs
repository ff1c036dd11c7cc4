use chalice::route;

#[route("/", methods = ["GET", "OPTIONS"], cors = true)]
fn index() -> &'static str {
    "hi"
}

fn main() {}
