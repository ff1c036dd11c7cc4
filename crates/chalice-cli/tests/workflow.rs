//! The workflow a user follows, end to end, with the real `chalice` binary:
//! new-project → local (a request answered; edits to the code, to `.chalice/config.json` and
//! to `Cargo.toml` picked up; a broken build or a definition mistake leaves the last good app
//! answering; Ctrl-C stops everything, and so does killing the CLI) → package (a zip with an
//! executable `bootstrap` and a template).
//!
//! The generated project is built in the workspace's target directory, with its lock file
//! and dev profile (`tests/support/project.rs` says why).

mod support {
    pub(crate) mod project;
}

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use support::project::{Artifacts, WorkDir, chalice, new_project, target_dir};

/// Long enough for a first build of the dependencies on two cores.
const BUILD_PATIENCE: Duration = Duration::from_secs(600);

/// Long enough for a rebuild of the app alone on two busy cores.
const RELOAD_PATIENCE: Duration = Duration::from_secs(120);

/// A port nothing listens on now: `chalice local` serves every restart on it.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
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

/// The body of the answer to a POST of `body` as JSON.
fn post_json(addr: &str, path: &str, body: &str) -> Option<String> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
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
    /// Starts `chalice local` in `project` with these arguments, its stderr read line by line.
    fn local(project: &Path, args: &[&str]) -> Running {
        let mut child = chalice(project)
            .arg("local")
            .args(args)
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
        Running {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The next stderr line that starts with `prefix`.
    fn line_starting(&mut self, prefix: &str, patience: Duration) -> String {
        self.line(|line| line.starts_with(prefix), prefix, patience)
    }

    /// The next stderr line that contains `part`.
    fn line_containing(&mut self, part: &str, patience: Duration) -> String {
        self.line(|line| line.contains(part), part, patience)
    }

    fn line(&mut self, wanted: impl Fn(&str) -> bool, what: &str, patience: Duration) -> String {
        let deadline = Instant::now() + patience;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no line with {what:?}; output so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// The stderr lines printed over the next `window`.
    fn lines_during(&mut self, window: Duration) -> Vec<String> {
        let deadline = Instant::now() + window;
        let mut lines = Vec::new();
        while let Ok(line) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.seen.push(line.clone());
            lines.push(line);
        }
        lines
    }

    /// Waits for the CLI to end, or fails the test with `what`.
    fn wait_exit(&mut self, what: &str, patience: Duration) {
        let deadline = Instant::now() + patience;
        while self.child.try_wait().expect("wait").is_none() {
            assert!(Instant::now() < deadline, "{what}");
            std::thread::sleep(Duration::from_millis(100));
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

#[test]
fn new_project_local_package() {
    let name = format!("demo{}", std::process::id());
    let _artifacts = Artifacts(name.clone());
    let work = WorkDir::new("workflow");
    let project = new_project(&work, &name);
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

    // The examples lib.rs shows in comments build once uncommented, as a user would.
    let lib_rs = project.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib_rs).expect("lib.rs");
    std::fs::write(&lib_rs, uncomment_examples(&source)).expect("uncomment the examples");

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

    local(&project);
    package(&project, &name);
}

/// `lib.rs` of a new project with its examples uncommented: the two `app.register` lines
/// and the block of views from `// use chalice::` down to the pointer to the README.
fn uncomment_examples(lib_rs: &str) -> String {
    let mut in_examples = false;
    let mut out = String::new();
    for line in lib_rs.lines() {
        if line.starts_with("// use chalice::") {
            in_examples = true;
        } else if line.starts_with("// The README") {
            in_examples = false;
        }
        let line = match line.strip_prefix("    // app.register") {
            Some(rest) => format!("    app.register{rest}"),
            None if in_examples => line
                .strip_prefix("// ")
                .or_else(|| line.strip_prefix("//"))
                .unwrap_or(line)
                .to_owned(),
            None => line.to_owned(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    assert_eq!(
        out.matches("\n    app.register(").count(),
        2,
        "the examples' routes are registered:\n{out}"
    );
    out
}

/// chalice local: serve, answer, reload on every change, keep the last good app through
/// mistakes, and never outlive the CLI.
fn local(project: &Path) {
    let port = free_port().to_string();
    let addr = format!("127.0.0.1:{port}");
    let mut local = Running::local(project, &["--port", &port]);
    local.line_starting(&format!("Serving on http://{addr}"), BUILD_PATIENCE);
    assert_eq!(get(&addr, "/").as_deref(), Some(r#"{"hello":"world"}"#));
    // The examples of the new project's lib.rs, uncommented, answer as their comments say.
    assert_eq!(
        get(&addr, "/hello/james").as_deref(),
        Some(r#"{"hello":"james"}"#)
    );
    assert_eq!(
        post_json(&addr, "/users", r#"{"name": "ada"}"#).as_deref(),
        Some(r#"{"user":{"name":"ada"}}"#)
    );
    assert_eq!(
        post_json(&addr, "/users", "{not json").as_deref(),
        Some(r#"{"Code":"BadRequestError","Message":"Error Parsing JSON"}"#)
    );
    let answers = |expected: &str| {
        let expected = format!(r#"{{"hello":"{expected}"}}"#);
        wait_for(&expected, Duration::from_secs(30), || {
            get(&addr, "/").as_deref() == Some(expected.as_str())
        });
    };

    // An edit to the code: the app now answers with an environment variable.
    let lib_rs = project.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib_rs).expect("lib.rs");
    let greeting = source.replace(
        r#""world""#,
        r#"std::env::var("GREETING").unwrap_or_else(|_| "again".to_owned())"#,
    );
    assert_ne!(greeting, source, "the edit applies");
    std::fs::write(&lib_rs, &greeting).expect("edit");
    local.line_starting("Serving on http://", RELOAD_PATIENCE);
    answers("again");

    // An edit to .chalice/config.json alone restarts the app with the stage's new variables.
    let config_json = project.join(".chalice/config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&config_json).expect("config.json"))
            .expect("config.json is JSON");
    config["stages"]["dev"]["environment_variables"] = serde_json::json!({"GREETING": "config"});
    std::fs::write(&config_json, config.to_string()).expect("edit config.json");
    local.line_containing("Changed .chalice/config.json", RELOAD_PATIENCE);
    local.line_starting("Serving on http://", RELOAD_PATIENCE);
    answers("config");

    // Mistakes leave the last good app answering, each printed: in the configuration, in
    // the app's definition (it builds, but refuses to start), and in the code.
    let mut broken = config.clone();
    broken["stages"]["dev"]["lambda_memory_size"] = serde_json::json!(1);
    std::fs::write(&config_json, broken.to_string()).expect("break config.json");
    local.line_containing(
        "stages.dev.lambda_memory_size: must be a whole number from 128 to 10240, not 1",
        RELOAD_PATIENCE,
    );
    local.line_starting(
        "warning: the configuration has mistakes: the last good app is still serving",
        RELOAD_PATIENCE,
    );
    // One save (a truncate and a write, two events), one report: once there were two.
    let after = local.lines_during(Duration::from_secs(2));
    assert!(
        !after.iter().any(|line| line.contains("Changed")),
        "one save reported again:\n{}",
        after.join("\n")
    );
    answers("config");
    std::fs::write(&config_json, config.to_string()).expect("restore config.json");
    local.line_starting("Serving on http://", RELOAD_PATIENCE);

    let route = r#"app.route("/", index);"#;
    let mistake = greeting.replace(route, &format!(r#"{route} app.route("/bad/", index);"#));
    assert_ne!(mistake, greeting, "the edit applies");
    std::fs::write(&lib_rs, &mistake).expect("add a bad route");
    local.line_containing(
        "Route cannot end with a trailing slash: /bad/",
        RELOAD_PATIENCE,
    );
    local.line_starting(
        "warning: the app's definition has mistakes: the last good app is still serving",
        RELOAD_PATIENCE,
    );
    answers("config");

    std::fs::write(&lib_rs, greeting.replace("fn index()", "fn index( broken")).expect("break");
    local.line_starting(
        "error: this file contains an unclosed delimiter",
        RELOAD_PATIENCE,
    );
    local.line_starting(
        "warning: the build failed: the last good app is still serving",
        RELOAD_PATIENCE,
    );
    answers("config");
    std::fs::write(&lib_rs, &greeting).expect("fix");
    local.line_starting("Serving on http://", RELOAD_PATIENCE);
    answers("config");

    // Cargo.toml saved twice the way many editors save, a new file renamed over the old
    // one: the second save is seen too.
    let cargo_toml = project.join("Cargo.toml");
    for save in 1..=2 {
        let mut text = std::fs::read_to_string(&cargo_toml).expect("Cargo.toml");
        text.push_str(&format!("# save {save}\n"));
        let temporary = project.join("Cargo.toml.tmp");
        std::fs::write(&temporary, text).expect("write");
        std::fs::rename(&temporary, &cargo_toml).expect("rename over Cargo.toml");
        local.line_containing("Changed Cargo.toml", RELOAD_PATIENCE);
        local.line_starting("Serving on http://", RELOAD_PATIENCE);
    }
    answers("config");

    // Ctrl-C stops the CLI and the app it runs.
    Command::new("kill")
        .args(["-INT", &local.child.id().to_string()])
        .status()
        .expect("kill");
    local.wait_exit(
        "chalice local did not stop on Ctrl-C",
        Duration::from_secs(20),
    );
    wait_for("the app to stop listening", Duration::from_secs(10), || {
        TcpStream::connect(&addr).is_err()
    });

    // Killed outright, the CLI can't stop the app: the app stops by itself.
    let mut local = Running::local(project, &["--port", &port]);
    local.line_starting(&format!("Serving on http://{addr}"), RELOAD_PATIENCE);
    answers("config");
    local.child.kill().expect("SIGKILL chalice local");
    local.child.wait().expect("wait");
    wait_for(
        "the app to stop listening after its chalice local was killed",
        Duration::from_secs(10),
        || TcpStream::connect(&addr).is_err(),
    );
    std::fs::write(&lib_rs, &source).expect("restore");
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
        "Wrote out/sam.json (SAM template: 1 function, a REST API with 3 routes, stage \"api\")",
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
        .args(["package", "--pkg-format", "terraform", "out-tf"])
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
