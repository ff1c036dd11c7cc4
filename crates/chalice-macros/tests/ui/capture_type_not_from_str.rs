use chalice::route;

#[route("/items/{id}")]
fn item(id: Vec<u8>) -> String {
    format!("{id:?}")
}

fn main() {}
