use chalice::route;

#[route("/")]
struct Index;

fn main() {}
