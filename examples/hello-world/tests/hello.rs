//! The README's promise: `GET /` answers `{"hello":"world"}`, over a real socket on the
//! binary `cargo run -p hello-world` starts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_binary_serves_hello_world() {
    let child = Command::new(env!("CARGO_BIN_EXE_hello-world"))
        .args(["--port", "0"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the example");
    let mut running = Running(child);
    let stderr = running.0.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let deadline = Instant::now() + Duration::from_secs(20);
    let addr = loop {
        assert!(Instant::now() < deadline, "no 'Serving on' line");
        let line = lines.next().expect("a line").expect("utf-8");
        if let Some(url) = line.strip_prefix("Serving on http://") {
            break url.to_owned();
        }
    };
    let mut stream = TcpStream::connect(&addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response.contains("content-type: application/json\r\n"),
        "{response}"
    );
    assert!(
        response.ends_with("\r\n\r\n{\"hello\":\"world\"}"),
        "{response}"
    );
}

#[test]
fn a_bad_flag_is_a_usage_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_hello-world"))
        .arg("--prot")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: unexpected argument '--prot'"),
        "{stderr}"
    );
}

#[test]
fn help_describes_the_modes() {
    let output = Command::new(env!("CARGO_BIN_EXE_hello-world"))
        .arg("--help")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("Runs the chalice app 'helloworld'"),
        "{stdout}"
    );
    assert!(stdout.contains("--port PORT"), "{stdout}");
}
