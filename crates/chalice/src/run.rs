//! `app.run()`: one binary, three jobs, chosen from the environment and the arguments.

use std::ffi::OsString;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use chalice_core::Gateway;

/// Exit status for usage and definition errors, as Chalice's CLI uses.
pub(crate) const USAGE_ERROR: i32 = 2;

/// What `run` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Serve HTTP locally.
    Local { addr: SocketAddr },
    /// Serve Lambda invocations through the Runtime API.
    Lambda,
    /// Print the app's manifest for the CLI.
    Manifest,
    /// Print the usage text.
    Help,
}

/// Picks the mode: Lambda when the Runtime API is there, else the local server configured by
/// `--host`/`--port`, then `CHALICE_HOST`/`CHALICE_PORT`, then 127.0.0.1:8000.
pub(crate) fn mode(
    args: impl IntoIterator<Item = OsString>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Mode, UsageError> {
    if env("AWS_LAMBDA_RUNTIME_API").is_some_and(|v| !v.is_empty()) {
        return Ok(Mode::Lambda);
    }
    let mut host = env("CHALICE_HOST").map(|v| ("CHALICE_HOST", v));
    let mut port = env("CHALICE_PORT").map(|v| ("CHALICE_PORT", v));
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg
            .into_string()
            .map_err(|arg| UsageError(format!("argument {arg:?} is not UTF-8")))?;
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = |flag: &'static str| {
            inline
                .clone()
                .or_else(|| args.next().and_then(|v| v.into_string().ok()))
                .map(|v| (flag, v))
                .ok_or_else(|| UsageError(format!("{flag} needs a value")))
        };
        match name.as_str() {
            "--host" => host = Some(value("--host")?),
            "--port" => port = Some(value("--port")?),
            "-h" | "--help" => return Ok(Mode::Help),
            chalice_core::MANIFEST_ARG => return Ok(Mode::Manifest),
            other => return Err(UsageError(format!("unexpected argument '{other}'"))),
        }
    }
    let ip = match host {
        None => IpAddr::from([127, 0, 0, 1]),
        Some((source, text)) => parse_host(&text).ok_or_else(|| {
            UsageError(format!(
                "invalid {source} '{text}': expected an IP address such as 127.0.0.1"
            ))
        })?,
    };
    let port = match port {
        None => 8000,
        Some((source, text)) => text.parse::<u16>().map_err(|_| {
            UsageError(format!(
                "invalid {source} '{text}': expected a port number from 0 to 65535"
            ))
        })?,
    };
    Ok(Mode::Local {
        addr: SocketAddr::new(ip, port),
    })
}

fn parse_host(text: &str) -> Option<IpAddr> {
    match text {
        "localhost" => Some(IpAddr::from([127, 0, 0, 1])),
        _ => text
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .ok(),
    }
}

/// A mistake in the command line or its environment variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UsageError(pub(crate) String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn usage(app_name: &str) -> String {
    format!(
        "Runs the chalice app '{app_name}'.\n\n\
         On AWS Lambda (AWS_LAMBDA_RUNTIME_API is set) it serves API Gateway events; anywhere else it\n\
         serves HTTP locally, answering as API Gateway and Lambda would.\n\n\
         Usage: {bin} [--host HOST] [--port PORT]\n\n\
         Options:\n  \
           --host HOST  address to listen on [env: CHALICE_HOST] [default: 127.0.0.1]\n  \
           --port PORT  port to listen on; 0 picks a free one [env: CHALICE_PORT] [default: 8000]\n  \
           --manifest   print the app's routes and settings as JSON, for the chalice CLI\n  \
           -h, --help   print this help\n\n\
         Environment:\n  \
           CHALICE_API_KEYS    comma-separated API keys that routes with api_key_required accept locally\n  \
           CHALICE_AUTHORIZER  on Lambda, the built-in authorizer this function serves\n",
        bin = std::env::args().next().unwrap_or_else(|| "app".to_owned()),
    )
}

