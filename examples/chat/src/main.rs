//! Run with `cargo run -p chat` (or `chalice local` in examples/chat), then open
//! <http://127.0.0.1:8000/> in two browser tabs and chat between them.

fn main() {
    chalice::run(chat::app());
}
