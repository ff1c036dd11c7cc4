//! The workflow a user follows, end to end, with the real `chalice` binary:
//! new-project → local (a request answered; an edit picked up; a broken build leaves the
//! last good server answering; Ctrl-C stops everything) → package (a zip with an
//! executable `bootstrap` and a template).
//!
//! Builds of the generated project go to their own target directory (kept between runs, so
//! only the first run compiles the dependencies): the outer `cargo test` holds the lock on
//! the workspace's.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Long enough for a first build of the dependencies on two cores.
const BUILD_PATIENCE: Duration = Duration::from_secs(600);

fn chalice(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_chalice"));
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("NO_COLOR", "1");
    command
}

fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("workflow-target")
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("workflow-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn get(addr: &str, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
}

/// Waits until `check` holds, or fails the test with `what`.
fn wait_for(what: &str, patience: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + patience;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    /// The next stderr line that starts with `prefix`.
    fn line_starting(&mut self, prefix: &str, patience: Duration) -> String {
        let deadline = Instant::now() + patience;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.starts_with(prefix) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no line starting with {prefix:?}; output so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn new_project_local_package() {
    let work = fresh_dir("demo");
    let status = chalice(&work)
        .args(["new-project", "demo"])
        .status()
        .expect("chalice runs");
    assert!(status.success());
    let project = work.join("demo");
    for file in [
        "Cargo.toml",
        "src/main.rs",
        ".chalice/config.json",
        ".gitignore",
    ] {
        assert!(project.join(file).is_file(), "{file}");
    }

    // chalice local: serve, answer, rebuild on a change.
    let mut child = chalice(&project)
        .args(["local", "--port", "0"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("chalice local runs");
    let stderr = child.stderr.take().expect("stderr");
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    let mut local = Running {
        child,
        lines,
        seen: Vec::new(),
    };
    let serving = local.line_starting("Serving on http://", BUILD_PATIENCE);
    let addr = serving.trim_start_matches("Serving on http://").to_owned();
    assert_eq!(get(&addr, "/").as_deref(), Some(r#"{"hello":"world"}"#));

    let main = project.join("src/main.rs");
    let source = std::fs::read_to_string(&main).expect("main.rs");
    std::fs::write(&main, source.replace(r#""world""#, r#""again""#)).expect("edit");
    let serving = local.line_starting("Serving on http://", BUILD_PATIENCE);
    let addr = serving.trim_start_matches("Serving on http://").to_owned();
    wait_for("the edited app", Duration::from_secs(30), || {
        get(&addr, "/").as_deref() == Some(r#"{"hello":"again"}"#)
    });

    std::fs::write(&main, source.replace("fn index()", "fn index( broken")).expect("break");
    local.line_starting(
        "error: this file contains an unclosed delimiter",
        BUILD_PATIENCE,
    );
    local.line_starting(
        "warning: the build failed: the last good build is still serving",
        BUILD_PATIENCE,
    );
    assert_eq!(
        get(&addr, "/").as_deref(),
        Some(r#"{"hello":"again"}"#),
        "the last good build answers"
    );

    // Ctrl-C stops the CLI and the app it runs.
    let pid = local.child.id().to_string();
    Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    let deadline = Instant::now() + Duration::from_secs(20);
    while local.child.try_wait().expect("wait").is_none() {
        assert!(
            Instant::now() < deadline,
            "chalice local did not stop on Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    wait_for("the app to stop listening", Duration::from_secs(10), || {
        TcpStream::connect(&addr).is_err()
    });
    std::fs::write(&main, &source).expect("restore");
}
