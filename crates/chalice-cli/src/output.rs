//! Output for people, in cargo's style: a right-aligned verb, then what it is about, on
//! stderr, so that stdout stays for what scripts read (`generate-models`, `--json`).
//! Bold and coloured on a terminal, plain text otherwise (logs, CI, pipes), as `--color`
//! decides.

use std::fmt::Display;
use std::io::{IsTerminal, Write};

/// When to colour the output: cargo's `--color` values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ColorChoice {
    /// When stderr is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Cargo's word for it, to pass on to the builds the CLI runs.
    pub fn as_str(self) -> &'static str {
        match self {
            ColorChoice::Auto => "auto",
            ColorChoice::Always => "always",
            ColorChoice::Never => "never",
        }
    }
}

/// How much to say: cargo's `--quiet` and `--verbose`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Warnings, errors and what was asked for; no status lines.
    Quiet,
    /// Status lines too.
    #[default]
    Normal,
    /// The commands the CLI runs, too.
    Verbose,
}

/// Where the CLI reports progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output {
    choice: ColorChoice,
    color: bool,
    verbosity: Verbosity,
}

impl Default for Output {
    fn default() -> Self {
        Output::new(ColorChoice::Auto, Verbosity::Normal)
    }
}

impl Output {
    /// Output coloured as `choice` says, saying as much as `verbosity` says.
    pub fn new(choice: ColorChoice, verbosity: Verbosity) -> Self {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Output {
            choice,
            color,
            verbosity,
        }
    }

    /// The user's colour choice, for the builds the CLI runs.
    pub fn color_choice(&self) -> ColorChoice {
        self.choice
    }

    /// How much to say.
    pub fn verbosity(&self) -> Verbosity {
        self.verbosity
    }

    /// `    Building todo (debug)`, unless quiet.
    pub fn status(&self, verb: &str, message: impl Display) {
        if self.verbosity >= Verbosity::Normal {
            self.line(verb, "32", message);
        }
    }

    /// `     Running cargo build ...`, only when verbose.
    pub fn verbose(&self, verb: &str, message: impl Display) {
        if self.verbosity >= Verbosity::Verbose {
            self.line(verb, "36", message);
        }
    }

    /// `warning: ...`, always.
    pub fn warn(&self, message: impl Display) {
        self.labelled("warning", "33", message);
    }

    /// `error: ...` and each cause on a line of its own, as cargo prints them.
    pub fn error(&self, error: &anyhow::Error) {
        self.labelled("error", "31", error);
        for cause in error.chain().skip(1) {
            self.labelled("  caused by", "31", cause);
        }
    }

    /// Lines of advice after a summary, as they are, unless quiet.
    pub fn note(&self, message: impl Display) {
        if self.verbosity >= Verbosity::Normal {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "{message}");
        }
    }

    fn labelled(&self, label: &str, color: &str, message: impl Display) {
        let mut stderr = std::io::stderr().lock();
        let _ = if self.color {
            writeln!(stderr, "\x1b[1;{color}m{label}\x1b[0m: {message}")
        } else {
            writeln!(stderr, "{label}: {message}")
        };
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
pub fn size(bytes: u64) -> String {
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
