//! The errors of the CLI's own making, which decide its exit status.

use std::fmt;

/// A mistake the user must fix in their input (configuration, arguments, the app's
/// definition): the binary exits with status 2 for it, as Chalice's CLI does, instead of 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A build of the app failed; cargo already printed why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildFailed(pub Option<i32>);

impl fmt::Display for BuildFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(code) => write!(
                f,
                "the build failed (cargo exited with status {code}; its messages are above)"
            ),
            None => f.write_str("the build failed (cargo was stopped; its messages are above)"),
        }
    }
}

impl std::error::Error for BuildFailed {}

/// Exit status for usage and configuration errors, as Chalice's CLI uses.
pub const USAGE_ERROR: u8 = 2;

/// The exit status for `error`: [`USAGE_ERROR`] when the user's input is at fault, else 1.
pub fn exit_status(error: &anyhow::Error) -> u8 {
    let usage = error.downcast_ref::<UsageError>().is_some()
        || error
            .downcast_ref::<crate::config::ConfigErrors>()
            .is_some();
    if usage { USAGE_ERROR } else { 1 }
}
