//! `chalice invoke --local`: any event handler or pure function, run in the app's own binary
//! (the `events` example, a chalice project of this workspace), the event from stdin or
//! `--payload`; no AWS.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/events")
}

/// The workspace's target directory: the example's build shares the test build's artifacts.
fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_owned()
}

/// Runs `chalice invoke --local ARGS` in the example with `stdin`: status, stdout, stderr.
fn invoke(args: &[&str], stdin: &str) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chalice"))
        .args(["--quiet", "invoke", "--local"])
        .args(args)
        .current_dir(example())
        .env("CARGO_TARGET_DIR", target_dir())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chalice runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let run = child.wait_with_output().expect("chalice runs");
    (
        run.status.code(),
        String::from_utf8_lossy(&run.stdout).into_owned(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

#[test]
fn handlers_run_locally_on_an_event() {
    let sqs = r#"{"Records": [
        {"messageId": "m1", "receiptHandle": "h", "body": "{\"image\": \"a.png\", \"width\": 10}"},
        {"messageId": "m2", "receiptHandle": "h", "body": "not a job"}
    ]}"#;
    // Each case: arguments, stdin, exit status, stdout, what stderr holds (the app's log
    // lines, passed on, then the failure).
    let cases: &[(&[&str], &str, Option<i32>, &str, &[&str])] = &[
        (
            &["-n", "worker"],
            sqs,
            Some(0),
            "{\"batchItemFailures\":[{\"itemIdentifier\":\"m2\"}]}\n",
            &[],
        ),
        (
            &[
                "-n",
                "on_upload",
                "--payload",
                r#"{"Records": [{"eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": "uploads"}, "object": {"key": "incoming/e.csv", "size": 0}}}]}"#,
            ],
            "",
            Some(1),
            "",
            &[
                "events - ERROR - Caught exception for function on_upload",
                "error: the function failed (Unhandled): BadRequestError: function \"on_upload\" failed: incoming/e.csv is empty",
            ],
        ),
        (
            &["-n", "nope"],
            "{}",
            Some(1),
            "",
            &[
                "error: the function failed (Unhandled): Chalice.UnknownFunction: the app has no function \"nope\" (it has \"nightly\", \"on_upload\", \"worker\")",
            ],
        ),
    ];
    for (args, stdin, status, stdout, stderr) in cases {
        let (got_status, got_stdout, got_stderr) = invoke(args, stdin);
        assert_eq!(got_status, *status, "{args:?}: {got_stderr}");
        assert_eq!(got_stdout, *stdout, "{args:?}");
        for line in *stderr {
            assert!(got_stderr.contains(line), "{args:?}: {got_stderr}");
        }
    }
}
