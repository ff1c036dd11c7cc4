//! The C compiler a static Lambda build may need, checked before the release build starts.
//!
//! Lambda's bootstrap is built for a musl target. Pure Rust needs nothing more, but a
//! dependency that compiles C code with the `cc` crate (ring, which the `websocket-api`
//! feature brings, is the usual one) needs a C compiler for that target, and the host's is
//! not one: cc-rs looks for `x86_64-linux-musl-gcc` or `musl-gcc` (x86_64), and
//! `aarch64-linux-musl-gcc` (arm64). Without it the build fails deep in the dependency's
//! build script (`failed to find tool "x86_64-linux-musl-gcc"`), after minutes of
//! compiling; [`check`] says so up front, naming the crate and the fix.
//!
//! The dependencies are read with `cargo tree` (no build; `cargo metadata` would unify the
//! features of a whole workspace, dev dependencies included, and name crates the bootstrap
//! never builds). The check never stands in the way when it can't tell (cargo fails): the
//! build then reports whatever it finds.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::UsageError;

/// Fails with a hint when building `dir` for the musl `target` needs a C compiler for it
/// and none is found (see the module's documentation).
/// `cargo` makes the command that runs cargo (the build's own, `CARGO` when set).
pub(crate) fn check(dir: &Path, target: &str, cargo: fn() -> Command) -> Result<(), UsageError> {
    check_in(dir, target, |name| std::env::var_os(name), cargo)
}

/// [`check`] in the environment `env` gives (`PATH` included).
fn check_in(
    dir: &Path,
    target: &str,
    env: impl Fn(&str) -> Option<OsString>,
    cargo: fn() -> Command,
) -> Result<(), UsageError> {
    let path = env("PATH");
    if !target.ends_with("-musl")
        || configured(target, &env)
        || found(target, |program| on_path(path.as_deref(), program))
    {
        return Ok(());
    }
    match compiling_c(dir, target, cargo).as_deref() {
        None | Some([]) => Ok(()),
        Some(crates) => Err(UsageError(hint(target, crates))),
    }
}

/// Whether the environment names a C compiler for `target`, as cc-rs reads it.
fn configured(target: &str, env: impl Fn(&str) -> Option<OsString>) -> bool {
    let underscored = target.replace('-', "_");
    [
        format!("CC_{target}"),
        format!("CC_{underscored}"),
        "TARGET_CC".to_owned(),
        "CC".to_owned(),
        "CROSS_COMPILE".to_owned(),
    ]
    .iter()
    .any(|name| env(name).is_some_and(|value| !value.is_empty()))
}

/// The compilers cc-rs looks for, for `target`.
fn compilers(target: &str) -> &'static [&'static str] {
    match target {
        "x86_64-unknown-linux-musl" => &["x86_64-linux-musl-gcc", "musl-gcc"],
        "aarch64-unknown-linux-musl" => &["aarch64-linux-musl-gcc"],
        _ => &[],
    }
}

/// Whether one of `target`'s compilers is there.
fn found(target: &str, exists: impl Fn(&str) -> bool) -> bool {
    // A target we know no compiler names of: not ours to judge.
    compilers(target).is_empty() || compilers(target).iter().any(|name| exists(name))
}

/// Whether `program` is an executable file in one of the directories of `path` (`PATH`).
fn on_path(path: Option<&std::ffi::OsStr>, program: &str) -> bool {
    path.is_some_and(|path| {
        std::env::split_paths(path).any(|dir| {
            std::fs::metadata(dir.join(program))
                .is_ok_and(|meta| meta.is_file() && executable(&meta))
        })
    })
}

#[cfg(unix)]
fn executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn executable(_: &std::fs::Metadata) -> bool {
    true
}

/// The crates building `dir`'s package for `target` compiles that build C code with `cc`
/// (`name vX.Y.Z`), from `cargo tree`, which resolves features as the build does (dev
/// dependencies apart, even in a workspace); `None` when cargo can't tell.
fn compiling_c(dir: &Path, target: &str, cargo: fn() -> Command) -> Option<Vec<String>> {
    let run = cargo()
        .args(["tree", "--target", target, "--edges", "normal,build"])
        .args(["--prefix", "depth", "--format", "{p}", "--invert", "cc"])
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .ok()?;
    if run.status.success() {
        return Some(dependents(&String::from_utf8_lossy(&run.stdout)));
    }
    // No package named cc in the build: nothing compiles C.
    String::from_utf8_lossy(&run.stderr)
        .contains("did not match any packages")
        .then(Vec::new)
}

