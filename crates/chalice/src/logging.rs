//! Log output: Chalice's `name - LEVEL - message` for `app.log`, one line per request for the
//! local server (events of target [`REQUEST_TARGET`]), which can go elsewhere or nowhere.

use std::cell::RefCell;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::PathBuf;
use std::sync::Arc;

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};

use chalice_local::REQUEST_TARGET;

/// Where the local server's per-request lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RequestLog {
    /// Nowhere (and nothing is formatted).
    Off,
    /// To stderr, with the other log lines (the default).
    Stderr,
    /// To stdout.
    Stdout,
    /// Appended to a file.
    File(PathBuf),
}

impl RequestLog {
    /// `off`, `stderr`, `stdout`, or a file's path.
    pub(crate) fn parse(text: &str) -> Option<RequestLog> {
        Some(match text {
            "" => return None,
            "off" => RequestLog::Off,
            "stderr" => RequestLog::Stderr,
            "stdout" => RequestLog::Stdout,
            path => RequestLog::File(PathBuf::from(path)),
        })
    }
}

/// Installs the log output, unless the program installed a subscriber of its own (then the
/// program decides, by target, what to do with the request lines too).
///
/// `app.log` filters by its own level, so every level of target `chalice::app` passes here;
/// other targets (hyper, the Lambda runtime) print `INFO` and up.
pub(crate) fn install<W, O>(writer: W, requests: &RequestLog) -> Result<(), RequestLogError>
where
    W: Fn() -> O + Send + Sync + 'static,
    O: io::Write,
{
    let subscriber = subscriber(writer, requests)?;
    // An error means a subscriber is already set: the user's choice wins.
    let _ = tracing::subscriber::set_global_default(subscriber);
    Ok(())
}

/// The subscriber `install` installs.
///
/// Our own, not `tracing-subscriber`'s `fmt` layer: the lines need a target filter and one
/// format, no spans, and the layer's registry and formatting machinery cost every Lambda
/// bootstrap about 40 KB.
fn subscriber<W, O>(writer: W, requests: &RequestLog) -> Result<LineSubscriber<W>, RequestLogError>
where
    W: Fn() -> O + Send + Sync + 'static,
    O: io::Write,
{
    let requests = match requests {
        RequestLog::Off => Requests::Off,
        RequestLog::Stderr => Requests::Stderr,
        RequestLog::Stdout => Requests::Stdout,
        RequestLog::File(path) => {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|source| RequestLogError {
                    path: path.clone(),
                    source,
                })?;
            Requests::File(Arc::new(file))
        }
    };
    Ok(LineSubscriber { writer, requests })
}

/// Where the request lines go, once opened.
#[derive(Clone)]
enum Requests {
    Off,
    Stderr,
    Stdout,
    File(Arc<File>),
}

impl Requests {
    fn write(&self, lines: &[u8]) -> io::Result<()> {
        match self {
            Requests::Off => Ok(()),
            Requests::Stderr => io::stderr().write_all(lines),
            Requests::Stdout => io::stdout().write_all(lines),
            Requests::File(file) => (&**file).write_all(lines),
        }
    }

    fn same(&self, other: &Requests) -> bool {
        match (self, other) {
            (Requests::File(a), Requests::File(b)) => Arc::ptr_eq(a, b),
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        }
    }
}

/// The request lines a server thread has formatted and not written yet.
///
/// A line per request written as it comes costs a `write` system call per request, and
/// the server's threads, each writing its lines, contend for stderr's lock (a `futex` call
/// per request more): together about a tenth of what a small request costs the local
/// server. A thread of the local server's runtime holds its lines instead, and writes them
/// in one call when it runs out of work ([`write_held_lines`], called as the thread parks),
/// before it writes any other line, and when it holds [`HELD_MAX`] bytes. A developer
/// watching the server sees each line as soon as the server is idle again, as before.
struct Held {
    lines: String,
    to: Requests,
}

/// The most bytes of request lines a thread holds before writing them.
const HELD_MAX: usize = 8 * 1024;

thread_local! {
    /// `Some` on the threads that hold their request lines (the local server's runtime).
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
}

