//! The command line as a user types it: what the `chalice` binary accepts, refuses and
//! prints before it builds anything. (The workflow test covers what it does with a real
//! project.)

use std::path::PathBuf;
use std::process::Command;

fn chalice(args: &[&str]) -> (Option<i32>, String, String) {
    let run = Command::new(env!("CARGO_BIN_EXE_chalice"))
        .args(args)
        .current_dir(empty_dir())
        .env("NO_COLOR", "1")
        .output()
        .expect("chalice runs");
    (
        run.status.code(),
        String::from_utf8_lossy(&run.stdout).into_owned(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

/// A directory that is not a project, so that nothing the test runs can build anything.
fn empty_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-empty");
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn meaningless_combinations_are_refused_by_the_parser() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["package", "terraform", "out", "--template-format", "yaml"],
            "error: unexpected argument '--template-format' found",
        ),
        (
            &[
                "package",
                "terraform",
                "out",
                "--merge-template",
                "extra.yaml",
            ],
            "error: unexpected argument '--merge-template' found",
        ),
        (
            &["package", "out", "--pkg-format", "terraform"],
            "error: invalid value 'terraform' for '--pkg-format <FORMAT>': Terraform has its own command, with its own options: chalice package terraform OUT",
        ),
        (
            &["package"],
            "error: the following required arguments were not provided:\n  <OUT>",
        ),
        (
            &["package", "terraform"],
            "error: the following required arguments were not provided:\n  <OUT>",
        ),
        (
            &["--quiet", "--verbose", "local"],
            "error: the argument '--quiet' cannot be used with '--verbose'",
        ),
        (
            &["--color", "sometimes", "local"],
            "error: invalid value 'sometimes' for '--color <WHEN>'",
        ),
    ];
    for (args, expected) in cases {
        let (status, stdout, stderr) = chalice(args);
        assert_eq!(status, Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with(expected), "{args:?}:\n{stderr}");
        assert_eq!(stdout, "", "{args:?}");
    }
}

#[test]
fn help_lists_the_commands_and_the_global_flags() {
    let (status, stdout, _) = chalice(&["--help"]);
    assert_eq!(status, Some(0));
    for expected in [
        "new-project",
        "local",
        "package",
        "generate-models",
        "[alias: openapi]",
        "--color <WHEN>",
        "--quiet",
        "--verbose",
        "--project-dir <DIR>",
    ] {
        assert!(stdout.contains(expected), "no {expected:?} in:\n{stdout}");
    }
    let (status, stdout, _) = chalice(&["package", "--help"]);
    assert_eq!(status, Some(0));
    for expected in [
        "cloudformation",
        "terraform",
        "--template-format",
        "--merge-template",
        "--json",
    ] {
        assert!(stdout.contains(expected), "no {expected:?} in:\n{stdout}");
    }
}

#[test]
fn outside_a_project_the_commands_say_how_to_get_one() {
    let (status, stdout, stderr) = chalice(&["package", "out"]);
    assert_eq!(status, Some(2), "{stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.ends_with(
            "has no Cargo.toml: run this in a chalice project (create one with `chalice new-project NAME`) or point at one with --project-dir\n"
        ),
        "{stderr}"
    );
}
