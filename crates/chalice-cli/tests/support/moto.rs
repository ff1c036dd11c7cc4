//! moto's server (PyPI `moto[server]`), the AWS emulator the deploy tests run against: started
//! on 127.0.0.1 with a free port, in the Docker-free Lambda mode, with its request recorder
//! on (so a test can count the calls the CLI really sent), and stopped when dropped.
//!
//! `.ci/run` installs it into `target/chalice-test-tools/moto`; outside CI, a missing server
//! is installed there on first use, and if that fails the test is skipped with a message.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running moto server.
pub(crate) struct Moto {
    child: Child,
    /// `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL`.
    pub(crate) endpoint: String,
    address: String,
    recording: PathBuf,
}

/// One request moto received, as its recorder wrote it.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) method: String,
    pub(crate) url: String,
    pub(crate) headers: serde_json::Map<String, serde_json::Value>,
    pub(crate) body: String,
}

impl Recorded {
    /// `Service.Operation` as the AWS SDK names it, read from the request (the JSON
    /// protocols name it in `X-Amz-Target`, the query protocol in `Action=`, REST ones by
    /// method and path).
    pub(crate) fn operation(&self) -> String {
        if let Some(target) = self.header("x-amz-target") {
            return target.rsplit('.').next().unwrap_or(&target).to_owned();
        }
        if let Some(action) = self
            .body
            .split('&')
            .find_map(|pair| pair.strip_prefix("Action="))
        {
            return action.to_owned();
        }
        let path = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |(_, rest)| {
                rest.find('/').map_or("/", |at| &rest[at..])
            });
        format!("{} {}", self.method, path.split('?').next().unwrap_or(path))
    }

    /// Whether the request asks for a change: any method but GET/HEAD, except the
    /// query/JSON protocols' reads (all POSTs), told by their operation's name.
    pub(crate) fn changes(&self) -> bool {
        let operation = self.operation();
        if operation.contains(' ') {
            return !matches!(self.method.as_str(), "GET" | "HEAD");
        }
        !["Get", "List", "Describe", "Filter"]
            .iter()
            .any(|prefix| operation.starts_with(prefix))
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .and_then(|(_, value)| value.as_str().map(str::to_owned))
    }
}

