//! `coldstart-stub`: one cold start of a Lambda bootstrap, timed from exec to its first answer.
//!
//! ```text
//! coldstart-stub --event EVENT.json [--record OUT.jsonl] [--timeout-ms 10000] [--env NAME=VALUE]... [--verbose] -- BOOTSTRAP [ARGS...]
//! ```
//!
//! It plays Lambda's side of the Runtime API on 127.0.0.1 for one invocation: it binds a free
//! port, execs the bootstrap with `AWS_LAMBDA_RUNTIME_API` pointing at it (and the
//! `AWS_LAMBDA_FUNCTION_*` variables Lambda sets), answers `GET /runtime/invocation/next`
//! with the event, and waits for `POST /runtime/invocation/{id}/response`. Every peer goes
//! through it the same way: the Rust bootstraps with their runtime crates, the Python one
//! with `peers/python/bootstrap.py`.
//!
//! The stub then reads the child's peak RSS (`VmHWM` in `/proc/<pid>/status`),
//! kills it, checks the answer is a 200, and appends one JSON line to `--record`:
//! `{"exec_to_response_us":…,"peak_rss_kb":…}`. hyperfine times whole runs of the stub
//! (its own start and the kill included); the recorded figure is exec → answer alone.
//!
//! Everything is bounded: past `--timeout-ms` the child is killed and the stub fails.

