//! Declarations the macro accepts but the compiler refuses, through bounds of chalice's
//! API: the messages must still point at the user's code and say what to do.

use std::rc::Rc;

use chalice::route;

// An async view whose future is not `Send`.
#[route("/")]
async fn async_view_not_send() -> String {
    let shared = Rc::new(String::from("hi"));
    std::future::ready(()).await;
    shared.to_string()
}

// A capture of a type that does not parse.
#[route("/items/{id}")]
fn capture_type_not_from_str(id: Vec<u8>) -> String {
    format!("{id:?}")
}

// A return type that is not a response.
struct Item;

#[route("/item")]
fn return_not_into_response() -> Item {
    Item
}

fn main() {
    let _ = async_view_not_send::route();
}
