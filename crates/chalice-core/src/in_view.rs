//! Whether view code runs on this thread, and the backtraces taken there.
//!
//! Dispatch marks the thread while a view, a middleware or an authorizer runs on it, with
//! its app's `debug`. Two things read the mark: converting an error into an unhandled
//! [`ChaliceError`](crate::ChaliceError) takes a backtrace of the `?` that did it, and the
//! panic hook (`panic.rs`) records where view code panicked. Backtraces cost tens of
//! microseconds and only the debug page shows them, so they are taken only while a *debug*
//! app runs view code.

use std::backtrace::Backtrace;
use std::cell::Cell;

thread_local! {
    /// `Some(debug)` while view code runs on this thread.
    static IN_VIEW: Cell<Option<bool>> = const { Cell::new(None) };
}

/// Marks the thread as running view code of an app with this `debug`; the mark it had
/// before, for [`leave`].
pub(crate) fn enter(debug: bool) -> Option<bool> {
    IN_VIEW.with(|flag| flag.replace(Some(debug)))
}

/// Puts back the mark [`enter`] returned.
pub(crate) fn leave(previous: Option<bool>) {
    IN_VIEW.with(|flag| flag.set(previous));
}

/// `Some(debug)` while view code runs on this thread, `None` elsewhere.
pub(crate) fn current() -> Option<bool> {
    IN_VIEW.with(Cell::get)
}

/// A backtrace of the caller, when a debug app is running view code on this thread.
pub(crate) fn capture_backtrace() -> Option<String> {
    match current() {
        Some(true) => Some(Backtrace::force_capture().to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backtraces_only_inside_debug_view_code() {
        // (mark, backtrace taken)
        let cases = [(None, false), (Some(false), false), (Some(true), true)];
        for (mark, taken) in cases {
            let previous = IN_VIEW.with(|flag| flag.replace(mark));
            assert_eq!(capture_backtrace().is_some(), taken, "{mark:?}");
            leave(previous);
        }
        let previous = enter(true);
        assert_eq!(current(), Some(true));
        leave(previous);
        assert_eq!(current(), previous);
    }
}
