use chalice::{route, Request};

#[route("/")]
fn index(first: &Request, second: &Request) -> String {
    format!("{} {}", first.path(), second.path())
}

fn main() {}
