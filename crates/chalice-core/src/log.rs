//! `app.log`: the app's logger, named after the app, on `tracing`.

use std::fmt::Display;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use tracing::Level;

/// The app's logger (Chalice's `app.log`): named after the app, at `ERROR` unless the app's
/// `debug` is on (then `DEBUG`), unless you set a level yourself.
///
/// Records go to [`tracing`] with target `chalice::app` and a `logger` field holding the
/// app's name, so any subscriber can show or filter them; the local server and the Lambda
/// runtime install one that prints `name - LEVEL - message`, Chalice's format.
///
/// The logger is a cheap handle: clone it into views, or call [`crate::log`] from inside one.
///
/// ```
/// use chalice_core::{Chalice, Level};
///
/// let mut app = Chalice::new("todo");
/// assert_eq!(app.log().level(), Level::ERROR);
/// app.set_debug(true);
/// assert_eq!(app.log().level(), Level::DEBUG);
/// app.log().set_level(Level::INFO);
/// app.log().info("ready");
/// ```
#[derive(Clone)]
pub struct Logger {
    inner: Arc<Inner>,
}

struct Inner {
    name: Box<str>,
    /// 0: follow `debug`; otherwise a level set explicitly.
    explicit: AtomicU8,
    debug: AtomicU8,
}

impl Logger {
    pub(crate) fn new(name: &str) -> Self {
        Logger {
            inner: Arc::new(Inner {
                name: name.into(),
                explicit: AtomicU8::new(0),
                debug: AtomicU8::new(0),
            }),
        }
    }

    /// The logger's name: the app's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The most verbose level that is logged.
    pub fn level(&self) -> Level {
        match self.inner.explicit.load(Ordering::Relaxed) {
            0 if self.inner.debug.load(Ordering::Relaxed) == 1 => Level::DEBUG,
            0 => Level::ERROR,
            n => from_u8(n),
        }
    }

    /// Logs `level` and less verbose levels from now on.
    pub fn set_level(&self, level: Level) {
        self.inner.explicit.store(to_u8(level), Ordering::Relaxed);
    }

    pub(crate) fn set_debug(&self, debug: bool) {
        self.inner.debug.store(u8::from(debug), Ordering::Relaxed);
    }

    /// Whether a record at `level` would be logged.
    pub fn enabled(&self, level: Level) -> bool {
        level <= self.level()
    }

    /// Logs `message` at `ERROR`.
    pub fn error(&self, message: impl Display) {
        self.log(Level::ERROR, message);
    }

    /// Logs `message` at `WARN`.
    pub fn warning(&self, message: impl Display) {
        self.log(Level::WARN, message);
    }

    /// Logs `message` at `INFO`.
    pub fn info(&self, message: impl Display) {
        self.log(Level::INFO, message);
    }

    /// Logs `message` at `DEBUG`.
    pub fn debug(&self, message: impl Display) {
        self.log(Level::DEBUG, message);
    }

    /// Logs `message` at `level`.
    pub fn log(&self, level: Level, message: impl Display) {
        if !self.enabled(level) {
            return;
        }
        let name = self.name();
        // `tracing` needs the level as a constant in each macro call.
        match level {
            Level::ERROR => tracing::error!(target: "chalice::app", logger = name, "{message}"),
            Level::WARN => tracing::warn!(target: "chalice::app", logger = name, "{message}"),
            Level::INFO => tracing::info!(target: "chalice::app", logger = name, "{message}"),
            Level::DEBUG => tracing::debug!(target: "chalice::app", logger = name, "{message}"),
            Level::TRACE => tracing::trace!(target: "chalice::app", logger = name, "{message}"),
        }
    }
}

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logger")
            .field("name", &self.name())
            .field("level", &self.level())
            .finish()
    }
}

fn to_u8(level: Level) -> u8 {
    match level {
        Level::ERROR => 1,
        Level::WARN => 2,
        Level::INFO => 3,
        Level::DEBUG => 4,
        Level::TRACE => 5,
    }
}

fn from_u8(n: u8) -> Level {
    match n {
        1 => Level::ERROR,
        2 => Level::WARN,
        3 => Level::INFO,
        4 => Level::DEBUG,
        _ => Level::TRACE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_follows_debug_until_set() {
        let log = Logger::new("app");
        let table = [
            (false, None, Level::ERROR),
            (true, None, Level::DEBUG),
            (true, Some(Level::WARN), Level::WARN),
            (false, Some(Level::TRACE), Level::TRACE),
        ];
        for (debug, explicit, expected) in table {
            let log = Logger::new("app");
            log.set_debug(debug);
            if let Some(level) = explicit {
                log.set_level(level);
            }
            assert_eq!(log.level(), expected);
        }
        assert!(log.enabled(Level::ERROR));
        assert!(!log.enabled(Level::INFO));
    }
}
