//! [`Chalice`]: the app users write, with `run()`.

use std::ops::{Deref, DerefMut};

use crate::run::{self, Mode};

/// A Chalice application.
///
/// Routes, `debug`, `api` and the logger belong to the core's [`chalice_core::Chalice`],
/// reached through `Deref`; this type adds what needs a runtime: [`Chalice::run`]. (The core
/// does no I/O, so `run` cannot live there; a newtype keeps `app.run()` a plain method call.)
///
/// ```no_run
/// use chalice::{Chalice, Json};
/// use serde_json::json;
///
/// fn main() {
///     let mut app = Chalice::new("helloworld");
///     app.route("/", || Json(json!({"hello": "world"})));
///     app.run();
/// }
/// ```
pub struct Chalice {
    core: chalice_core::Chalice,
}

impl Chalice {
    /// A new app named `app_name`, with `debug` off.
    pub fn new(app_name: impl Into<String>) -> Self {
        Chalice {
            core: chalice_core::Chalice::new(app_name),
        }
    }

    /// Runs the app, choosing its job from the environment and the command line:
    ///
    /// - on AWS Lambda (`AWS_LAMBDA_RUNTIME_API` is set), serves API Gateway events through
    ///   the Lambda Runtime API;
    /// - anywhere else, serves HTTP on `--host`/`--port` (or `CHALICE_HOST`/`CHALICE_PORT`,
    ///   default 127.0.0.1:8000) until Ctrl-C, answering as API Gateway and Lambda would;
    /// - with `--manifest`, prints the app's [manifest](chalice_core::Manifest) as JSON: how
    ///   the `chalice` CLI learns the routes to package and deploy.
    ///
    /// An app with definition mistakes does not start: each mistake is printed with the file
    /// and line that made it, and the process exits with status 2 (on Lambda, the mistakes are
    /// reported as the function's init error). A command-line mistake also exits with 2.
    pub fn run(self) {
        let code = self.run_with(std::env::args_os().skip(1), |name| std::env::var(name).ok());
        std::process::exit(code);
    }

    fn run_with(
        self,
        args: impl IntoIterator<Item = std::ffi::OsString>,
        env: impl Fn(&str) -> Option<String>,
    ) -> i32 {
        let mode = match run::mode(args, env) {
            Ok(mode) => mode,
            Err(error) => {
                eprintln_usage_error(&error.to_string(), self.app_name());
                return run::USAGE_ERROR;
            }
        };
        // On Lambda, `chalice_lambda::run` checks the app (and reports mistakes as the init
        // error): checking here too would double a cold-start cost that grows with the routes.
        let checked = match mode {
            Mode::Help | Mode::Lambda => Ok(()),
            _ => self.core.check(),
        };
        match (mode, checked) {
            (Mode::Help, _) => {
                print_help(&run::usage(self.app_name()));
                0
            }
            (Mode::Lambda, _) => run::lambda(self.core),
            (Mode::Manifest, Ok(())) => match serde_json::to_string_pretty(&self.core.manifest()) {
                Ok(json) => {
                    print_help(&format!("{json}\n"));
                    0
                }
                Err(error) => {
                    report_definition_errors(&format!(
                        "the manifest does not serialize: {error}\n"
                    ));
                    1
                }
            },
            (Mode::Manifest, Err(errors)) => {
                report_definition_errors(&errors.to_string());
                run::USAGE_ERROR
            }
            (Mode::Local(_), Err(errors)) => {
                report_definition_errors(&errors.to_string());
                run::USAGE_ERROR
            }
            (Mode::Local(local), Ok(())) => run::local(self.core, local),
        }
    }

    /// The core app, for adapters and tools.
    pub fn into_core(self) -> chalice_core::Chalice {
        self.core
    }
}

// The functions below are the only places the library writes to the terminal itself:
// before any logger exists, for a person who ran the binary by hand.
#[allow(clippy::print_stderr)]
fn eprintln_usage_error(message: &str, app_name: &str) {
    eprintln!("error: {message}\n\nFor more information, run with --help (app '{app_name}').");
}

/// A mistake in the command line found after parsing it (a request log that cannot be
/// opened), before any logger exists.
#[allow(clippy::print_stderr)]
pub(crate) fn report_usage_error(error: &dyn std::fmt::Display) {
    eprintln!("error: {error}");
}

#[allow(clippy::print_stderr)]
fn report_definition_errors(report: &str) {
    eprint!("error: {report}");
}

/// Writes `text` to stdout: the help, or the manifest (nothing else may go there then).
#[allow(clippy::print_stdout)]
fn print_help(text: &str) {
    print!("{text}");
}

impl Deref for Chalice {
    type Target = chalice_core::Chalice;

    fn deref(&self) -> &Self::Target {
        &self.core
    }
}

impl DerefMut for Chalice {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.core
    }
}

impl std::fmt::Debug for Chalice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.core.fmt(f)
    }
}
