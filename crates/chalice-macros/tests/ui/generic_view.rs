use chalice::route;

#[route("/items/{id}")]
fn item<T: std::str::FromStr + ToString>(id: T) -> String {
    id.to_string()
}

fn main() {}
