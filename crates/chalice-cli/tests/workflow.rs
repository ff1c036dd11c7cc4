//! The workflow a user follows, end to end, with the real `chalice` binary:
//! new-project → local (a request answered; an edit picked up; a broken build leaves the
//! last good server answering; Ctrl-C stops everything) → package (a zip with an
//! executable `bootstrap` and a template).
//!
//! Builds of the generated project share the workspace's target directory (cargo releases
//! its lock once the test binaries are built), with the workspace's `Cargo.lock` copied into
//! the project: the same dependency versions, features and profiles hash to the same
//! artifacts, so the release build for Lambda reuses what `.ci/run` compiled for the
//! `hello-world` bootstrap, and compiles little more than the app itself.

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
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_owned()
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
    /// Ctrl-C first, so that `chalice local` stops the app it runs even when the test
    /// failed; a kill only if it does not stop (a killed CLI would leave its app running).
    fn drop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(None)) {
            return;
        }
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The generated project's build outputs in the shared target directory, removed when the
/// test ends. The project is named after the test process, so two test runs at once (two
/// checkouts' worth of engineers on one machine) never build the same binary.
struct Artifacts(String);

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
                if name == self.0
                    || name.starts_with(&format!("{}-", self.0))
                    || name.starts_with(&format!("{}.", self.0))
                {
                    let path = entry.path();
                    let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
                }
            }
        }
    }
}

#[test]
fn new_project_local_package() {
    let name = format!("demo{}", std::process::id());
    let _artifacts = Artifacts(name.clone());
    let work = fresh_dir("demo");
    let status = chalice(&work)
        .args(["new-project", &name])
        .status()
        .expect("chalice runs");
    assert!(status.success());
    let project = work.join(&name);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock"),
        project.join("Cargo.lock"),
    )
    .expect("copy the workspace's Cargo.lock");
    for file in [
        "Cargo.toml",
        "src/lib.rs",
        "src/main.rs",
        &format!("tests/{name}.rs"),
        ".chalice/config.json",
        ".gitignore",
    ] {
        assert!(project.join(file).is_file(), "{file}");
    }

    // The project's own test passes: the test client over the app its lib.rs builds.
    let run = Command::new(env!("CARGO"))
        .args(["test", "--quiet"])
        .current_dir(&project)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("cargo test runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success() && stdout.contains("test result: ok. 1 passed"),
        "the new project's tests:\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );

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

    let lib_rs = project.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib_rs).expect("lib.rs");
    std::fs::write(&lib_rs, source.replace(r#""world""#, r#""again""#)).expect("edit");
    let serving = local.line_starting("Serving on http://", BUILD_PATIENCE);
    let addr = serving.trim_start_matches("Serving on http://").to_owned();
    wait_for("the edited app", Duration::from_secs(30), || {
        get(&addr, "/").as_deref() == Some(r#"{"hello":"again"}"#)
    });

    std::fs::write(&lib_rs, source.replace("fn index()", "fn index( broken")).expect("break");
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
    std::fs::write(&lib_rs, &source).expect("restore");

    package(&project, &name);
}

/// chalice package, generate-models, and the mistakes they refuse.
fn package(project: &Path, name: &str) {
    // Refused before anything is built: exit 2, the problem named.
    let refusals: &[(&[&str], &str)] = &[(
        &["package", "out", "--stage", "prod"],
        r#".chalice/config.json: stages: has no stage "prod" (stages here: dev)"#,
    )];
    for (args, expected) in refusals {
        let run = chalice(project).args(*args).output().expect("chalice runs");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }

    let run = chalice(project)
        .args(["package", "out"])
        .output()
        .expect("chalice package runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "chalice package failed:\n{stderr}");
    for line in [
        "Wrote out/deployment.zip (",
        "Wrote out/sam.json (SAM template: 1 function, a REST API with 1 route, stage \"api\")",
        &format!(
            "aws cloudformation deploy --template-file out/packaged.yaml --stack-name {name}-dev"
        ),
    ] {
        assert!(stderr.contains(line), "no {line:?} in:\n{stderr}");
    }

    // The zip holds an executable `bootstrap` that is the app.
    let out = project.join("out");
    let zip = std::fs::File::open(out.join("deployment.zip")).expect("deployment.zip");
    let mut archive = zip::ZipArchive::new(zip).expect("a zip");
    assert_eq!(archive.len(), 1, "only bootstrap");
    let mut entry = archive.by_name("bootstrap").expect("a bootstrap entry");
    assert_eq!(entry.unix_mode().map(|mode| mode & 0o777), Some(0o755));
    let bootstrap = out.join("bootstrap");
    let mut file = std::fs::File::create(&bootstrap).expect("extract");
    std::io::copy(&mut entry, &mut file).expect("extract");
    drop(file);
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&bootstrap, std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
    }
    let run = Command::new(&bootstrap)
        .arg("--manifest")
        .output()
        .expect("bootstrap runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&run.stdout).expect("bootstrap --manifest prints JSON");
    assert_eq!(manifest["app_name"], name);
    assert_eq!(manifest["routes"][0]["path"], "/");

    let template: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("sam.json")).expect("sam.json"))
            .expect("sam.json is JSON");
    let function = &template["Resources"]["APIHandler"]["Properties"];
    assert_eq!(function["CodeUri"], "./deployment.zip");
    assert_eq!(function["Runtime"], "provided.al2023");
    assert_eq!(function["Handler"], "bootstrap");
    let paths = &template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"];
    assert!(
        paths["/"]["get"]["x-amazon-apigateway-integration"].is_object(),
        "{paths}"
    );

    // Terraform, from the builds already made.
    let run = chalice(project)
        .args(["package", "terraform", "out-tf"])
        .output()
        .expect("chalice package runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let terraform: serde_json::Value = serde_json::from_slice(
        &std::fs::read(project.join("out-tf/chalice.tf.json")).expect("chalice.tf.json"),
    )
    .expect("chalice.tf.json is JSON");
    assert_eq!(
        terraform["resource"]["aws_lambda_function"]["api_handler"]["function_name"],
        format!("{name}-dev")
    );
    assert!(project.join("out-tf/deployment.zip").is_file());

    // The OpenAPI document on stdout, nothing else there.
    let run = chalice(project)
        .arg("openapi")
        .output()
        .expect("chalice openapi runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let document: serde_json::Value =
        serde_json::from_slice(&run.stdout).expect("stdout is the JSON document");
    assert_eq!(document["openapi"], "3.0.1");
    assert_eq!(document["info"]["title"], name);
    assert!(document["paths"]["/"]["get"].is_object(), "{document}");
}
