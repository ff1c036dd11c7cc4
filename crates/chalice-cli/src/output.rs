//! Status lines for people, in cargo's style: a right-aligned verb, then what it is about.
//! Bold green on a terminal, plain text otherwise (logs, CI, pipes).

use std::fmt::Display;
use std::io::{IsTerminal, Write};

/// Where the CLI reports progress: stderr, so stdout stays for output scripts read
/// (`generate-models`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    color: bool,
}

impl Output {
    pub(crate) fn new() -> Self {
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Output { color }
    }

    /// `   Building todo (debug)`.
    pub(crate) fn status(&self, verb: &str, message: impl Display) {
        self.line(verb, "32", message);
    }

    /// `warning: ...`.
    pub(crate) fn warn(&self, message: impl Display) {
        let mut stderr = std::io::stderr().lock();
        let _ = if self.color {
            writeln!(stderr, "\x1b[1;33mwarning\x1b[0m: {message}")
        } else {
            writeln!(stderr, "warning: {message}")
        };
    }

    /// Lines of advice after a summary, as they are.
    pub(crate) fn note(&self, message: impl Display) {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{message}");
    }

    fn line(&self, verb: &str, color: &str, message: impl Display) {
        let mut stderr = std::io::stderr().lock();
        let _ = if self.color {
            writeln!(stderr, "\x1b[1;{color}m{verb:>12}\x1b[0m {message}")
        } else {
            writeln!(stderr, "{verb:>12} {message}")
        };
    }
}

/// A size for people: `2.3 MB`.
pub(crate) fn size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} kB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_well() {
        let cases = [
            (0, "0 B"),
            (999, "999 B"),
            (1_000, "1.0 kB"),
            (2_345_678, "2.3 MB"),
        ];
        for (bytes, text) in cases {
            assert_eq!(super::size(bytes), text);
        }
    }
}