impl Held {
    fn write(&mut self) {
        if !self.lines.is_empty() {
            let _ = self.to.write(self.lines.as_bytes());
            self.lines.clear();
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.write();
    }
}

/// From now on this thread holds its request lines until [`write_held_lines`] (the local
/// server's runtime calls it as each of its threads starts).
pub(crate) fn hold_request_lines() {
    HELD.with(|held| {
        *held.borrow_mut() = Some(Held {
            lines: String::new(),
            to: Requests::Off,
        });
    });
}

/// Writes the request lines this thread holds (as the thread parks, and as it stops).
pub(crate) fn write_held_lines() {
    let _ = HELD.try_with(|held| {
        if let Ok(mut held) = held.try_borrow_mut()
            && let Some(held) = held.as_mut()
        {
            held.write();
        }
    });
}

/// Appends the request line of `event` to this thread's held lines, if it holds them;
/// `false` when it does not (the line is then the caller's to write).
fn hold(to: &Requests, event: &Event<'_>) -> bool {
    HELD.try_with(|held| {
        let Ok(mut held) = held.try_borrow_mut() else {
            return false;
        };
        let Some(held) = held.as_mut() else {
            return false;
        };
        if !held.to.same(to) {
            held.write();
            held.to = to.clone();
        }
        event.record(&mut Line(&mut held.lines));
        held.lines.push('\n');
        if held.lines.len() >= HELD_MAX {
            held.write();
        }
        true
    })
    .unwrap_or(false)
}

/// Writes one line per event: every level of `chalice::app` (`app.log` filters by its own
/// level), the request lines unless they are off, `INFO` and up of every other target.
/// Spans are accepted and ignored: the lines never show them.
struct LineSubscriber<W> {
    /// The destination of every line but the request lines.
    writer: W,
    requests: Requests,
}

impl<W> LineSubscriber<W> {
    /// The most verbose level let through for `target`. With the request log off, its
    /// target is off, so the server never even formats the line (`tracing::enabled!` is
    /// false).
    fn level_for(&self, target: &str) -> LevelFilter {
        if target.starts_with(REQUEST_TARGET) {
            match self.requests {
                Requests::Off => LevelFilter::OFF,
                _ => LevelFilter::INFO,
            }
        } else if target.starts_with("chalice::app") {
            LevelFilter::TRACE
        } else {
            LevelFilter::INFO
        }
    }
}

impl<W, O> Subscriber for LineSubscriber<W>
where
    W: Fn() -> O + Send + Sync + 'static,
    O: io::Write,
{
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        // The filter reads nothing but the callsite's target and level: decided once.
        if self.enabled(meta) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        self.level_for(meta.target()) >= *meta.level()
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::TRACE)
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let meta = event.metadata();
        let is_request = meta.target().starts_with(REQUEST_TARGET);
        if is_request {
            if matches!(self.requests, Requests::Off) {
                return;
            }
            if meta.target() == REQUEST_TARGET && hold(&self.requests, event) {
                return;
            }
        } else {
            // This thread's request lines come first, as they were logged first.
            write_held_lines();
        }
        let line = format_line(event);
        // One `write` per line: an append-only file gets each line whole.
        let _ = if is_request {
            self.requests.write(line.as_bytes())
        } else {
            (self.writer)().write_all(line.as_bytes())
        };
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

/// The line for `event`, its newline included.
fn format_line(event: &Event<'_>) -> String {
    use std::fmt::Write as _;
    let meta = event.metadata();
    if meta.target() == REQUEST_TARGET {
        // The server's one line per request, formatted by the server already: written into
        // the line as it is recorded, without the copy and the formatting the other lines
        // take.
        let mut line = String::with_capacity(64);
        event.record(&mut Line(&mut line));
        line.push('\n');
        return line;
    }
    let mut fields = Fields::default();
    event.record(&mut fields);
    let level = match *meta.level() {
        Level::WARN => "WARNING",
        ref level => level.as_str(),
    };
    let mut line = String::with_capacity(fields.message.len() + 32);
    // Writing to a `String` cannot fail.
    let _ = match (meta.target(), fields.logger) {
        // Chalice's FORMAT_STRING: '%(name)s - %(levelname)s - %(message)s'.
        ("chalice::app", Some(logger)) => {
            writeln!(line, "{logger} - {level} - {}", fields.message)
        }
        // Our own lines read like cargo's: plain for news, `error: ...` for trouble.
        (target, _) if target.starts_with("chalice::") => match *meta.level() {
            Level::INFO => writeln!(line, "{}", fields.message),
            _ => writeln!(line, "{}: {}", level.to_ascii_lowercase(), fields.message),
        },
        (target, _) => writeln!(line, "{level} {target}: {}", fields.message),
    };
    line
}

/// The request log's file cannot be opened.
#[derive(Debug)]
pub(crate) struct RequestLogError {
    path: PathBuf,
    source: io::Error,
}

impl fmt::Display for RequestLogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot open the request log {}: {} (set --request-log or CHALICE_REQUEST_LOG to off, stderr, stdout or a writable file)",
            self.path.display(),
            self.source
        )
    }
}

