//! [`run`]: one binary, three jobs, chosen from the environment and the arguments.

use std::sync::Arc;

use chalice_core::Chalice;
use chalice_core::adapter::Gateway;

use crate::logging::RequestLog;
use crate::mode::{self, Local, Mode, USAGE_ERROR};

/// Runs `app`, choosing its job from the environment and the command line, and ends the
/// process with the job's exit status:
///
/// - on AWS Lambda (`AWS_LAMBDA_RUNTIME_API` is set), serves API Gateway events through the
///   Lambda Runtime API;
/// - anywhere else, serves HTTP on `--host`/`--port` (or `CHALICE_HOST`/`CHALICE_PORT`,
///   default 127.0.0.1:8000) until Ctrl-C, answering as API Gateway and Lambda would, with
///   the limits and request log its other flags set (`--help` lists them);
/// - with `--manifest`, prints the app's [manifest](chalice_core::Manifest) as JSON: how the
///   `chalice` CLI learns the routes to package and deploy.
///
/// An app with definition mistakes does not start: each mistake is printed with the file and
/// line that made it, and the process exits with status 2 (on Lambda, the mistakes are
/// reported as the function's init error). A command-line mistake also exits with 2.
///
/// A function rather than a method of [`Chalice`]: the app is the core's, which does no I/O
/// and links no runtime, and running it is this crate's job, as `axum::serve` and
/// `lambda_http::run` are for their routers.
///
/// ```no_run
/// use chalice::{Chalice, Json};
/// use serde_json::json;
///
/// fn main() {
///     let mut app = Chalice::new("helloworld");
///     app.route("/", || Json(json!({"hello": "world"})));
///     chalice::run(app);
/// }
/// ```
pub fn run(app: Chalice) -> ! {
    let code = run_with(app, std::env::args_os().skip(1), |name| {
        std::env::var(name).ok()
    });
    std::process::exit(code);
}

/// The job's exit status, for these arguments and environment.
fn run_with(
    app: Chalice,
    args: impl IntoIterator<Item = std::ffi::OsString>,
    env: impl Fn(&str) -> Option<String>,
) -> i32 {
    let mode = match mode::mode(args, env) {
        Ok(mode) => mode,
        Err(error) => {
            eprintln_usage_error(&error.to_string(), app.app_name());
            return USAGE_ERROR;
        }
    };
    // On Lambda, `chalice_lambda::run` checks the app (and reports mistakes as the init
    // error): checking here too would double a cold-start cost that grows with the routes.
    let checked = match mode {
        Mode::Help | Mode::Lambda => Ok(()),
        _ => app.check(),
    };
    match (mode, checked) {
        (Mode::Help, _) => {
            print_help(&mode::usage(app.app_name()));
            0
        }
        (Mode::Lambda, _) => lambda(app),
        (Mode::Manifest, Ok(())) => match serde_json::to_string_pretty(&app.manifest()) {
            Ok(json) => {
                print_help(&format!("{json}\n"));
                0
            }
            Err(error) => {
                report_definition_errors(&format!("the manifest does not serialize: {error}\n"));
                1
            }
        },
        (Mode::Invoke(name), Ok(())) => invoke(&app, &name),
        (Mode::Manifest | Mode::Local(_) | Mode::Invoke(_), Err(errors)) => {
            report_definition_errors(&errors.to_string());
            USAGE_ERROR
        }
        (Mode::Local(local_options), Ok(())) => local(app, local_options),
    }
}

/// Built with `CHALICE_LAMBDA_ONLY=1`, the binary has no local server: it says so.
#[cfg(chalice_lambda_only)]
#[allow(clippy::needless_pass_by_value)] // the same signature as the serving `local`
fn local(app: Chalice, _: Local) -> i32 {
    report_usage_error(&format!(
        "{} was built for AWS Lambda only ({}=1, as `chalice package` and `chalice deploy` \
         build the bootstrap), without the local server: build it without that variable, or \
         run `chalice local`, to serve it here",
        app.app_name(),
        chalice_manifest::LAMBDA_ONLY_ENV
    ));
    USAGE_ERROR
}