impl Moto {
    /// Starts a server, or `None` (test skipped) when moto is unavailable outside CI.
    pub(crate) fn start(work: &Path) -> Option<Moto> {
        let server = moto_server()?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let address = format!("127.0.0.1:{port}");
        let recording = work.join("moto-recording.jsonl");
        let log = std::fs::File::create(work.join("moto.log")).expect("moto's log");
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_RECORDER_FILEPATH", &recording)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()));
        let moto = Moto {
            child,
            endpoint: format!("http://{address}"),
            address,
            recording,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while moto.request("GET", "/moto-api/data.json", "").is_none() {
            assert!(
                Instant::now() < deadline,
                "moto did not answer on {} within 60 s; its log: {}",
                moto.endpoint,
                work.join("moto.log").display()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        moto.configure();
        Some(moto)
    }

    /// Lambda without Docker: invocations echo their payload, or answer what
    /// [`Moto::queue_lambda_result`] queued. Must be set before functions are created (the
    /// setting switches moto to another Lambda store).
    fn configure(&self) {
        self.post("/moto-api/config", r#"{"lambda": {"use_docker": false}}"#);
    }

    /// A runtime for the SDK and the configuration of AWS clients of the test's own, pointed
    /// at this server, in `region`, with moto's test credentials.
    #[allow(
        dead_code,
        reason = "each test binary compiles the support it does not use"
    )]
    pub(crate) fn sdk_config(
        &self,
        region: &str,
    ) -> (tokio::runtime::Runtime, aws_config::SdkConfig) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let config = runtime.block_on(
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .endpoint_url(&self.endpoint)
                .region(aws_config::Region::new(region.to_owned()))
                .credentials_provider(aws_sdk_lambda::config::Credentials::new(
                    "testing", "testing", None, None, "test",
                ))
                .http_client(aws_smithy_http_client::Builder::new().build_http())
                .load(),
        );
        (runtime, config)
    }

    /// `chalice` run in `project`, pointed at this server in `region`, with no credentials
    /// or profile from the machine it runs on.
    #[allow(
        dead_code,
        reason = "each test binary compiles the support it does not use"
    )]
    pub(crate) fn chalice(&self, project: &Path, region: &str) -> Command {
        let mut command = super::project::chalice(project);
        let nowhere = project.join("no-such-aws-file");
        command
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", region)
            .env("AWS_CONFIG_FILE", &nowhere)
            .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_DEFAULT_REGION");
        command
    }

    /// The next invocation of any function (in `region`) answers `result`.
    #[allow(
        dead_code,
        reason = "each test binary compiles the support it does not use"
    )]
    pub(crate) fn queue_lambda_result(&self, region: &str, result: &str) {
        let body = serde_json::json!({"results": [result], "region": region}).to_string();
        self.post("/moto-api/static/lambda-simple/response", &body);
    }

    /// Starts recording requests, forgetting those recorded before.
    pub(crate) fn start_recording(&self) {
        self.post("/moto-api/recorder/reset-recording", "");
        self.post("/moto-api/recorder/start-recording", "");
    }

    /// The requests recorded since [`Moto::start_recording`], and stops recording.
    pub(crate) fn stop_recording(&self) -> Vec<Recorded> {
        self.post("/moto-api/recorder/stop-recording", "");
        let text = std::fs::read_to_string(&self.recording).unwrap_or_default();
        text.lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| {
                let entry: serde_json::Value =
                    serde_json::from_str(line).expect("a recorded request");
                let body = entry["body"].as_str().unwrap_or_default();
                let body = if entry["body_encoded"] == true {
                    use base64::Engine;
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(body)
                        .unwrap_or_default();
                    String::from_utf8_lossy(&bytes).into_owned()
                } else {
                    body.to_owned()
                };
                Recorded {
                    method: entry["method"].as_str().unwrap_or_default().to_owned(),
                    url: entry["url"].as_str().unwrap_or_default().to_owned(),
                    headers: entry["headers"].as_object().cloned().unwrap_or_default(),
                    body,
                }
            })
            .collect()
    }

    /// A call of an AWS query-protocol API (`Action=CreateQueue&...`) that the CLI has no
    /// client for, signed with a made-up signature (moto reads the service from the
    /// credential scope and checks nothing else); the response's body.
    #[allow(
        dead_code,
        reason = "each test binary compiles the support it does not use"
    )]
    pub(crate) fn query(&self, service: &str, body: &str) -> String {
        self.call(service, "application/x-www-form-urlencoded", "", body)
    }

    /// A call of an AWS JSON-protocol API (`X-Amz-Target: DynamoDB_20120810.CreateTable`)
    /// the CLI has no client for, signed as [`Moto::query`] signs; the response's body.
    #[allow(
        dead_code,
        reason = "each test binary compiles the support it does not use"
    )]
    pub(crate) fn json(&self, service: &str, target: &str, body: &str) -> String {
        self.call(
            service,
            "application/x-amz-json-1.0",
            &format!("X-Amz-Target: {target}\r\n"),
            body,
        )
    }

    fn call(&self, service: &str, content_type: &str, headers: &str, body: &str) -> String {
        let mut stream = TcpStream::connect(&self.address).expect("moto answers");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("a timeout");
        write!(
            stream,
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\n{headers}\
             Authorization: AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/{service}/aws4_request, \
             SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.address,
            body.len()
        )
        .expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("moto's answer");
        assert!(
            response.starts_with("HTTP/1.1 2") || response.starts_with("HTTP/1.0 2"),
            "{service} {body}: {response}"
        );
        response
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_owned())
            .unwrap_or_default()
    }

    fn post(&self, path: &str, body: &str) {
        let answer = self.request("POST", path, body);
        assert!(
            answer.as_ref().is_some_and(|(status, _)| *status < 300),
            "POST {path} to moto: {answer:?}"
        );
    }

    /// One HTTP/1.1 request; the status and body, or `None` when moto does not answer.
    fn request(&self, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
        let mut stream = TcpStream::connect(&self.address).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .ok()?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.address,
            body.len()
        )
        .ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        let status = response.split(' ').nth(1)?.parse().ok()?;
        let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
        Some((status, body))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `moto_server` from the test tools' venv (installed there when missing), else `None`
/// outside CI; in CI a missing server fails the test.
fn moto_server() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/chalice-test-tools/moto");
    let server = venv.join("bin/moto_server");
    if server.is_file() {
        return Some(server);
    }
    let runs = |program: &Path, args: &[&str]| {
        Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    let made = runs(
        Path::new("python3"),
        &["-m", "venv", &venv.to_string_lossy()],
    ) && runs(
        &venv.join("bin/pip"),
        &[
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "moto[server]",
        ],
    );
    if made && server.is_file() {
        return Some(server);
    }
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    assert!(
        !in_ci,
        "moto's server is not installed and could not be installed into {}: .ci/run installs \
         it before the tests",
        venv.display()
    );
    #[allow(clippy::print_stderr)]
    {
        eprintln!("SKIPPED: moto's server is not installed and `pip install moto[server]` failed");
    }
    None
}

/// The actions of a deploy's plan, as `chalice deploy --json` prints them.
#[allow(
    dead_code,
    reason = "each test binary compiles the support it does not use"
)]
pub(crate) fn actions(result: &serde_json::Value) -> Vec<String> {
    result["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|step| step["action"].as_str().expect("an action").to_owned())
        .collect()
}
