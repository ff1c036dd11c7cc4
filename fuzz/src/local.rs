//! The local server's connection handling, fed the bytes a client sends.

use std::cell::RefCell;
use std::sync::OnceLock;
use std::time::Duration;

use chalice_core::adapter::Gateway;
use chalice_local::__fuzz::Harness;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

use crate::app::app;
use crate::block_on;

thread_local! {
    /// The statuses the server logged for the current input's requests.
    static STATUSES: RefCell<Vec<u16>> = const { RefCell::new(Vec::new()) };
}

/// Sends `data` on one connection to the local server (then closes the client's side).
/// The server must answer in time, write only HTTP/1.x responses, and never answer 5xx:
/// the app's views do not fail, so a 5xx is the server's.
pub fn local_request(data: &[u8]) {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    let harness = HARNESS.get_or_init(|| {
        install_status_capture();
        Harness::new(Gateway::new(app().clone()).api_keys(["fuzz-key"]))
    });
    STATUSES.with(|s| s.borrow_mut().clear());
    let output = block_on(async {
        tokio::time::timeout(Duration::from_secs(10), harness.exchange(data)).await
    })
    .unwrap_or_else(|_| panic!("the server did not finish within 10 s"));
    assert!(
        output.is_empty() || output.starts_with(b"HTTP/1.1 ") || output.starts_with(b"HTTP/1.0 "),
        "not an HTTP response: {:?}",
        String::from_utf8_lossy(&output[..output.len().min(200)])
    );
    STATUSES.with(|s| {
        let statuses = s.borrow();
        assert!(
            statuses.iter().all(|&status| status < 500),
            "the server answered {statuses:?}: {:?}",
            String::from_utf8_lossy(&output[..output.len().min(2000)])
        );
    });
}

/// Reads each request's status from the server's request log line (`GET / 200 0.1ms`).
fn install_status_capture() {
    let subscriber = tracing_subscriber::registry().with(StatusCapture);
    // In a test binary another test may have set one: then statuses are not checked.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

struct StatusCapture;

impl<S: Subscriber> Layer<S> for StatusCapture {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != chalice_local::REQUEST_TARGET {
            return;
        }
        let mut line = Line(String::new());
        event.record(&mut line);
        let status = line.0.rsplit(' ').nth(1).and_then(|s| s.parse().ok());
        if let Some(status) = status {
            STATUSES.with(|s| s.borrow_mut().push(status));
        }
    }
}

struct Line(String);

impl Visit for Line {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 5xx check is not vacuous: the statuses of the requests on the connection are seen.
    #[test]
    fn the_statuses_of_every_request_are_seen() {
        local_request(
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: x\r\n\r\nGET /typed/x HTTP/1.1\r\nHost: x\r\n\r\n",
        );
        STATUSES.with(|s| assert_eq!(*s.borrow(), [200, 403, 400]));
    }
}
