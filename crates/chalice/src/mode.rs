//! Which job the app's binary does, chosen from its environment and arguments: serve
//! locally (and how), serve Lambda, print the manifest, or print the usage.

use std::ffi::OsString;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use chalice_local::Limits;

use crate::logging::RequestLog;

/// Exit status for usage and definition errors, as Chalice's CLI uses.
pub(crate) const USAGE_ERROR: i32 = 2;

/// What `run` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Serve HTTP locally.
    Local(Local),
    /// Serve Lambda invocations through the Runtime API.
    Lambda,
    /// Print the app's manifest for the CLI.
    Manifest,
    /// Run the function named once, on the event read from stdin.
    Invoke(String),
    /// Print the usage text.
    Help,
}

/// How to serve locally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Local {
    pub(crate) addr: SocketAddr,
    pub(crate) limits: Limits,
    pub(crate) request_log: RequestLog,
}

/// A setting taken from a flag, else from an environment variable.
struct Setting {
    flag: &'static str,
    /// Where the value came from (the flag or the variable's name), and the value.
    value: Option<(&'static str, String)>,
}

impl Setting {
    /// Parses the value, if there is one, with `parse`; `expected` describes a good one.
    fn parse<T>(
        &self,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Result<Option<T>, UsageError> {
        let Some((source, text)) = &self.value else {
            return Ok(None);
        };
        parse(text)
            .map(Some)
            .ok_or_else(|| UsageError(format!("invalid {source} '{text}': expected {expected}")))
    }
}

/// Picks the mode: Lambda when the Runtime API is there, else the local server configured by
/// its flags (`--host`, `--port`, ...), then their `CHALICE_*` variables, then the defaults.
pub(crate) fn mode(
    args: impl IntoIterator<Item = OsString>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Mode, UsageError> {
    if env("AWS_LAMBDA_RUNTIME_API").is_some_and(|v| !v.is_empty()) {
        return Ok(Mode::Lambda);
    }
    let mut settings = [
        ("--host", "CHALICE_HOST"),
        ("--port", "CHALICE_PORT"),
        ("--request-timeout", "CHALICE_REQUEST_TIMEOUT"),
        ("--max-connections", "CHALICE_MAX_CONNECTIONS"),
        (
            "--max-inflight-body-bytes",
            "CHALICE_MAX_INFLIGHT_BODY_BYTES",
        ),
        ("--shutdown-grace", "CHALICE_SHUTDOWN_GRACE"),
        ("--request-log", "CHALICE_REQUEST_LOG"),
    ]
    .map(|(flag, name)| Setting {
        flag,
        value: env(name).map(|v| (name, v)),
    });
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
        match name.as_str() {
            "-h" | "--help" => return Ok(Mode::Help),
            chalice_core::MANIFEST_ARG => return Ok(Mode::Manifest),
            chalice_core::INVOKE_ARG => {
                let name = inline
                    .or_else(|| args.next().and_then(|v| v.into_string().ok()))
                    .ok_or_else(|| UsageError("--invoke needs a function's name".to_owned()))?;
                return Ok(Mode::Invoke(name));
            }
            _ => {}
        }
        let Some(setting) = settings.iter_mut().find(|s| s.flag == name) else {
            return Err(UsageError(format!("unexpected argument '{name}'")));
        };
        let value = inline
            .or_else(|| args.next().and_then(|v| v.into_string().ok()))
            .ok_or_else(|| UsageError(format!("{} needs a value", setting.flag)))?;
        setting.value = Some((setting.flag, value));
    }
    let [host, port, timeout, connections, bodies, grace, request_log] = &settings;
    let ip = host
        .parse(parse_host, "an IP address such as 127.0.0.1")?
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let port = port
        .parse(|t| t.parse::<u16>().ok(), "a port number from 0 to 65535")?
        .unwrap_or(8000);
    let mut limits = Limits::new();
    if let Some(timeout) = timeout.parse(seconds, "seconds, such as 30 or 0.5")? {
        limits = limits.request_timeout(timeout);
    }
    let positive = |t: &str| t.parse::<usize>().ok().filter(|&n| n > 0);
    if let Some(max) = connections.parse(positive, "a number of connections, at least 1")? {
        limits = limits.max_connections(max);
    }
    if let Some(max) = bodies.parse(positive, "a number of bytes, at least 1")? {
        limits = limits.max_inflight_body_bytes(max);
    }
    if let Some(grace) = grace.parse(seconds, "seconds, such as 5 or 0.5")? {
        limits = limits.shutdown_grace(grace);
    }
    let request_log = request_log
        .parse(RequestLog::parse, "off, stderr, stdout or a file's path")?
        .unwrap_or(RequestLog::Stderr);
    Ok(Mode::Local(Local {
        addr: SocketAddr::new(ip, port),
        limits,
        request_log,
    }))
}

/// A duration in seconds, such as `30` or `0.5`.
fn seconds(text: &str) -> Option<Duration> {
    let seconds: f64 = text.parse().ok()?;
    Duration::try_from_secs_f64(seconds).ok()
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
         Usage: {bin} [OPTIONS]\n\n\
         Options:\n  \
           --host HOST              address to listen on [env: CHALICE_HOST] [default: 127.0.0.1]\n  \
           --port PORT              port to listen on; 0 picks a free one [env: CHALICE_PORT] [default: 8000]\n  \
           --request-timeout SECS   time a client has to send a whole request (else 408); also bounds idle\n                           \
                                    connections and clients that stop reading [env: CHALICE_REQUEST_TIMEOUT] [default: {timeout}]\n  \
           --max-connections N      connections open at once; past it, 503 [env: CHALICE_MAX_CONNECTIONS]\n                           \
                                    [default: {connections}, or fewer under a low open-file limit]\n  \
           --max-inflight-body-bytes N\n                           \
                                    bytes all request bodies being read or served may take together;\n                           \
                                    past it, 503 [env: CHALICE_MAX_INFLIGHT_BODY_BYTES] [default: {bodies}]\n  \
           --shutdown-grace SECS    on Ctrl-C, time requests in flight have to finish before they are cut\n                           \
                                    (then the exit status is 1) [env: CHALICE_SHUTDOWN_GRACE] [default: {grace}]\n  \
           --request-log WHERE      the one line per request: off, stderr, stdout or a file's path (appended)\n                           \
                                    [env: CHALICE_REQUEST_LOG] [default: stderr]\n  \
           --manifest               print the app's routes and settings as JSON, for the chalice CLI\n  \
           --invoke NAME            run the function NAME (event, WebSocket or pure function) once on the\n                           \
                                    event read from stdin as JSON, and print its answer\n  \
           -h, --help               print this help\n\n\
         Environment:\n  \
           CHALICE_API_KEYS    comma-separated API keys that routes with api_key_required accept locally\n  \
           CHALICE_API_GATEWAY_STAGE  the API Gateway stage requests report locally [default: api]\n  \
           CHALICE_STAGE_VARIABLES    stage variables views see locally, a JSON object of strings [default: none]\n  \
           CHALICE_HANDLER     on Lambda, the function this one serves (authorizer, event handler,\n                               pure function; unset: the API)\n  \
           CHALICE_EXIT_WITH_STDIN=1  exit when stdin closes: set by chalice local, which holds the pipe\n",
        bin = std::env::args().next().unwrap_or_else(|| "app".to_owned()),
        timeout = Limits::DEFAULT_REQUEST_TIMEOUT.as_secs(),
        connections = Limits::DEFAULT_MAX_CONNECTIONS,
        bodies = Limits::DEFAULT_MAX_INFLIGHT_BODY_BYTES,
        grace = Limits::DEFAULT_SHUTDOWN_GRACE.as_secs(),
    )
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
        with(addr, Limits::new(), RequestLog::Stderr)
    }

