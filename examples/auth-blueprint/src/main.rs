//! `cargo run -p auth-blueprint`: the notes API on http://127.0.0.1:8000.
//!
//! ```text
//! curl -H 'Authorization: alice-token' localhost:8000/notes
//! curl -H 'Authorization: alice-token' -d '{"text":"hi"}' localhost:8000/notes
//! CHALICE_API_KEYS=k1 cargo run -p auth-blueprint   # then: curl -H 'x-api-key: k1' localhost:8000/stats
//! ```

fn main() {
    chalice::run(auth_blueprint::app());
}
