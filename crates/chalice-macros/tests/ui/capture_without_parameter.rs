use chalice::route;

#[route("/users/{name}/posts/{id}")]
fn post(name: &str) -> String {
    name.to_owned()
}

fn main() {}
