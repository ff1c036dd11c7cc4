//! Panics and backtraces inside views.
//!
//! A panicking view must become a 500 while the process keeps serving. `catch_unwind` gives
//! the payload but not the location or the backtrace, which only the panic hook sees; so a
//! hook, installed once, records them for panics raised while a view runs (a thread-local
//! flag says so) and stays silent for those, leaving every other panic to the hook that was
//! there before. Backtraces are taken only while a *debug* app runs a view: they cost tens of
//! microseconds and only the debug page shows them.

use std::any::Any;
use std::backtrace::Backtrace;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::error::{ChaliceError, PanicError, Unhandled};

thread_local! {
    /// `Some(debug)` while a view runs on this thread.
    static IN_VIEW: Cell<Option<bool>> = const { Cell::new(None) };
    /// What the hook saw of the last panic in a view on this thread.
    static LAST_PANIC: RefCell<Option<(String, Option<String>)>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

/// Installs the hook (once per process).
pub(crate) fn install_hook() {
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| match IN_VIEW.with(Cell::get) {
            Some(debug) => {
                let location = info
                    .location()
                    .map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()))
                    .unwrap_or_default();
                let message = format!("panicked{location}: {}", payload_text(info.payload()));
                let backtrace = debug.then(|| Backtrace::force_capture().to_string());
                LAST_PANIC.with(|last| *last.borrow_mut() = Some((message, backtrace)));
            }
            None => previous(info),
        }));
    });
}

/// A backtrace of the caller, when a debug app is running a view on this thread.
pub(crate) fn capture_backtrace() -> Option<String> {
    match IN_VIEW.with(Cell::get) {
        Some(true) => Some(Backtrace::force_capture().to_string()),
        _ => None,
    }
}

/// Runs `f` as view code: panics are caught and become an unhandled [`ChaliceError`].
pub(crate) fn guarded<R>(debug: bool, f: impl FnOnce() -> R) -> Result<R, ChaliceError> {
    let previous = IN_VIEW.with(|flag| flag.replace(Some(debug)));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    IN_VIEW.with(|flag| flag.set(previous));
    result.map_err(|payload| panic_error(&*payload))
}

fn panic_error(payload: &(dyn Any + Send)) -> ChaliceError {
    let (message, backtrace) = LAST_PANIC
        .with(|last| last.borrow_mut().take())
        .unwrap_or_else(|| (format!("panicked: {}", payload_text(payload)), None));
    ChaliceError::from_unhandled(Unhandled {
        error: Box::new(PanicError { message }),
        backtrace,
    })
}

fn payload_text(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("Box<dyn Any>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_unhandled_errors_with_location() {
        install_hook();
        let error = guarded(false, || -> u8 { panic!("boom {}", 7) }).expect_err("panicked");
        assert!(error.is_unhandled());
        let text = error.to_string();
        assert!(text.starts_with("panicked at "), "{text}");
        assert!(text.contains("panic.rs"), "{text}");
        assert!(text.ends_with(": boom 7"), "{text}");
        assert!(!error.debug_report().contains("Backtrace:"));
    }

    #[test]
    fn debug_views_get_a_backtrace() {
        install_hook();
        let error = guarded(true, || -> u8 { panic!("deep") }).expect_err("panicked");
        assert!(
            error.debug_report().contains("Backtrace:"),
            "{}",
            error.debug_report()
        );
        let returned =
            guarded(true, || ChaliceError::from(std::io::Error::other("io"))).expect("no panic");
        assert!(returned.debug_report().contains("Backtrace:"));
        let outside = ChaliceError::from(std::io::Error::other("io"));
        assert!(!outside.debug_report().contains("Backtrace:"));
    }

    #[test]
    fn values_pass_through() {
        assert_eq!(guarded(false, || 5).ok(), Some(5));
    }
}
