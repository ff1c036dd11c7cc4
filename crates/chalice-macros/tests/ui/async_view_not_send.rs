use std::rc::Rc;

use chalice::route;

#[route("/")]
async fn index() -> String {
    let shared = Rc::new(String::from("hi"));
    std::future::ready(()).await;
    shared.to_string()
}

fn main() {
    let _ = index::route();
}
