//! The chat page in a real browser: headless Chromium (Debian's `chromium`, which `.ci/run`
//! installs) opens the page twice, and what one page says appears on the other.
//!
//! The test drives Chromium through its DevTools protocol, over the WebSocket client the
//! other tests use: two targets (tabs) on the page `GET /` serves, each evaluating
//! JavaScript in the page. Without Chromium the test is skipped, except under CI (`CI` set),
//! where it fails.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

/// The browser's executable: `$CHROMIUM`, else the first of Debian's and others' names on
/// `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// A headless Chromium with its own profile, killed (and its profile removed) when dropped.
struct Browser {
    child: Child,
    profile: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Its helper processes may still be writing there for a moment after it ends.
        for _ in 0..20 {
            if std::fs::remove_dir_all(&self.profile).is_ok() || !self.profile.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Browser {
    /// Starts Chromium with its DevTools endpoint on a free port; that endpoint's URL.
    fn launch(executable: &PathBuf) -> (Browser, String) {
        let profile =
            std::env::temp_dir().join(format!("chat-browser-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).expect("a profile directory");
        let child = Command::new(executable)
            .args([
                "--headless=new",
                // Root in a container has no user namespace for the sandbox.
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", executable.display()));
        let browser = Browser { child, profile };
        // Chromium writes the port it took, and the browser target's path, in this file.
        let active = browser.profile.join("DevToolsActivePort");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(text) = std::fs::read_to_string(&active)
                && let Some((port, path)) = text.split_once('\n')
                && !path.trim().is_empty()
            {
                let url = format!("ws://127.0.0.1:{}{}", port.trim(), path.trim());
                return (browser, url);
            }
            assert!(
                Instant::now() < deadline,
                "Chromium did not open its DevTools port within 60 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A DevTools protocol session on the browser target.
struct Devtools {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

impl Devtools {
    /// Calls `method` (on the page of `session`, if given); its result.
    async fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut call = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            call["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(call.to_string()))
            .await
            .expect("send to Chromium");
        loop {
            let message = tokio::time::timeout(Duration::from_secs(30), self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("Chromium did not answer {method} within 30 s"));
            let Some(Ok(Message::Text(text))) = message else {
                panic!("Chromium's DevTools connection ended: {message:?}");
            };
            let answer: Value = serde_json::from_str(&text).expect("DevTools JSON");
            // Events (no id) and other calls' answers are not this call's.
            if answer["id"] != id {
                continue;
            }
            assert!(answer.get("error").is_none(), "{method}: {answer}");
            return answer["result"].clone();
        }
    }

    /// Opens `url` in a new tab; the tab's session.
    async fn open(&mut self, url: &str) -> String {
        let target = self
            .call(None, "Target.createTarget", json!({"url": url}))
            .await;
        let attached = self
            .call(
                None,
                "Target.attachToTarget",
                json!({"targetId": target["targetId"], "flatten": true}),
            )
            .await;
        attached["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned()
    }

    /// The value of the JavaScript `expression` in the tab of `session`.
    async fn eval(&mut self, session: &str, expression: &str) -> Value {
        let result = self
            .call(
                Some(session),
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true}),
            )
            .await;
        result["result"]["value"].clone()
    }

    /// Waits until `expression` is true in the tab of `session`.
    async fn wait_for(&mut self, session: &str, expression: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.eval(session, expression).await != json!(true) {
            assert!(
                Instant::now() < deadline,
                "`{expression}` still not true after 30 s; the page: {}",
                self.eval(session, "document.body.innerText").await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_browser_tabs_chat() {
    let Some(executable) = chromium() else {
        assert!(
            !in_ci(),
            "Chromium is missing: .ci/run installs Debian's `chromium` (apt-get install chromium)"
        );
        // Outside CI, a machine without Chromium skips this test.
        return;
    };
    let served = common::serve();
    let (_browser, devtools_url) = Browser::launch(&executable);
    let (socket, _) = connect_async(devtools_url.as_str())
        .await
        .expect("connect to Chromium's DevTools");
    let mut devtools = Devtools { socket, next_id: 0 };

    let page = format!("http://{}/", served.addr);
    let first = devtools.open(&page).await;
    let second = devtools.open(&page).await;
    let open = r#"document.body.dataset.state === "open""#;
    devtools.wait_for(&first, open).await;
    devtools.wait_for(&second, open).await;

    devtools
        .eval(&first, r#"say("hello from the first tab")"#)
        .await;
    let said = r#"document.getElementById("log").textContent.includes("hello from the first tab")"#;
    devtools.wait_for(&second, said).await;
    devtools.wait_for(&first, said).await;

    devtools
        .eval(&second, r#"say("and back from the second")"#)
        .await;
    let answered =
        r#"document.getElementById("log").textContent.includes("and back from the second")"#;
    devtools.wait_for(&first, answered).await;
}
