//! The hashes the state file keeps, by which a redeploy skips what did not change.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The hex SHA-256 of a JSON value's compact text. Maps are ordered (`BTreeMap`, or
/// `serde_json`'s insertion order, which the generators keep stable), so equal settings
/// hash equal.
pub(crate) fn hash(value: &Value) -> String {
    let text = serde_json::to_vec(value).expect("a JSON value always serializes");
    Sha256::digest(&text)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
