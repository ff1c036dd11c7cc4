//! A generated project for the end-to-end tests, built in the workspace's target directory
//! (see `tests/workflow.rs` for why), and its build outputs removed when the test ends.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The real `chalice` binary, in `dir`, plain output.
pub(crate) fn chalice(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_chalice"));
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("NO_COLOR", "1");
    command
}

pub(crate) fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_owned()
}

/// An empty folder for the test, under cargo's temporary directory.
pub(crate) fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// `chalice new-project name` in `work`, with the workspace's `Cargo.lock` (the same
/// dependency versions as the workspace, so its build outputs are reused).
pub(crate) fn new_project(work: &Path, name: &str) -> PathBuf {
    let status = chalice(work)
        .args(["new-project", name])
        .status()
        .expect("chalice runs");
    assert!(status.success(), "chalice new-project failed");
    let project = work.join(name);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock"),
        project.join("Cargo.lock"),
    )
    .expect("copy the workspace's Cargo.lock");
    project
}

/// The generated project's build outputs in the shared target directory, removed when the
/// test ends. The project is named after the test process, so two test runs at once never
/// build the same binary.
pub(crate) struct Artifacts(pub String);

impl Drop for Artifacts {
    fn drop(&mut self) {
        let target = target_dir();
        for dir in [
            "debug",
            "debug/deps",
            "debug/.fingerprint",
            "debug/incremental",
            "x86_64-unknown-linux-musl/release",
            "x86_64-unknown-linux-musl/release/deps",
            "x86_64-unknown-linux-musl/release/.fingerprint",
        ] {
            let Ok(entries) = std::fs::read_dir(target.join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                let library = format!("lib{}", self.0);
                if name == self.0
                    || name.starts_with(&format!("{}-", self.0))
                    || name.starts_with(&format!("{}.", self.0))
                    || name.starts_with(&format!("{library}-"))
                    || name.starts_with(&format!("{library}."))
                {
                    let path = entry.path();
                    let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
                }
            }
        }
    }
}
