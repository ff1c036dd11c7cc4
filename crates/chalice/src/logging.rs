//! Log output: Chalice's `name - LEVEL - message` for `app.log`, one line per request for the
//! local server (events of target [`REQUEST_TARGET`]), which can go elsewhere or nowhere.

use std::fmt;
use std::fs::OpenOptions;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::writer::{BoxMakeWriter, MakeWriterExt as _};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

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
pub(crate) fn install<W>(writer: W, requests: &RequestLog) -> Result<(), RequestLogError>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let subscriber = subscriber(writer, requests)?;
    // An error means a subscriber is already set: the user's choice wins.
    let _ = subscriber.try_init();
    Ok(())
}

/// The subscriber `install` installs.
fn subscriber<W>(
    writer: W,
    requests: &RequestLog,
) -> Result<impl Subscriber + Send + Sync + 'static, RequestLogError>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let (requests_writer, requests_level) = match requests {
        RequestLog::Off => (BoxMakeWriter::new(io::sink), LevelFilter::OFF),
        RequestLog::Stderr => (BoxMakeWriter::new(io::stderr), LevelFilter::INFO),
        RequestLog::Stdout => (BoxMakeWriter::new(io::stdout), LevelFilter::INFO),
        RequestLog::File(path) => {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|source| RequestLogError {
                    path: path.clone(),
                    source,
                })?;
            // `&File` writes: each line is one `write` to an append-only file, whole.
            (BoxMakeWriter::new(Arc::new(file)), LevelFilter::INFO)
        }
    };
    // One layer and one filter, the writer chosen per event by its target: a second layer
    // with a filter of its own would double the filtering every event pays. With the
    // request log off, the filter turns the target off, so the server never even formats
    // the line (`tracing::enabled!` is false).
    let filter = Targets::new()
        .with_default(Level::INFO)
        .with_target("chalice::app", Level::TRACE)
        .with_target(REQUEST_TARGET, requests_level);
    let writer = writer
        .with_filter(|meta: &tracing::Metadata<'_>| meta.target() != REQUEST_TARGET)
        .or_else(requests_writer);
    let layer = tracing_subscriber::fmt::layer()
        .event_format(ChaliceFormat)
        .with_writer(writer)
        .with_filter(filter);
    Ok(tracing_subscriber::registry().with(layer))
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

/// The line format.
struct ChaliceFormat;

impl<S, N> FormatEvent<S, N> for ChaliceFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        if meta.target() == REQUEST_TARGET {
            // The server's one line per request, formatted by the server already: written
            // straight through, without the copy and the formatting the other lines take.
            let mut line = Line {
                writer: &mut writer,
                result: Ok(()),
            };
            event.record(&mut line);
            line.result?;
            return writer.write_char('\n');
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let level = match *meta.level() {
            Level::WARN => "WARNING",
            ref level => level.as_str(),
        };
        match (meta.target(), fields.logger) {
            // Chalice's FORMAT_STRING: '%(name)s - %(levelname)s - %(message)s'.
            ("chalice::app", Some(logger)) => {
                writeln!(writer, "{logger} - {level} - {}", fields.message)
            }
            // Our own lines read like cargo's: plain for news, `error: ...` for trouble.
            (target, _) if target.starts_with("chalice::") => match *meta.level() {
                Level::INFO => writeln!(writer, "{}", fields.message),
                _ => writeln!(writer, "{}: {}", level.to_ascii_lowercase(), fields.message),
            },
            (target, _) => writeln!(writer, "{level} {target}: {}", fields.message),
        }
    }
}

/// A request line's fields, written to the log as they are recorded: its message (the
/// line), then any other field as ` name=value`.
struct Line<'a, 'w> {
    writer: &'a mut Writer<'w>,
    result: fmt::Result,
}

impl Visit for Line<'_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.result = self.result.and_then(|()| match field.name() {
            "message" => self.writer.write_str(value),
            name => write!(self.writer, " {name}={value}"),
        });
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.result = self.result.and_then(|()| match field.name() {
            "message" => write!(self.writer, "{value:?}"),
            name => write!(self.writer, " {name}={value:?}"),
        });
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
    use std::sync::Mutex;

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

    impl MakeWriter<'_> for Buffer {
        type Writer = Buffer;
        fn make_writer(&self) -> Buffer {
            self.clone()
        }
    }

    impl Buffer {
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
            let subscriber = subscriber(main.clone(), requests).expect("subscriber");
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

    #[test]
    fn a_request_log_that_cannot_be_opened_is_a_clear_error() {
        let path = PathBuf::from("/nonexistent-directory/requests.log");
        let error = subscriber(Buffer::default(), &RequestLog::File(path))
            .err()
            .expect("an error");
        assert_eq!(
            error.to_string(),
            "cannot open the request log /nonexistent-directory/requests.log: No such file or directory (os error 2) \
             (set --request-log or CHALICE_REQUEST_LOG to off, stderr, stdout or a writable file)"
        );
    }
}