    fn with(addr: &str, limits: Limits, request_log: RequestLog) -> Result<Mode, UsageError> {
        Ok(Mode::Local(Local {
            addr: addr.parse().expect("addr"),
            limits,
            request_log,
        }))
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
                &["--invoke", "worker"],
                &[],
                Ok(Mode::Invoke("worker".into())),
            ),
            (&["--invoke=add"], &[], Ok(Mode::Invoke("add".into()))),
            (
                &["--invoke"],
                &[],
                Err(UsageError("--invoke needs a function's name".into())),
            ),
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
            (
                &["--request-timeout", "0.5", "--max-connections=64"],
                &[
                    ("CHALICE_SHUTDOWN_GRACE", "0"),
                    ("CHALICE_REQUEST_TIMEOUT", "9"),
                    ("CHALICE_MAX_INFLIGHT_BODY_BYTES", "1048576"),
                ],
                with(
                    "127.0.0.1:8000",
                    Limits::new()
                        .request_timeout(Duration::from_millis(500))
                        .max_connections(64)
                        .max_inflight_body_bytes(1_048_576)
                        .shutdown_grace(Duration::ZERO),
                    RequestLog::Stderr,
                ),
            ),
            (
                &["--request-log", "off"],
                &[],
                with("127.0.0.1:8000", Limits::new(), RequestLog::Off),
            ),
            (
                &[],
                &[("CHALICE_REQUEST_LOG", "logs/requests.log")],
                with(
                    "127.0.0.1:8000",
                    Limits::new(),
                    RequestLog::File("logs/requests.log".into()),
                ),
            ),
            (
                &["--request-timeout", "soon"],
                &[],
                Err(UsageError(
                    "invalid --request-timeout 'soon': expected seconds, such as 30 or 0.5".into(),
                )),
            ),
            (
                &[],
                &[("CHALICE_SHUTDOWN_GRACE", "-1")],
                Err(UsageError(
                    "invalid CHALICE_SHUTDOWN_GRACE '-1': expected seconds, such as 5 or 0.5"
                        .into(),
                )),
            ),
            (
                &["--max-connections", "0"],
                &[],
                Err(UsageError(
                    "invalid --max-connections '0': expected a number of connections, at least 1"
                        .into(),
                )),
            ),
            (
                &["--max-inflight-body-bytes", "20MB"],
                &[],
                Err(UsageError(
                    "invalid --max-inflight-body-bytes '20MB': expected a number of bytes, at least 1"
                        .into(),
                )),
            ),
            (
                &["--max-inflight-body-bytes=300000000"],
                &[],
                with(
                    "127.0.0.1:8000",
                    Limits::new().max_inflight_body_bytes(300_000_000),
                    RequestLog::Stderr,
                ),
            ),
            (
                &["--request-log="],
                &[],
                Err(UsageError(
                    "invalid --request-log '': expected off, stderr, stdout or a file's path"
                        .into(),
                )),
            ),
            (
                &["--shutdown-grace"],
                &[],
                Err(UsageError("--shutdown-grace needs a value".into())),
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
