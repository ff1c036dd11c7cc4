use chalice::route;

#[route("/files/{name}.txt")]
fn file(name: &str) -> String {
    name.to_owned()
}

fn main() {}
