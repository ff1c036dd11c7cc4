//! Building the app with cargo: a debug build to read its manifest and serve it locally, a
//! static release build for Lambda.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use serde_json::Value;

use crate::error::BuildFailed;
use crate::output::{Output, Verbosity};

/// How to build the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Fast to build: for `local` and for reading the manifest.
    Debug,
    /// Fast to run and small: the Lambda bootstrap.
    Release,
}

/// Builds the crate at `dir` and returns its binary. The compiler's messages go to the
/// terminal as cargo prints them (coloured and quiet as `output` says); a failed build is
/// [`BuildFailed`], carrying cargo's exit status.
pub fn build(
    dir: &Path,
    profile: Profile,
    target: Option<&str>,
    output: Output,
) -> anyhow::Result<PathBuf> {
    let what = match (profile, target) {
        (Profile::Debug, _) => "debug".to_owned(),
        (Profile::Release, None) => "release".to_owned(),
        (Profile::Release, Some(target)) => format!("release, {target}"),
    };
    if let (Profile::Release, Some(target)) = (profile, target) {
        // Before minutes of compiling, rather than in a dependency's build script.
        crate::c_compiler::check(dir, target, cargo)?;
    }
    output.status("Building", format!("{} ({what})", dir.display()));
    let mut command = cargo();
    command
        .arg("build")
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .arg("--message-format=json-render-diagnostics")
        .args(["--color", output.color_choice().as_str()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if profile == Profile::Release {
        // The bootstrap never serves locally: leave the local server out of it.
        command
            .arg("--release")
            .env(chalice_manifest::LAMBDA_ONLY_ENV, "1");
    }
    if output.verbosity() == Verbosity::Quiet {
        command.arg("--quiet");
    }
    if let Some(target) = target {
        command.args(["--target", target]);
        if let Some((variable, linker)) = static_linker(target) {
            // Unless the user chose a linker for it (environment or .cargo/config.toml,
            // which cargo reads from the current directory, not the project's).
            if std::env::var_os(variable).is_none() && !configures_linker(dir, target) {
                command.env(variable, linker);
            }
        }
    }
    output.verbose("Running", format!("{command:?}"));
    let run = command
        .output()
        .context("cannot run cargo (is the Rust toolchain installed?)")?;
    if !run.status.success() {
        bail!(BuildFailed(run.status.code()));
    }
    executable(&String::from_utf8_lossy(&run.stdout), dir)
}

/// The linker a musl target needs where the host's C linker can't link it: Rust's own
/// `rust-lld` links `aarch64-unknown-linux-musl` statically with no aarch64 toolchain
/// installed (the same setting as this repository's `.cargo/config.toml`). Returns the
/// environment variable cargo reads it from, and the linker.
pub fn static_linker(target: &str) -> Option<(&'static str, &'static str)> {
    (target == "aarch64-unknown-linux-musl")
        .then_some(("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER", "rust-lld"))
}

/// Whether the project's own `.cargo/config.toml` names a linker for `target`.
fn configures_linker(dir: &Path, target: &str) -> bool {
    [".cargo/config.toml", ".cargo/config"].iter().any(|file| {
        std::fs::read_to_string(dir.join(file)).is_ok_and(|text| {
            text.contains(&format!("[target.{target}]")) && text.contains("linker")
        })
    })
}

/// `cargo`, the one running this CLI when there is one (`CARGO`), else from `PATH`.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The executable among cargo's JSON messages: the project's binary. With several, the one
/// built from `src/main.rs`.
fn executable(messages: &str, dir: &Path) -> anyhow::Result<PathBuf> {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    let mut binaries: Vec<(String, PathBuf, PathBuf)> = Vec::new();
    for line in messages.lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let is_bin = message["target"]["kind"]
            .as_array()
            .is_some_and(|kinds| kinds.iter().any(|k| k == "bin"));
        let manifest = message["manifest_path"]
            .as_str()
            .map(Path::new)
            .and_then(|p| p.canonicalize().ok());
        let ours = manifest.as_deref().and_then(Path::parent) == Some(dir.as_path());
        if message["reason"] != "compiler-artifact" || !is_bin || !ours {
            continue;
        }
        if let Some(path) = message["executable"].as_str() {
            let name = message["target"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let source = PathBuf::from(message["target"]["src_path"].as_str().unwrap_or_default());
            binaries.push((name, source, PathBuf::from(path)));
        }
    }
    if binaries.len() > 1 {
        let main = dir.join("src").join("main.rs");
        if let Some(position) = binaries.iter().position(|(_, source, _)| *source == main) {
            return Ok(binaries.swap_remove(position).2);
        }
        let names: Vec<&str> = binaries.iter().map(|(name, ..)| name.as_str()).collect();
        bail!(
            "the project builds several binaries ({}) and none from src/main.rs: which one is the app?",
            names.join(", ")
        );
    }
    match binaries.pop() {
        Some((_, _, path)) => Ok(path),
        None => bail!(
            "the project builds no binary: its src/main.rs should build the app and call `chalice::run(app)`"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm64_links_with_rust_lld_unless_the_project_says_otherwise() {
        assert_eq!(static_linker("x86_64-unknown-linux-musl"), None);
        assert_eq!(
            static_linker("aarch64-unknown-linux-musl"),
            Some(("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER", "rust-lld"))
        );
        let dir = std::env::temp_dir().join(format!("chalice-linker-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".cargo")).expect("temp dir");
        assert!(!configures_linker(&dir, "aarch64-unknown-linux-musl"));
        std::fs::write(
            dir.join(".cargo/config.toml"),
            "[target.aarch64-unknown-linux-musl]\nlinker = \"aarch64-linux-musl-gcc\"\n",
        )
        .expect("write");
        assert!(configures_linker(&dir, "aarch64-unknown-linux-musl"));
        assert!(!configures_linker(&dir, "x86_64-unknown-linux-musl"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