/// Serves locally until Ctrl-C; the exit status.
#[cfg(not(chalice_lambda_only))]
fn local(app: Chalice, options: Local) -> i32 {
    let Local {
        addr,
        limits,
        request_log,
    } = options;
    if let Err(error) = crate::logging::install(std::io::stderr, &request_log) {
        report_usage_error(&error);
        return USAGE_ERROR;
    }
    exit_when_stdin_closes();
    // Each thread writes its request lines in one call when it runs out of work (and as it
    // stops), not one call per request: see `logging::write_held_lines`.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(crate::logging::hold_request_lines)
        .on_thread_park(crate::logging::write_held_lines)
        .on_thread_stop(crate::logging::write_held_lines)
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(target: "chalice::local", "cannot start the async runtime: {error}");
            return 1;
        }
    };
    runtime.block_on(async move {
        let gateway = match gateway_from_env(app, |name| std::env::var(name).ok()) {
            Ok(gateway) => gateway,
            Err(error) => {
                tracing::error!(target: "chalice::local", "{error}");
                return USAGE_ERROR;
            }
        };
        let server = match chalice_local::Server::bind(addr, gateway).await {
            Ok(server) => server.limits(limits),
            Err(error) => {
                tracing::error!(target: "chalice::local", "{error}");
                return 1;
            }
        };
        let shown = server.local_addr().unwrap_or(addr);
        // Signals are listened for from here: a Ctrl-C (or `chalice local`'s restart) once
        // the line below is out stops the server gracefully.
        let serving = server.serve();
        // Chalice's words, so tools that wait for this line keep working.
        tracing::info!(target: "chalice::local", "Serving on http://{shown}");
        match serving.await {
            // The count was logged; the status tells scripts and supervisors.
            Ok(stopped) if stopped.requests_cut() > 0 => 1,
            Ok(_) => 0,
            Err(error) => {
                tracing::error!(target: "chalice::local", "the server stopped: {error}");
                1
            }
        }
    })
}

/// Ends the process when stdin closes, if `chalice local` asked for it by setting
/// [`EXIT_WITH_STDIN_ENV`](chalice_manifest::EXIT_WITH_STDIN_ENV).
///
/// `chalice local` runs the app with its stdin a pipe that the CLI holds open. The kernel
/// closes the pipe when the CLI ends in any way, SIGKILL included, and the read below
/// returns: the app exits rather than keep the port with nobody left to stop it. Linux's
/// `PR_SET_PDEATHSIG` would need no help from the app, but exists only on Linux and needs
/// `unsafe` code; a pipe's end is portable. Requests in flight are cut: their client is the
/// developer whose `chalice local` just ended.
#[cfg_attr(chalice_lambda_only, allow(dead_code))]
fn exit_when_stdin_closes() {
    if std::env::var_os(chalice_manifest::EXIT_WITH_STDIN_ENV).is_none_or(|v| v != "1") {
        return;
    }
    let watcher = std::thread::Builder::new()
        .name("chalice-stdin".to_owned())
        .spawn(|| {
            // What comes through is ignored; `copy` retries reads that a signal interrupts.
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            tracing::info!(target: "chalice::local", "chalice local has ended: stopping");
            std::process::exit(0);
        });
    if let Err(error) = watcher {
        tracing::warn!(target: "chalice::local", "cannot watch stdin: {error}");
    }
}

/// Runs the function `name` once on the event read from stdin (`chalice invoke --local`):
/// its answer as JSON on stdout and status 0, or the error on stderr and status 1.
fn invoke(app: &Chalice, name: &str) -> i32 {
    let _ = crate::logging::install(std::io::stderr, &RequestLog::Off);
    let mut event = String::new();
    if let Err(error) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut event) {
        report_usage_error(&format!("cannot read the event from stdin: {error}"));
        return USAGE_ERROR;
    }
    if event.trim().is_empty() {
        "{}".clone_into(&mut event);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            report_usage_error(&format!("cannot start the async runtime: {error}"));
            return 1;
        }
    };
    chalice_core::adapter::install_panic_hook();
    let function = chalice_local::LocalFunction::new(format!("{}-{name}", app.app_name()));
    if app.websocket_routes().any(|(_, handler)| handler == name) {
        // A WebSocket handler takes API Gateway's WebSocket event and answers as on Lambda.
        let answer = runtime.block_on(chalice_lambda::handle_websocket_event(
            app,
            event.as_bytes(),
            function.context(),
        ));
        return match answer {
            Ok(answer) => {
                print_help(&format!("{}\n", String::from_utf8_lossy(&answer)));
                0
            }
            Err(error) => {
                report_usage_error(&format!("Chalice.InvalidEvent: {error}"));
                1
            }
        };
    }
    match runtime.block_on(app.invoke(name, &event, function.context())) {
        Ok(answer) => {
            print_help(&format!("{answer}\n"));
            0
        }
        Err(error) => {
            report_usage_error(&format!("{}: {error}", error.error_type()));
            1
        }
    }
}

