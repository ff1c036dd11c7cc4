//! The command line as a user types it: what the `chalice` binary accepts, refuses and
//! prints before it builds anything. (The workflow test covers what it does with a real
//! project.)

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
            &[
                "package",
                "--pkg-format",
                "terraform",
                "out",
                "--template-format",
                "yaml",
            ],
            "error: the argument '--template-format yaml' cannot be used with '--pkg-format terraform': \
             a Terraform configuration is JSON (chalice.tf.json)\n\nUsage: chalice package [OPTIONS] <OUT>\n",
        ),
        (
            &[
                "package",
                "out",
                "--merge-template",
                "extra.yaml",
                "--pkg-format=terraform",
            ],
            "error: the argument '--merge-template <FILE>' cannot be used with '--pkg-format terraform': \
             it merges into a SAM template; edit or override chalice.tf.json instead\n",
        ),
        (
            // This CLI's spelling for a while, not Chalice's: answered with Chalice's.
            &["package", "--stage", "prod", "terraform", "out"],
            "error: unexpected argument 'out' found\n\n  tip: the kind of template is an option, \
             as in Chalice: 'chalice package --pkg-format terraform out'\n",
        ),
        (
            &["package", "out", "more"],
            "error: unexpected argument 'more' found\n\nUsage: chalice package [OPTIONS] <OUT>\n",
        ),
        (
            &["package", "--pkg-format", "sam", "out"],
            "error: invalid value 'sam' for '--pkg-format <FORMAT>'\n  [possible values: cloudformation, terraform]\n",
        ),
        (
            &["package"],
            "error: the following required arguments were not provided:\n  <OUT>",
        ),
        (
            &["package", "--pkg-format", "terraform"],
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

/// Chalice's spellings of `package` get past the parser: what stops them here is only that
/// the directory is not a project.
#[test]
fn chalices_package_options_are_accepted() {
    let cases: &[&[&str]] = &[
        &["package", "--pkg-format", "terraform", "out"],
        &[
            "package",
            "--pkg-format",
            "terraform",
            "--stage",
            "prod",
            "out",
            "--json",
        ],
        &[
            "package",
            "--pkg-format",
            "terraform",
            "--template-format",
            "json",
            "out",
        ],
        &[
            "package",
            "--pkg-format",
            "cloudformation",
            "out",
            "--template-format",
            "yaml",
        ],
        &[
            "package",
            "--template-format",
            "YAML",
            "--merge-template",
            "extra.yaml",
            "out",
        ],
        &["package", "terraform"],
    ];
    for args in cases {
        let (status, stdout, stderr) = chalice(args);
        assert_eq!(status, Some(2), "{args:?}: {stderr}");
        assert_eq!(stdout, "", "{args:?}");
        assert!(
            stderr.starts_with("error: ")
                && stderr.contains("has no Cargo.toml: run this in a chalice project"),
            "{args:?}:\n{stderr}"
        );
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
        "--pkg-format <FORMAT>",
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

/// A directory with a Cargo.toml (never built) and this `.chalice/config.json`.
fn project_with_config(name: &str, config: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    std::fs::create_dir_all(dir.join(".chalice")).expect("temp dir");
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"never-built\"\n",
    )
    .expect("write");
    std::fs::write(dir.join(".chalice/config.json"), config).expect("write");
    dir
}

#[test]
fn config_mistakes_are_all_reported_and_unknown_keys_warned_before_anything_builds() {
    let dir = project_with_config(
        "config-mistakes",
        r#"{"app_name": "a", "lambda_timout": 30, "lambda_memory_size": 64,
            "stages": {"dev": {"xray": "on"}}}"#,
    );
    let dir_arg = dir.to_string_lossy().into_owned();
    let (status, stdout, stderr) = chalice(&["--project-dir", &dir_arg, "package", "out"]);
    assert_eq!(status, Some(2), "{stderr}");
    assert_eq!(stdout, "");
    let config = dir.join(".chalice/config.json");
    assert_eq!(
        stderr,
        format!(
            "error: {} has 2 mistakes:\n  stages.dev.xray: must be true or false, not \"on\"\n  \
             lambda_memory_size: must be a whole number from 128 to 10240, not 64\n",
            config.display()
        )
    );

    std::fs::write(&config, r#"{"app_name": "a", "lambda_timout": 30}"#).expect("write");
    let (status, _, stderr) = chalice(&[
        "--project-dir",
        &dir_arg,
        "package",
        "out",
        "--stage",
        "prod",
    ]);
    assert_eq!(status, Some(2), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "warning: {0}: lambda_timout: unknown key, ignored; did you mean \"lambda_timeout\"?\n\
             error: {0}: stages: has no stage \"prod\" (stages here: none); add \"prod\": {{}} under \"stages\"\n",
            config.display()
        )
    );
}

#[test]
fn chalices_commands_not_here_yet_say_what_to_use_instead() {
    let cases: &[(&[&str], &str)] = &[(
        &["generate-sdk", "--sdk-type", "javascript", "out"],
        "generate-sdk",
    )];
    for (args, name) in cases {
        let (status, stdout, stderr) = chalice(args);
        assert_eq!(status, Some(2), "{args:?}: {stderr}");
        assert_eq!(stdout, "", "{args:?}");
        let expected = format!(
            "error: `chalice {name}` is not available yet in chalice for Rust; until it is, "
        );
        assert!(stderr.starts_with(&expected), "{args:?}:\n{stderr}");
        assert!(!stderr.contains("similar"), "{args:?}:\n{stderr}");
    }
    let (_, stdout, _) = chalice(&["--help"]);
    for command in ["deploy", "delete", "url", "logs", "invoke", "gen-policy"] {
        assert!(
            stdout
                .lines()
                .any(|line| line.trim_start().starts_with(command)),
            "{command} is offered now that it exists:\n{stdout}"
        );
    }
    assert!(
        !stdout
            .lines()
            .any(|line| line.trim_start().starts_with("generate-sdk")),
        "not offered before it exists:\n{stdout}"
    );
}

/// What a save can't fix ends `chalice local` at once, before any build, even under
/// autoreload (which waits for saves): a regression test for a taken port, which once gave a
/// warning and a wait for a file change that could never help.
#[test]
fn local_refuses_what_no_save_can_fix_before_building() {
    let dir = project_with_config("local", r#"{"app_name": "a"}"#);
    let dir_arg = dir.to_string_lossy().into_owned();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let cases: &[(&[&str], Option<i32>, String)] = &[
        (
            &["--port", &port],
            Some(1),
            format!(
                "error: cannot listen on 127.0.0.1:{port}: port {port} is already in use (is \
                 another `chalice local` running?); choose another port with --port\n"
            ),
        ),
        (
            &["--host", "example.com"],
            Some(2),
            "error: invalid --host 'example.com': expected an IP address such as 127.0.0.1\n"
                .to_owned(),
        ),
        // Once printed the error and waited for a save that could never come.
        (
            &["--stage", "prod"],
            Some(2),
            format!(
                "error: {}: stages: has no stage \"prod\" (stages here: none); add \"prod\": {{}} \
                 under \"stages\"\n",
                dir.join(".chalice/config.json").display()
            ),
        ),
    ];
    for (args, status, expected) in cases {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chalice"))
            .args(["--project-dir", &dir_arg, "local"])
            .args(*args)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chalice runs");
        let deadline = Instant::now() + Duration::from_secs(30);
        while child.try_wait().expect("wait").is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                let output = child.wait_with_output().expect("output");
                panic!(
                    "{args:?}: still running after 30 s:\n{}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let output = child.wait_with_output().expect("output");
        assert_eq!(output.status.code(), *status, "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            *expected,
            "{args:?}"
        );
    }
}

/// `url` prints what the state file records, REST or (with `--websocket`) WebSocket, and
/// names the flag when the other one is there.
#[test]
fn url_prints_the_recorded_api_or_names_the_one_there_is() {
    let dir = project_with_config("url", r#"{"app_name": "a"}"#);
    let dir_arg = dir.to_string_lossy().into_owned();
    let rest = r#"{"name": "rest_api", "resource_type": "rest_api", "rest_api_id": "abc",
        "rest_api_url": "https://abc.execute-api.us-east-1.amazonaws.com/api/"}"#;
    let websocket = r#"{"name": "websocket_api", "resource_type": "websocket_api",
        "websocket_api_id": "def",
        "websocket_api_url": "wss://def.execute-api.us-east-1.amazonaws.com/api/"}"#;
    let state = dir.join(".chalice/deployed/dev.json");
    let cases: &[(&[&str], &[&str], Option<i32>, String)] = &[
        (
            &[rest, websocket],
            &[],
            Some(0),
            "https://abc.execute-api.us-east-1.amazonaws.com/api/\n".to_owned(),
        ),
        (
            &[rest, websocket],
            &["--websocket"],
            Some(0),
            "wss://def.execute-api.us-east-1.amazonaws.com/api/\n".to_owned(),
        ),
        (
            &[websocket],
            &[],
            Some(2),
            "error: stage dev has no REST API, only a WebSocket API: `chalice url --websocket \
             --stage dev` prints its wss:// URL\n"
                .to_owned(),
        ),
        (
            &[rest],
            &["--websocket"],
            Some(2),
            format!(
                "error: stage dev has no deployed WebSocket API ({} records none): the app \
                 declares no WebSocket handler, or its deploy did not finish; deploy it with \
                 `chalice deploy --stage dev`\n",
                state.display()
            ),
        ),
    ];
    std::fs::create_dir_all(state.parent().expect("a folder")).expect("create");
    for (records, args, status, expected) in cases {
        std::fs::write(
            &state,
            format!(
                r#"{{"resources": [{}], "schema_version": "2.0", "backend": "api"}}"#,
                records.join(",")
            ),
        )
        .expect("write the state");
        let (code, stdout, stderr) =
            chalice(&[&["--project-dir", &dir_arg, "url"][..], args].concat());
        assert_eq!(code, *status, "{records:?} {args:?}: {stderr}");
        let printed = if *status == Some(0) { stdout } else { stderr };
        assert_eq!(printed, *expected, "{records:?} {args:?}");
    }
}

/// A payload that is not JSON is refused before anything is built or called, locally and
/// against AWS: a regression test for `--payload '{bad'`, which once built and ran the app
/// to be told `Chalice.InvalidEvent … key must be a string`, labelled "(Unhandled)".
#[test]
fn invoke_refuses_a_payload_that_is_not_json_before_building() {
    let dir = project_with_config("invoke", r#"{"app_name": "a"}"#);
    let dir_arg = dir.to_string_lossy().into_owned();
    // Each case: arguments after `invoke -n worker`, stdin, stderr.
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["--local", "--payload", "{bad"],
            "",
            "error: --payload is not JSON: key must be a string at line 1 column 2\n",
        ),
        (
            &["--payload", "{bad"],
            "",
            "error: --payload is not JSON: key must be a string at line 1 column 2\n",
        ),
        (
            &["--local", "--payload", ""],
            "",
            "error: --payload is not JSON: EOF while parsing a value at line 1 column 0\n",
        ),
        (
            &["--local"],
            "{\"Records\": [\n  {\"body\": \"x\",}\n]}",
            "error: the payload on stdin is not JSON: key must be a string at line 2 column 16\n",
        ),
        (
            &[],
            "[1, 2] 3",
            "error: the payload on stdin is not JSON: trailing characters at line 1 column 8\n",
        ),
    ];
    for (args, stdin, expected) in cases {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chalice"))
            .args(["--project-dir", &dir_arg, "invoke", "-n", "worker"])
            .args(*args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chalice runs");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        let output = child.wait_with_output().expect("output");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(String::from_utf8_lossy(&output.stdout), "", "{args:?}");
        assert_eq!(stderr, *expected, "{args:?}");
    }
}
