//! What clients may hold of the local server: time, connections, header and body bytes.

use std::time::Duration;

/// The local server's limits, so that a stalled, oversized or flooding client cannot pin it.
///
/// | limit | default | when it is reached |
/// |---|---|---|
/// | [`request_timeout`](Limits::request_timeout) | 30 s | a request (head and body) not received in time gets 408 and the connection is closed; a connection idle that long between requests, or whose client stops reading its answer that long, is closed |
/// | [`max_connections`](Limits::max_connections) | 1,024, fewer when the process may open fewer files | a connection past it gets 503 and is closed at once |
/// | [`max_inflight_body_bytes`](Limits::max_inflight_body_bytes) | 100 MiB (ten bodies of API Gateway's largest) | a request whose body would take the request bodies in flight past it gets 503 and its connection is closed, without its body being read |
/// | [`shutdown_grace`](Limits::shutdown_grace) | 5 s | requests still running after Ctrl-C and this long are cut, and [`Stopped::requests_cut`](crate::Stopped::requests_cut) counts them |
/// | [`MAX_HEADER_BYTES`](Limits::MAX_HEADER_BYTES) | 10,240 bytes, fixed | API Gateway's own limit: 431 |
/// | [`MAX_BODY_BYTES`](chalice_core::adapter::MAX_BODY_BYTES) | 10 MiB, fixed | API Gateway's own limit: 413, without the body being read when its `Content-Length` says so |
///
/// A body is read only for a request that reaches the app: one that API Gateway would
/// answer by itself (an unknown path or method, a preflight, an authorizer's or API key's
/// refusal) is answered from its head, and so is one whose `Content-Type` the route refuses
/// (415) when the app has no middleware to see it first.
///
/// ```
/// use std::time::Duration;
/// use chalice_local::Limits;
///
/// let limits = Limits::new()
///     .request_timeout(Duration::from_secs(10))
///     .max_connections(64)
///     .shutdown_grace(Duration::ZERO);
/// # let _ = limits;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub(crate) request_timeout: Duration,
    pub(crate) max_connections: usize,
    pub(crate) shutdown_grace: Duration,
    pub(crate) max_inflight_body_bytes: usize,
}

impl Limits {
    /// The default [`request_timeout`](Limits::request_timeout): 30 s, about API Gateway's own
    /// 29 s integration timeout, and far more than any client on a working network needs to send
    /// 10 MB.
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
    /// The default [`max_connections`](Limits::max_connections), when the process may open
    /// enough files for it.
    pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
    /// The default [`shutdown_grace`](Limits::shutdown_grace).
    pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
    /// The default [`max_inflight_body_bytes`](Limits::max_inflight_body_bytes): 100 MiB,
    /// room for ten bodies of API Gateway's largest (10 MiB) at once.
    pub const DEFAULT_MAX_INFLIGHT_BODY_BYTES: usize = 100 * 1024 * 1024;
    /// API Gateway's limit on a request's head: "total combined size of request line and
    /// header values", 10,240 bytes for REST and HTTP APIs alike. Not configurable: an app
    /// that passes locally must not fail on AWS.
    pub const MAX_HEADER_BYTES: usize = 10_240;

    /// The defaults. [`max_connections`](Limits::max_connections) is lowered to fit the
    /// process's open-file limit where it can be read (`/proc/self/limits` on Linux), keeping
    /// an eighth of it (at least 32) for the app's own files, so that a flood is refused
    /// with 503 rather than left waiting in the kernel's queue.
    pub fn new() -> Self {
        Limits {
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
            max_connections: fitted_max_connections(open_file_limit()),
            shutdown_grace: Self::DEFAULT_SHUTDOWN_GRACE,
            max_inflight_body_bytes: Self::DEFAULT_MAX_INFLIGHT_BODY_BYTES,
        }
    }

    /// How long a client may take to send a whole request, head and body, counted from
    /// when the server first waits for it. Past it the client gets 408 and the connection is
    /// closed; the server goes on serving others. The same time bounds a connection idle
    /// between requests and a client that stops reading its answer. Zero is taken as one
    /// millisecond.
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// How many connections may be open at once; past it a new connection gets 503 and is
    /// closed at once. At least 1.
    #[must_use]
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// How many bytes the bodies of all requests in flight may take together. A body
    /// reserves its `Content-Length` before it is read (a chunked body, each chunk as it
    /// comes); a request whose body does not fit gets 503 and its connection is closed,
    /// rather than the server's memory growing with its clients. Bodies are read whole
    /// before the view runs, so this bounds what they take; the reservation is returned
    /// when the request is answered.
    #[must_use]
    pub fn max_inflight_body_bytes(mut self, bytes: usize) -> Self {
        self.max_inflight_body_bytes = bytes;
        self
    }

    /// How long shutdown waits for requests still running before cutting them.
    #[must_use]
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new()
    }
}

/// The default connection limit under an open-file limit of `files` (if known).
fn fitted_max_connections(files: Option<u64>) -> usize {
    let Some(files) = files else {
        return Limits::DEFAULT_MAX_CONNECTIONS;
    };
    let kept = (files / 8).max(32);
    let room = usize::try_from(files.saturating_sub(kept)).unwrap_or(usize::MAX);
    room.clamp(1, Limits::DEFAULT_MAX_CONNECTIONS)
}

/// The soft limit on open files, from `/proc/self/limits` (Linux). Read there rather than with
/// `getrlimit`, which needs `unsafe` (forbidden in this workspace) or another dependency.
fn open_file_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    parse_open_file_limit(&text)
}

fn parse_open_file_limit(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line["Max open files".len()..].split_whitespace().next()?;
    soft.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_limit_fits_the_open_file_limit() {
        let cases: &[(Option<u64>, usize)] = &[
            (None, 1024),
            (Some(1_048_576), 1024),
            (Some(1024), 896),
            (Some(256), 224),
            (Some(64), 32),
            (Some(20), 1),
        ];
        for &(files, expected) in cases {
            assert_eq!(fitted_max_connections(files), expected, "{files:?}");
        }
    }

    #[test]
    fn reads_the_soft_open_file_limit() {
        let text = "Limit                     Soft Limit           Hard Limit           Units     \n\
                    Max processes             127431               127431               processes \n\
                    Max open files            1024                 524288               files     \n";
        assert_eq!(parse_open_file_limit(text), Some(1024));
        assert_eq!(
            parse_open_file_limit("Max open files unlimited unlimited files"),
            None
        );
        assert_eq!(parse_open_file_limit(""), None);
    }
}
