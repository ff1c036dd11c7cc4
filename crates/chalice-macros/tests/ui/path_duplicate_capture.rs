use chalice::route;

#[route("/{id}/children/{id}")]
fn child(id: u32) -> String {
    id.to_string()
}

fn main() {}