/// A request line's fields, written as they are recorded: its message (the line), then
/// any other field as ` name=value`.
struct Line<'a>(&'a mut String);

impl Visit for Line<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        use std::fmt::Write as _;
        // Writing to a `String` cannot fail.
        let _ = match field.name() {
            "message" => self.0.write_str(value),
            name => write!(self.0, " {name}={value}"),
        };
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        use std::fmt::Write as _;
        let _ = match field.name() {
            "message" => write!(self.0, "{value:?}"),
            name => write!(self.0, " {name}={value:?}"),
        };
    }
}

#[derive(Default)]
struct Fields {
    logger: Option<String>,
    message: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "logger" => self.logger = Some(value.to_owned()),
            "message" => self.message.push_str(value),
            name => self.message.push_str(&format!(" {name}={value}")),
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        use std::fmt::Write as _;
        // Written straight into the line (a `String` cannot fail to grow).
        let _ = match field.name() {
            "message" => write!(self.message, "{value:?}"),
            "logger" => {
                self.logger = Some(format!("{value:?}"));
                Ok(())
            }
            name => write!(self.message, " {name}={value:?}"),
        };
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A log destination the test can read back.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("buffer").extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Buffer {
        /// The writer maker `subscriber` takes, writing here.
        fn maker(&self) -> impl Fn() -> Buffer + Send + Sync + 'static {
            let buffer = self.clone();
            move || buffer.clone()
        }

        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().expect("buffer")).into_owned()
        }
    }

    /// What the local server logs: its own news, and one line per request.
    fn emit() -> bool {
        tracing::info!(target: "chalice::local", "Serving on http://127.0.0.1:8000");
        tracing::info!(target: REQUEST_TARGET, message = "GET /todos 200 0.182ms");
        tracing::enabled!(target: REQUEST_TARGET, Level::INFO)
    }

    /// Regression (issue 14, item 6): the request lines went to stderr whatever one wanted
    /// (a 2-minute wrk run wrote 135 MB there). They can be turned off, and then cost no
    /// formatting, or sent to a file, and the other lines stay where they were.
    #[test]
    fn request_lines_go_where_they_are_sent() {
        let file =
            std::env::temp_dir().join(format!("chalice-requests-{}.log", std::process::id()));
        let _ = std::fs::remove_file(&file);
        let cases: &[(RequestLog, bool, &str)] = &[
            (RequestLog::Off, false, ""),
            (
                RequestLog::File(file.clone()),
                true,
                "GET /todos 200 0.182ms\n",
            ),
        ];
        for (requests, enabled, in_file) in cases {
            let main = Buffer::default();
            let subscriber = subscriber(main.maker(), requests).expect("subscriber");
            let was_enabled = tracing::subscriber::with_default(subscriber, emit);
            assert_eq!(was_enabled, *enabled, "{requests:?}");
            assert_eq!(
                main.text(),
                "Serving on http://127.0.0.1:8000\n",
                "{requests:?}"
            );
            assert_eq!(
                std::fs::read_to_string(&file).unwrap_or_default(),
                *in_file,
                "{requests:?}"
            );
        }
        let _ = std::fs::remove_file(&file);
    }

    /// A thread of the local server's runtime holds its request lines: they are written
    /// when it runs out of work (`write_held_lines`, as it parks), before any other line it
    /// logs, and when the thread ends; a thread that does not hold them writes each at once.
    #[test]
    fn held_request_lines_are_written_when_the_thread_idles() {
        let file = std::env::temp_dir().join(format!("chalice-held-{}.log", std::process::id()));
        let read = || std::fs::read_to_string(&file).unwrap_or_default();
        // (what the thread does, the request log's content after it)
        type Step = fn();
        let steps: &[(Step, &str)] = &[
            (
                || tracing::info!(target: REQUEST_TARGET, message = "GET / 200 0.1ms"),
                "",
            ),
            (
                || tracing::info!(target: REQUEST_TARGET, message = "GET /a 404 0.2ms"),
                "",
            ),
            (write_held_lines, "GET / 200 0.1ms\nGET /a 404 0.2ms\n"),
            (
                || tracing::info!(target: REQUEST_TARGET, message = "GET /b 200 0.3ms"),
                "GET / 200 0.1ms\nGET /a 404 0.2ms\n",
            ),
            (
                || tracing::info!(target: "chalice::local", "Shutting down"),
                "GET / 200 0.1ms\nGET /a 404 0.2ms\nGET /b 200 0.3ms\n",
            ),
            (
                || tracing::info!(target: REQUEST_TARGET, message = "GET /c 200 0.4ms"),
                "GET / 200 0.1ms\nGET /a 404 0.2ms\nGET /b 200 0.3ms\n",
            ),
        ];
        for held in [true, false] {
            let _ = std::fs::remove_file(&file);
            let main = Buffer::default();
            let subscriber =
                subscriber(main.maker(), &RequestLog::File(file.clone())).expect("subscriber");
            let subscriber = Arc::new(subscriber);
            std::thread::scope(|scope| {
                let thread = scope.spawn(|| {
                    tracing::subscriber::with_default(Arc::clone(&subscriber), || {
                        if held {
                            hold_request_lines();
                        }
                        let mut all = String::new();
                        for (step, expected) in steps {
                            step();
                            if held {
                                assert_eq!(read(), *expected);
                            }
                        }
                        for line in ["GET / 200 0.1ms", "GET /a 404 0.2ms", "GET /b 200 0.3ms"] {
                            all.push_str(line);
                            all.push('\n');
                        }
                        if !held {
                            all.push_str("GET /c 200 0.4ms\n");
                            assert_eq!(read(), all, "written at once");
                        }
                    });
                });
                // Joined by hand: the scope's own wait ends when the closure returns, before
                // the thread's locals are dropped, and the held lines are written then.
                if let Err(panic) = thread.join() {
                    std::panic::resume_unwind(panic);
                }
            });
            // The thread has ended: its last line is written too.
            let mut all = String::from("GET / 200 0.1ms\nGET /a 404 0.2ms\nGET /b 200 0.3ms\n");
            all.push_str("GET /c 200 0.4ms\n");
            assert_eq!(read(), all, "held: {held}");
            assert_eq!(main.text(), "Shutting down\n");
        }
        let _ = std::fs::remove_file(&file);
    }

    /// Each line as Chalice and cargo print theirs, and the levels let through per target.
    #[test]
    fn lines_read_as_chalice_prints_them() {
        // (what is logged, the line it prints; "" for a line filtered out)
        let cases: &[(fn(), &str)] = &[
            (
                || tracing::info!(target: "chalice::app", logger = "app", "ready"),
                "app - INFO - ready\n",
            ),
            (
                || tracing::warn!(target: "chalice::app", logger = "app", "low on {}", "disk"),
                "app - WARNING - low on disk\n",
            ),
            (
                || tracing::trace!(target: "chalice::app", logger = "app.db", "query"),
                "app.db - TRACE - query\n",
            ),
            (
                || tracing::error!(target: "chalice::lambda", "the runtime is gone"),
                "error: the runtime is gone\n",
            ),
            (
                || tracing::info!(target: "chalice::local", "Serving on http://[::1]:8000"),
                "Serving on http://[::1]:8000\n",
            ),
            (
                || tracing::warn!(target: "hyper::proto", code = 7, "odd frame"),
                "WARNING hyper::proto: odd frame code=7\n",
            ),
            (|| tracing::debug!(target: "hyper::proto", "parsed"), ""),
            (|| tracing::debug!(target: "chalice::local", "accepted"), ""),
            (
                || tracing::info!(target: REQUEST_TARGET, "GET / 200 0.1ms"),
                "",
            ),
        ];
        for (log, line) in cases {
            let main = Buffer::default();
            let subscriber = subscriber(main.maker(), &RequestLog::Off).expect("subscriber");
            tracing::subscriber::with_default(subscriber, log);
            assert_eq!(main.text(), *line);
        }
    }

    #[test]
    fn a_request_log_that_cannot_be_opened_is_a_clear_error() {
        let path = PathBuf::from("/nonexistent-directory/requests.log");
        let error = subscriber(Buffer::default().maker(), &RequestLog::File(path))
            .err()
            .expect("an error");
        assert_eq!(
            error.to_string(),
            "cannot open the request log /nonexistent-directory/requests.log: No such file or directory (os error 2) \
             (set --request-log or CHALICE_REQUEST_LOG to off, stderr, stdout or a writable file)"
        );
    }
}
