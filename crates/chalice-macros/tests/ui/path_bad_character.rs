use chalice::route;

#[route("/users/*")]
fn users() -> &'static str {
    "[]"
}

fn main() {}