use std::fs::{self, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";

/// Set once the one invocation has been handed out: a second `next` is left unanswered (as
/// Lambda does while no event is waiting) until the stub stops the bootstrap.
static INVOKED: AtomicBool = AtomicBool::new(false);

struct Options {
    event: PathBuf,
    record: Option<PathBuf>,
    timeout: Duration,
    verbose: bool,
    env: Vec<(String, String)>,
    command: Vec<String>,
}

/// What the Runtime API side saw.
enum Outcome {
    Response(Vec<u8>),
    Error(String),
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("coldstart-stub: {message}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("coldstart-stub: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut options = Options {
        event: PathBuf::new(),
        record: None,
        timeout: Duration::from_secs(10),
        verbose: false,
        env: Vec::new(),
        command: Vec::new(),
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--event" => options.event = args.next().ok_or("--event needs a file")?.into(),
            "--record" => options.record = Some(args.next().ok_or("--record needs a file")?.into()),
            "--timeout-ms" => {
                let ms = args.next().ok_or("--timeout-ms needs a number")?;
                let ms = ms
                    .parse()
                    .map_err(|_| format!("--timeout-ms: not a number: {ms}"))?;
                options.timeout = Duration::from_millis(ms);
            }
            "--verbose" => options.verbose = true,
            "--env" => {
                let pair = args.next().ok_or("--env needs NAME=VALUE")?;
                let (name, value) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("--env: not NAME=VALUE: {pair}"))?;
                options.env.push((name.to_owned(), value.to_owned()));
            }
            "--" => {
                options.command = args.collect();
                break;
            }
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    if options.event.as_os_str().is_empty() || options.command.is_empty() {
        return Err(
            "usage: coldstart-stub --event EVENT.json [--record OUT.jsonl] \
                    [--timeout-ms MS] [--env NAME=VALUE]... [--verbose] -- BOOTSTRAP [ARGS...]"
                .to_owned(),
        );
    }
    Ok(options)
}

fn run(options: &Options) -> Result<(), String> {
    let event = fs::read(&options.event)
        .map_err(|e| format!("cannot read {}: {e}", options.event.display()))?;
    let (sender, outcomes) = mpsc::channel();
    let output = || {
        if options.verbose {
            Stdio::inherit()
        } else {
            Stdio::null()
        }
    };

    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let addr = listener.local_addr().map_err(|e| format!("bind: {e}"))?;
    let mut command = Command::new(&options.command[0]);
    command
        .args(&options.command[1..])
        .stdin(Stdio::null())
        .stdout(output())
        .stderr(output())
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench")
        .env(
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "2024/01/01/[$LATEST]0123456789abcdef",
        )
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .envs(options.env.iter().map(|(k, v)| (k, v)));
    let started = Instant::now();
    let mut child = command.spawn().map_err(|e| spawn_error(options, &e))?;
    thread::spawn(move || serve(&listener, &event, &sender));

    let outcome = outcomes.recv_timeout(options.timeout);
    let elapsed = started.elapsed();
    // Read before the kill: the peak RSS up to the first answer.
    let peak_rss_kb = peak_rss_kb(child.id());
    stop(&mut child);
    let body = match outcome {
        Ok(Outcome::Response(body)) => body,
        Ok(Outcome::Error(message)) => return Err(message),
        Err(_) => {
            return Err(format!(
                "no answer from {} within {:?}",
                options.command[0], options.timeout
            ));
        }
    };
    check_answer(&body)?;
    if let Some(path) = &options.record {
        let line = format!(
            "{{\"exec_to_response_us\":{},\"peak_rss_kb\":{}}}\n",
            elapsed.as_micros(),
            peak_rss_kb.map_or_else(|| "null".to_owned(), |kb| kb.to_string())
        );
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut file| file.write_all(line.as_bytes()))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

fn spawn_error(options: &Options, error: &io::Error) -> String {
    format!("cannot start {}: {error}", options.command[0])
}

/// The answer must be API Gateway's 200: a cold start that failed is not a fast one.
fn check_answer(body: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(body);
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.contains("\"statusCode\":200") {
        Ok(())
    } else {
        Err(format!("the answer is not a 200: {text}"))
    }
}

fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// `VmHWM` of a live process, in kB.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Accepts the bootstrap's connections; each is served on its own thread, since an HTTP
/// client may open a second connection while the first sits idle in its pool.
fn serve(listener: &TcpListener, event: &[u8], outcomes: &Sender<Outcome>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let _ = stream.set_nodelay(true);
        let event = event.to_vec();
        let outcomes = outcomes.clone();
        thread::spawn(move || {
            if let Err(error) = serve_connection(stream, &event, &outcomes) {
                if error.kind() != io::ErrorKind::UnexpectedEof {
                    let _ = outcomes.send(Outcome::Error(format!("Runtime API stub: {error}")));
                }
            }
        });
    }
}

/// One keep-alive connection of the Runtime API, for as many requests as come on it.
fn serve_connection(stream: TcpStream, event: &[u8], outcomes: &Sender<Outcome>) -> io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let Some((method, path, body)) = read_request(&mut reader)? else {
            return Ok(());
        };
        match (method.as_str(), path.as_str()) {
            ("GET", p) if p.ends_with("/runtime/invocation/next") => {
                if INVOKED.swap(true, Ordering::SeqCst) {
                    thread::sleep(Duration::from_secs(3600));
                    return Ok(());
                }
                let deadline = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_millis()
                    + 30_000;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                     Lambda-Runtime-Aws-Request-Id: {REQUEST_ID}\r\n\
                     Lambda-Runtime-Deadline-Ms: {deadline}\r\n\
                     Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:bench\r\n\
                     Lambda-Runtime-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1\r\n\
                     Content-Length: {}\r\n\r\n",
                    event.len()
                );
                writer.write_all(head.as_bytes())?;
                writer.write_all(event)?;
                writer.flush()?;
            }
            ("POST", p) if p.ends_with("/response") => {
                respond_accepted(&mut writer)?;
                let _ = outcomes.send(Outcome::Response(body));
            }
            ("POST", p) if p.ends_with("/error") => {
                respond_accepted(&mut writer)?;
                let _ = outcomes.send(Outcome::Error(format!(
                    "the bootstrap reported an error at {p}: {}",
                    String::from_utf8_lossy(&body)
                )));
            }
            _ => {
                writer.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")?;
            }
        }
    }
}

fn respond_accepted(writer: &mut TcpStream) -> io::Result<()> {
    let body = br#"{"status":"OK"}"#;
    let head = format!(
        "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    writer.write_all(head.as_bytes())?;
    writer.write_all(body)?;
    writer.flush()
}

/// Reads one HTTP/1.1 request: method, path, body (`Content-Length` or chunked).
/// `None` when the client closed the connection between requests.
fn read_request(reader: &mut impl BufRead) -> io::Result<Option<(String, String, Vec<u8>)>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut content_length = 0usize;
    let mut chunked = false;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value.parse().map_err(|_| bad("Content-Length"))?;
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = size.trim().split(';').next().unwrap_or_default();
            let size = usize::from_str_radix(size, 16).map_err(|_| bad("chunk size"))?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        body.resize(content_length, 0);
        reader.read_exact(&mut body)?;
    }
    Ok(Some((method, path, body)))
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("bad {what}"))
}
