//! Log output: Chalice's `name - LEVEL - message` for `app.log`, one line per request for the
//! local server.

use std::fmt;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the log output, unless the program installed a subscriber of its own.
///
/// `app.log` filters by its own level, so every level of target `chalice::app` passes here;
/// other targets (hyper, the Lambda runtime) print `INFO` and up.
pub(crate) fn install<W>(writer: W)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = Targets::new()
        .with_default(Level::INFO)
        .with_target("chalice::app", Level::TRACE);
    let layer = tracing_subscriber::fmt::layer()
        .event_format(ChaliceFormat)
        .with_writer(writer);
    // An error means a subscriber is already set: the user's choice wins.
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init();
}

use tracing_subscriber::Layer as _;

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