/// Serves locally until Ctrl-C; the exit status.
pub(crate) fn local(app: chalice_core::Chalice, addr: SocketAddr) -> i32 {
    crate::logging::install(std::io::stderr);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(target: "chalice::local", "cannot start the async runtime: {error}");
            return 1;
        }
    };
    runtime.block_on(async move {
        let gateway = Gateway::new(Arc::new(app)).api_keys(api_keys_from_env());
        let server = match chalice_local::Server::bind(addr, gateway).await {
            Ok(server) => server,
            Err(error) => {
                tracing::error!(target: "chalice::local", "{error}");
                return 1;
            }
        };
        let shown = server.local_addr().unwrap_or(addr);
        // Chalice's words, so tools that wait for this line keep working.
        tracing::info!(target: "chalice::local", "Serving on http://{shown}");
        match server.serve().await {
            Ok(()) => 0,
            Err(error) => {
                tracing::error!(target: "chalice::local", "the server stopped: {error}");
                1
            }
        }
    })
}

/// The API keys the local server accepts: `CHALICE_API_KEYS`, comma-separated.
fn api_keys_from_env() -> Vec<String> {
    std::env::var("CHALICE_API_KEYS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Serves Lambda invocations through the Runtime API; the exit status.
///
/// A current-thread runtime: Lambda sends one invocation at a time (lambda_runtime spreads
/// Managed Instances' concurrent invocations over tasks, which this runtime also runs), and
/// it starts faster than a thread pool. Logs go to stdout, where CloudWatch reads them.
pub(crate) fn lambda(app: chalice_core::Chalice) -> i32 {
    crate::logging::install(std::io::stdout);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    fn local(addr: &str) -> Result<Mode, UsageError> {
        Ok(Mode::Local {
            addr: addr.parse().expect("addr"),
        })
    }

    #[test]
    fn modes_from_args_and_env() {
        let cases: &[(&[&str], &[(&str, &str)], Result<Mode, UsageError>)] = &[
            (&[], &[], local("127.0.0.1:8000")),
            (&["--port", "9000"], &[], local("127.0.0.1:9000")),
            (&["--port=0", "--host=0.0.0.0"], &[], local("0.0.0.0:0")),
            (&["--host", "localhost"], &[], local("127.0.0.1:8000")),
            (&["--host", "::1"], &[], local("[::1]:8000")),
            (
                &[],
                &[("CHALICE_PORT", "8081"), ("CHALICE_HOST", "0.0.0.0")],
                local("0.0.0.0:8081"),
            ),
            (
                &["--port", "8082"],
                &[("CHALICE_PORT", "8081")],
                local("127.0.0.1:8082"),
            ),
            (
                &["--port", "x"],
                &[("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")],
                Ok(Mode::Lambda),
            ),
            (
                &[],
                &[("AWS_LAMBDA_RUNTIME_API", "")],
                local("127.0.0.1:8000"),
            ),
            (&["--help"], &[], Ok(Mode::Help)),
            (&["--manifest"], &[], Ok(Mode::Manifest)),
            (
                &["--manifest"],
                &[("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")],
                Ok(Mode::Lambda),
            ),
            (&["-h"], &[], Ok(Mode::Help)),
            (
                &["--port", "70000"],
                &[],
                Err(UsageError(
                    "invalid --port '70000': expected a port number from 0 to 65535".into(),
                )),
            ),
            (
                &[],
                &[("CHALICE_PORT", "http")],
                Err(UsageError(
                    "invalid CHALICE_PORT 'http': expected a port number from 0 to 65535".into(),
                )),
            ),
            (
                &["--host", "example.com"],
                &[],
                Err(UsageError(
                    "invalid --host 'example.com': expected an IP address such as 127.0.0.1".into(),
                )),
            ),
            (
                &["--port"],
                &[],
                Err(UsageError("--port needs a value".into())),
            ),
            (
                &["--verbose"],
                &[],
                Err(UsageError("unexpected argument '--verbose'".into())),
            ),
        ];
        for (args, vars, expected) in cases {
            let vars: &'static [(&'static str, &'static str)] =
                Box::leak(vars.to_vec().into_boxed_slice());
            let got = mode(args.iter().map(OsString::from), env(vars));
            assert_eq!(&got, expected, "{args:?} {vars:?}");
        }
    }
}
