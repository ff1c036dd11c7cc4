//! `chalice local` stopped while a WebSocket client is connected, as a developer stops it:
//! the app it runs (the `chat` example) closes the connection with 1001 and runs its
//! `$disconnect` handler before it exits, even when the signal reached the CLI alone (a
//! terminal's Ctrl-C reaches both; `kill -INT`, or a supervisor's signal, only the CLI).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Long enough for a first build of the example on two busy cores.
const BUILD_PATIENCE: Duration = Duration::from_secs(600);

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/chat")
}

/// The workspace's target directory: the example's build shares the test build's artifacts.
fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_owned()
}

/// The next line of `lines` that contains `part`, within `patience`.
fn line_containing(lines: &mpsc::Receiver<String>, part: &str, patience: Duration) -> String {
    let deadline = Instant::now() + patience;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(part) => return line,
            Ok(_) => {}
            Err(error) => panic!("no line with {part:?} from chalice local: {error}"),
        }
    }
}

#[test]
fn stopping_chalice_local_runs_disconnect_for_open_websockets() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let mut cli = Command::new(env!("CARGO_BIN_EXE_chalice"))
        .args(["local", "--no-autoreload", "--port", &port.to_string()])
        .current_dir(example())
        .env("CARGO_TARGET_DIR", target_dir())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chalice local runs");
    let stderr = cli.stderr.take().expect("piped");
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    line_containing(&lines, "Serving on http://", BUILD_PATIENCE);

    // A WebSocket client, by hand: the upgrade, then it waits.
    let mut client = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    client
        .set_read_timeout(Some(Duration::from_secs(15)))
        .expect("a timeout");
    let upgrade = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    client.write_all(upgrade.as_bytes()).expect("write");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        client
            .read_exact(&mut byte)
            .expect("the answer to the upgrade");
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    // The request log names the connection: `WEBSOCKET $connect ID 200 ...`.
    let connected = line_containing(&lines, "WEBSOCKET $connect ", Duration::from_secs(10));
    let id = connected
        .split("WEBSOCKET $connect ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .expect("a connection id")
        .to_owned();

    // The signal reaches the CLI alone.
    let signalled = Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &cli.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());

    // The server's close frame: 1001, going away.
    let mut frame = [0u8; 4];
    client.read_exact(&mut frame).expect("a close frame");
    assert_eq!(frame[0], 0x88, "a final close frame: {frame:?}");
    assert_eq!(u16::from_be_bytes([frame[2], frame[3]]), 1001, "{frame:?}");
    // Then `$disconnect` ran, and everything stopped.
    line_containing(
        &lines,
        &format!("WEBSOCKET $disconnect {id} 200"),
        Duration::from_secs(10),
    );
    while cli.try_wait().expect("wait").is_none() {
        assert!(
            signalled.elapsed() < Duration::from_secs(15),
            "chalice local did not stop"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
