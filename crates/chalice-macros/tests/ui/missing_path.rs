use chalice::route;

#[route]
fn index() -> &'static str {
    "hi"
}

#[route(methods = ["GET"])]
fn other() -> &'static str {
    "hi"
}

fn main() {}