/// The API Gateway the local server emulates, as the environment sets it up:
///
/// - `CHALICE_API_KEYS`: the API keys it accepts, comma-separated;
/// - `CHALICE_API_GATEWAY_STAGE`: the stage (`requestContext.stage`, the `/<stage>` of
///   `requestContext.path`; default `api`, the config's `api_gateway_stage`, which
///   `chalice local` sets);
/// - `CHALICE_STAGE_VARIABLES`: stage variables, a JSON object of strings (default: none,
///   as on a Chalice deployment).
#[cfg_attr(chalice_lambda_only, allow(dead_code))]
fn gateway_from_env(app: Chalice, env: impl Fn(&str) -> Option<String>) -> Result<Gateway, String> {
    let keys: Vec<String> = env("CHALICE_API_KEYS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .map(str::to_owned)
        .collect();
    let mut gateway = Gateway::new(Arc::new(app)).api_keys(keys);
    if let Some(stage) = env("CHALICE_API_GATEWAY_STAGE").filter(|s| !s.is_empty()) {
        gateway = gateway.stage(stage);
    }
    if let Some(vars) = env("CHALICE_STAGE_VARIABLES").filter(|v| !v.trim().is_empty()) {
        let vars: std::collections::BTreeMap<String, String> = serde_json::from_str(&vars)
            .map_err(|error| {
                format!(
                    "CHALICE_STAGE_VARIABLES must be a JSON object of strings, as \
                     {{\"table\": \"todos\"}}: {error}"
                )
            })?;
        gateway = gateway.stage_vars(Some(vars.into_iter().collect()));
    }
    Ok(gateway)
}

/// Serves Lambda invocations through the Runtime API; the exit status.
///
/// A current-thread runtime: Lambda sends one invocation at a time (chalice_lambda spreads
/// Managed Instances' concurrent invocations over tasks, which this runtime also runs), and
/// it starts faster than a thread pool. Logs go to stdout, where CloudWatch reads them.
fn lambda(app: Chalice) -> i32 {
    // Lambda has no request lines of ours (API Gateway and CloudWatch keep their own).
    let _ = crate::logging::install(std::io::stdout, &RequestLog::Off);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(target: "chalice::lambda", "cannot start the async runtime: {error}");
            return 1;
        }
    };
    // `run` reports definition mistakes and a broken environment as init errors itself.
    match runtime.block_on(chalice_lambda::run(Arc::new(app))) {
        Ok(()) => 0,
        Err(error) => {
            tracing::error!(target: "chalice::lambda", "{error}");
            1
        }
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
fn report_usage_error(error: &dyn std::fmt::Display) {
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

#[cfg(test)]
mod tests {
    use chalice_core::adapter::HttpRequest;
    use chalice_core::{Json, Method, Request};
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn the_environment_sets_up_the_local_gateway() {
        // (environment, what the view sees: stage, context path, stage variables; or the error)
        let cases: &[(&[(&str, &str)], Result<Value, &str>)] = &[
            (&[], Ok(json!(["api", "/api/where", null]))),
            (
                &[
                    ("CHALICE_API_GATEWAY_STAGE", "v1"),
                    ("CHALICE_STAGE_VARIABLES", " "),
                ],
                Ok(json!(["v1", "/v1/where", null])),
            ),
            (
                &[("CHALICE_STAGE_VARIABLES", r#"{"table": "todos"}"#)],
                Ok(json!(["api", "/api/where", {"table": "todos"}])),
            ),
            (
                &[("CHALICE_STAGE_VARIABLES", r#"{"n": 1}"#)],
                Err(
                    "CHALICE_STAGE_VARIABLES must be a JSON object of strings, as {\"table\": \"todos\"}: invalid type: integer `1`, expected a string at line 1 column 7",
                ),
            ),
        ];
        for (env, expected) in cases {
            let mut app = Chalice::new("app");
            app.route("/where", |r: &Request| {
                let context = r.context();
                Json(json!([context["stage"], context["path"], r.stage_vars()]))
            });
            let lookup = |name: &str| {
                env.iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            };
            let got = gateway_from_env(app, lookup).map(|gateway| {
                let request = HttpRequest::new(Method::GET, "/where");
                let response = chalice_core::__private::block_on(gateway.handle(request));
                serde_json::from_slice::<Value>(&response.body).expect("JSON")
            });
            assert_eq!(got, expected.clone().map_err(str::to_owned), "{env:?}");
        }
    }
}
