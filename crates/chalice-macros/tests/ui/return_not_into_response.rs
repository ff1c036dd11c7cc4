use chalice::route;

struct Item;

#[route("/item")]
fn item() -> Item {
    Item
}

fn main() {}