/// The direct dependents of `cc` in `cargo tree --invert cc --prefix depth --format {p}`'s
/// output (the lines at depth 1), as `name vX.Y.Z`.
fn dependents(tree: &str) -> Vec<String> {
    let found: BTreeSet<String> = tree
        .lines()
        .filter_map(|line| line.strip_prefix('1'))
        // Not depth 10 and more.
        .filter(|rest| rest.starts_with(|c: char| !c.is_ascii_digit()))
        .map(|package| {
            // `ring v0.17.14`, without a path or a `(*)` mark.
            package.split(' ').take(2).collect::<Vec<_>>().join(" ")
        })
        .collect();
    found.into_iter().collect()
}

/// What to tell the user.
fn hint(target: &str, crates: &[String]) -> String {
    let underscored = target.replace('-', "_");
    let install = match target {
        "x86_64-unknown-linux-musl" => {
            "install musl's compiler wrapper (Debian and Ubuntu: `apt install musl-tools`), or"
        }
        _ => "install a C cross-compiler for it (such as aarch64-linux-musl-gcc), or",
    };
    let ring = if crates.iter().any(|name| name.starts_with("ring v")) {
        " (ring comes with chalice's `websocket-api` feature)"
    } else {
        ""
    };
    format!(
        "{} compile{} C code for {target}, the target of Lambda's bootstrap, and no C compiler \
         for it was found (looked for {} on PATH, and CC_{underscored}, TARGET_CC and CC in \
         the environment): {install} name one with CC_{underscored}=... and run the command \
         again{ring}",
        crates.join(", "),
        if crates.len() == 1 { "s" } else { "" },
        compilers(target).join(" or "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The command the CLI runs cargo with (`crate::cargo::cargo`), made here so that this
    /// module does not lean on the one that calls it.
    fn cargo() -> Command {
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
    }

    #[test]
    fn a_compiler_is_configured_or_found_as_cc_rs_looks_for_it() {
        let none = |_: &str| None;
        let cases: &[(&str, Option<&str>, &[&str], bool)] = &[
            // target, environment variable set, programs on PATH, compiler available
            ("x86_64-unknown-linux-musl", None, &[], false),
            ("x86_64-unknown-linux-musl", None, &["musl-gcc"], true),
            (
                "x86_64-unknown-linux-musl",
                None,
                &["x86_64-linux-musl-gcc"],
                true,
            ),
            ("x86_64-unknown-linux-musl", None, &["gcc", "cc"], false),
            (
                "x86_64-unknown-linux-musl",
                Some("CC_x86_64_unknown_linux_musl"),
                &[],
                true,
            ),
            (
                "x86_64-unknown-linux-musl",
                Some("CC_x86_64-unknown-linux-musl"),
                &[],
                true,
            ),
            ("x86_64-unknown-linux-musl", Some("TARGET_CC"), &[], true),
            ("x86_64-unknown-linux-musl", Some("CC"), &[], true),
            (
                "x86_64-unknown-linux-musl",
                Some("CC_aarch64_unknown_linux_musl"),
                &[],
                false,
            ),
            ("aarch64-unknown-linux-musl", None, &["musl-gcc"], false),
            (
                "aarch64-unknown-linux-musl",
                None,
                &["aarch64-linux-musl-gcc"],
                true,
            ),
        ];
        for (target, variable, programs, available) in cases {
            let env = |name: &str| (Some(name) == *variable).then(|| OsString::from("clang"));
            let got = configured(target, env) || found(target, |p| programs.contains(&p));
            assert_eq!(got, *available, "{target} {variable:?} {programs:?}");
        }
        assert!(!configured("x86_64-unknown-linux-musl", none));
    }

    #[test]
    fn crates_that_compile_c_for_the_target_are_named() {
        // `cargo tree` as it prints for examples/chat (websocket-api on).
        let tree = "0cc v1.11.3\n1ring v0.17.14\n2chalice-lambda v0.1.0 (/w/crates/chalice-lambda)\n\
                    3chalice v0.1.0 (/w/crates/chalice)\n4chat v0.1.0 (/w/examples/chat)\n\
                    2rustls v0.23.46\n1zstd-sys v2.0.1 (*)\n12deep v1.0.0\n";
        assert_eq!(dependents(tree), ["ring v0.17.14", "zstd-sys v2.0.1"]);
        assert_eq!(dependents(""), Vec::<String>::new());
    }

    /// The examples, read by the real `cargo tree`: chat enables `websocket-api` (ring),
    /// hello-world does not, though the workspace's tests do.
    #[test]
    fn the_examples_are_read_as_cargo_builds_them() {
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let target = "x86_64-unknown-linux-musl";
        let chat = compiling_c(&examples.join("chat"), target, cargo).expect("cargo tree runs");
        assert!(
            chat.len() == 1 && chat[0].starts_with("ring v0.17."),
            "{chat:?}"
        );
        assert_eq!(
            compiling_c(&examples.join("hello-world"), target, cargo),
            Some(Vec::new())
        );
    }

    /// `chalice package` of examples/chat where PATH has no musl-gcc: refused before the
    /// build, naming ring and the fix; with a musl-gcc (or CC named), let through.
    #[test]
    fn a_websocket_app_without_musl_gcc_is_told_what_to_install() {
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let bin = std::env::temp_dir().join(format!("chalice-no-musl-{}", std::process::id()));
        std::fs::create_dir_all(&bin).expect("a PATH directory");
        let target = "x86_64-unknown-linux-musl";
        let env_of = |vars: &'static [(&'static str, &'static str)]| {
            let bin = bin.clone();
            move |name: &str| match name {
                "PATH" => Some(bin.clone().into_os_string()),
                _ => vars
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| OsString::from(v)),
            }
        };
        let error = check_in(&examples.join("chat"), target, env_of(&[]), cargo)
            .expect_err("no C compiler for musl")
            .0;
        assert!(
            error.starts_with("ring v0.17.")
                && error.contains("compiles C code for x86_64-unknown-linux-musl")
                && error.contains("`apt install musl-tools`"),
            "{error}"
        );
        // Pure Rust needs none.
        assert_eq!(
            check_in(&examples.join("hello-world"), target, env_of(&[]), cargo),
            Ok(())
        );
        assert_eq!(
            check_in(
                &examples.join("chat"),
                target,
                env_of(&[("CC_x86_64_unknown_linux_musl", "clang")]),
                cargo
            ),
            Ok(())
        );
        // Other targets are not musl's.
        assert_eq!(
            check_in(
                &examples.join("chat"),
                "x86_64-unknown-linux-gnu",
                env_of(&[]),
                cargo
            ),
            Ok(())
        );
        let musl_gcc = bin.join("musl-gcc");
        std::fs::write(&musl_gcc, "#!/bin/sh\n").expect("a musl-gcc");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&musl_gcc, std::fs::Permissions::from_mode(0o755))
                .expect("executable");
        }
        assert_eq!(
            check_in(&examples.join("chat"), target, env_of(&[]), cargo),
            Ok(())
        );
        let _ = std::fs::remove_dir_all(&bin);
    }

    #[test]
    fn the_hint_names_the_crate_and_the_fix() {
        assert_eq!(
            hint("x86_64-unknown-linux-musl", &["ring v0.17.14".to_owned()]),
            "ring v0.17.14 compiles C code for x86_64-unknown-linux-musl, the target of \
             Lambda's bootstrap, and no C compiler for it was found (looked for \
             x86_64-linux-musl-gcc or musl-gcc on PATH, and CC_x86_64_unknown_linux_musl, \
             TARGET_CC and CC in the environment): install musl's compiler wrapper (Debian \
             and Ubuntu: `apt install musl-tools`), or name one with \
             CC_x86_64_unknown_linux_musl=... and run the command again (ring comes with \
             chalice's `websocket-api` feature)"
        );
    }
}
