//! Panics inside views.
//!
//! A panicking view must become a 500 while the process keeps serving: [`guarded`] catches
//! the panic and makes it an unhandled [`ChaliceError`]. `catch_unwind` gives the payload
//! but not the location or the backtrace, which only the panic hook sees; so a hook records
//! them for panics raised while view code runs (`in_view.rs` says when) and stays silent
//! for those, leaving every other panic to the hook that was there before.
//!
//! The hook is process-wide, so the core never installs it by itself: the adapters that own
//! their process (the local server, the Lambda runtime, the test client) call
//! [`install_hook`]. Without it a panicking view is still a 500; its message then lacks the
//! location, and the default hook prints the panic to stderr as for any other.

use std::any::Any;
use std::backtrace::Backtrace;
use std::cell::RefCell;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::error::{ChaliceError, Unhandled};
use crate::in_view;

thread_local! {
    /// What the hook saw of the last panic in view code on this thread.
    static LAST_PANIC: RefCell<Option<(String, Option<String>)>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

/// Installs the panic hook that gives a panicking view's error its location (and, for a
/// debug app, its backtrace) and keeps such panics out of stderr, where the app's log
/// reports them with the request's path instead. Once per process; later calls do nothing.
///
/// For adapters that own their process (the local server, the Lambda runtime, the test
/// client each call it): the core never installs it by itself. Panics outside view code
/// still go to the hook that was installed before.
pub fn install_hook() {
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| match in_view::current() {
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

/// Runs `f` as view code: panics are caught and become an unhandled [`ChaliceError`].
pub(crate) fn guarded<R>(debug: bool, f: impl FnOnce() -> R) -> Result<R, ChaliceError> {
    let previous = in_view::enter(debug);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    in_view::leave(previous);
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

/// A panic's payload and location as an error, so a panicking view is just another
/// unhandled error from here on.
#[derive(Debug)]
struct PanicError {
    message: String,
}

impl fmt::Display for PanicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PanicError {}

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
        assert!(!error.report().contains("Backtrace:"));
    }

    #[test]
    fn debug_views_get_a_backtrace() {
        install_hook();
        let error = guarded(true, || -> u8 { panic!("deep") }).expect_err("panicked");
        assert!(error.report().contains("Backtrace:"), "{}", error.report());
        let returned =
            guarded(true, || ChaliceError::from(std::io::Error::other("io"))).expect("no panic");
        assert!(returned.report().contains("Backtrace:"));
        let outside = ChaliceError::from(std::io::Error::other("io"));
        assert!(!outside.report().contains("Backtrace:"));
    }

    #[test]
    fn values_pass_through() {
        assert_eq!(guarded(false, || 5).ok(), Some(5));
    }
}
