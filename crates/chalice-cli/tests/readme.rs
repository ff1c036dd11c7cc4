//! What the repository's README promises about the toolchain, against what the workspace
//! declares (the README is where a new user looks first; `rust-version` is what cargo
//! enforces, and what `chalice new-project` writes into new projects).

use std::path::Path;

#[test]
fn the_readme_names_the_minimum_rust_version_the_crates_declare() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let declared = env!("CARGO_PKG_RUST_VERSION");
    let stated: Vec<&str> = readme
        .match_indices("Rust toolchain (")
        .filter_map(|(at, prefix)| {
            readme[at + prefix.len()..]
                .split_once(" or newer)")
                .map(|(version, _)| version)
        })
        .collect();
    assert_eq!(
        stated,
        [declared],
        "the README's minimum Rust version(s) differ from the workspace's rust-version"
    );
}
