//! A generated project for the end-to-end tests, built in the workspace's target directory
//! with the workspace's `Cargo.lock` and dev profile, and its build outputs removed when the
//! test ends.
//!
//! Sharing the target directory (cargo releases its lock once the test binaries are built)
//! is what keeps these tests fast: the same dependency versions, features and profiles hash
//! to the same artifacts, so the project's debug builds reuse the dependencies `cargo test
//! --workspace` built, and its release build for Lambda reuses what `.ci/run` compiled for
//! the `hello-world` bootstrap. Each compiles little more than chalice's own crates and the
//! app.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The real `chalice` binary, in `dir`, plain output, building without LTO.
///
/// The generated project's release profile is the one Lambda wants (thin LTO, one codegen
/// unit), and with it every release build optimizes the whole dependency graph again: about
/// a minute per build on two busy cores, where the deploy test makes three and the workflow
/// test one, each after a change to the app. Nothing these tests check of a package (a zip
/// whose executable `bootstrap` is the app, its hash, the templates) depends on LTO, and
/// `.ci/run` builds the hello-world bootstrap with that very profile. Without LTO a release
/// build of the app compiles and links the app alone, in seconds; the dependencies' release
/// builds for it are made once and then reused.
pub(crate) fn chalice(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_chalice"));
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("NO_COLOR", "1");
    command
}

pub(crate) fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_owned()
}

/// An empty folder for the test, under cargo's temporary directory, removed when the test
/// ends (kept when it fails, for its logs), with a `.cargo/config.toml` holding the
/// workspace's `[profile.dev*]` tables. Without them the generated project's debug builds
/// (its own `cargo test`, `chalice local`, the manifest build of `package` and `deploy`)
/// would compile every dependency again, with full debug info: most of an end-to-end test's
/// time on a cold target directory, and a second copy of every dependency on disk.
pub(crate) struct WorkDir(PathBuf);

impl WorkDir {
    pub(crate) fn new(name: &str) -> WorkDir {
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".cargo")).expect("temp dir");
        let workspace =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml"))
                .expect("the workspace's Cargo.toml");
        std::fs::write(dir.join(".cargo/config.toml"), dev_profiles(&workspace))
            .expect("write .cargo/config.toml");
        WorkDir(dir)
    }
}

impl std::ops::Deref for WorkDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// The `[profile.dev]` and `[profile.dev.package.*]` tables of a Cargo.toml, as written.
fn dev_profiles(manifest: &str) -> String {
    let mut tables = String::new();
    let mut inside = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            inside = line == "[profile.dev]" || line.starts_with("[profile.dev.");
        }
        if inside {
            tables.push_str(line);
            tables.push('\n');
        }
    }
    assert!(
        tables.contains("[profile.dev]"),
        "no [profile.dev] in the workspace"
    );
    tables
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
