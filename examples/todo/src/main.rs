//! Run with `cargo run -p todo`, then for example:
//!
//! ```text
//! curl -X POST http://127.0.0.1:8000/todos -H 'Content-Type: application/json' -d '{"title":"milk"}'
//! curl http://127.0.0.1:8000/todos?done=false
//! ```

fn main() {
    chalice::run(todo::app());
}
