use chalice::route;

#[route("/users/{name}")]
fn user(name: &String) -> String {
    name.clone()
}

fn main() {}
