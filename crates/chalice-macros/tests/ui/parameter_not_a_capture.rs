use chalice::route;

#[route("/users/{name}")]
fn user(name: &str, user_id: u32) -> String {
    format!("{name} {user_id}")
}

fn main() {}
