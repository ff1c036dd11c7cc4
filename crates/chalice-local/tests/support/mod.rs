//! A local server as a process of its own, as a developer runs it: the test binary run
//! again with [`CHILD`] set, running only its `child_server` function, which serves an app
//! and reports what its handlers see with [`say`]. A signal needs a process of its own to
//! land in, and the process's environment is the server's to read.

#![allow(dead_code)] // each test file uses its part

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Set in the environment of the child process: it serves instead of testing.
pub(crate) const CHILD: &str = "CHALICE_LOCAL_TEST_CHILD";

/// Whether this process is the child, which serves.
pub(crate) fn is_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// What marks the child's own lines: libtest writes `test child_server ... ` before the
/// first, on the same line.
pub(crate) const MARK: &str = "child: ";

pub(crate) fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{MARK}{line}");
    let _ = out.flush();
}

/// The child server, and the lines it prints.
pub(crate) struct ChildServer {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl ChildServer {
    /// Starts the child server with `env` added to its environment; its address.
    pub(crate) fn start(env: &[(&str, &str)]) -> (ChildServer, SocketAddr) {
        let mut child = Command::new(std::env::current_exe().expect("the test binary"))
            .args([
                "--exact",
                "child_server",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the child server starts");
        let stdout = child.stdout.take().expect("piped");
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let Some((_, line)) = line.split_once(MARK) else {
                    continue;
                };
                if send.send(line.to_owned()).is_err() {
                    break;
                }
            }
        });
        let mut server = ChildServer { child, lines };
        let addr = server.next_line("listening ").parse().expect("an address");
        (server, addr)
    }

    /// The rest of the next line starting with `prefix`, within 10 s.
    pub(crate) fn next_line(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix(prefix) {
                        return rest.to_owned();
                    }
                }
                Err(error) => panic!("no line {prefix:?} from the server: {error}"),
            }
        }
    }

    /// Sends `signal` (`INT`, `TERM`) to the server.
    pub(crate) fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// The exit status and how long it took, waiting at most 15 s.
    pub(crate) fn wait(&mut self, since: Instant) -> (Option<i32>, Duration) {
        while since.elapsed() < Duration::from_secs(15) {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return (status.code(), since.elapsed());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("the server did not exit within 15 s of the signal");
    }

    /// Every line printed until the process ended.
    pub(crate) fn rest(&mut self) -> Vec<String> {
        let mut rest = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            rest.push(line);
        }
        rest
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request on a fresh connection, as curl sends it: status and body.
pub(crate) fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String) {
    use std::io::Read as _;
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a timeout");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("an answer");
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}
