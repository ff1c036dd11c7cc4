//! What the repository's README promises about the toolchain, against what the workspace
//! declares (the README is where a new user looks first; `rust-version` is what cargo
//! enforces, and what `chalice new-project` writes into new projects).

use std::path::Path;

use chalice_cli::commands::new_project::APP_RUST_VERSION;

/// `rust-version` in the `[workspace.package]` table of the root Cargo.toml.
fn workspace_rust_version(root: &Path) -> String {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let package = manifest
        .split("[workspace.package]")
        .nth(1)
        .expect("a [workspace.package] table");
    package
        .lines()
        .take_while(|line| !line.starts_with('['))
        .find_map(|line| line.strip_prefix("rust-version = "))
        .map(|version| version.trim().trim_matches('"').to_owned())
        .expect("a rust-version in [workspace.package]")
}

#[test]
fn the_readme_names_the_minimum_rust_versions_the_crates_declare() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let workspace = workspace_rust_version(&root);
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
        [workspace.as_str()],
        "the README's minimum Rust version(s) differ from the workspace's rust-version"
    );
    assert_eq!(
        APP_RUST_VERSION, workspace,
        "new projects get the workspace's rust-version"
    );
    // The CLI's own minimum (the AWS SDK's), stated beside it.
    let cli = env!("CARGO_PKG_RUST_VERSION");
    assert!(
        readme.contains(&format!("the `chalice` CLI needs {cli} or newer")),
        "the README does not name the CLI's rust-version {cli}"
    );
}
