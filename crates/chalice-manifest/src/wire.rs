//! The constants an app binary and the CLI must agree on, outside the manifest itself.

/// The manifest format this crate reads and writes.
///
/// Fields added later carry `#[serde(default)]`, so a CLI reads the manifests of older apps;
/// the version changes only when a change would mislead an older CLI, which then refuses the
/// manifest and asks to be updated.
///
/// Version 2 lists the app's event handlers and pure functions
/// ([`Manifest::functions`](crate::Manifest::functions)): a CLI that knows only version 1
/// would package such an app without them, so it is asked to update instead. Version 3
/// adds the WebSocket API ([`Manifest::websocket`](crate::Manifest::websocket)), for the
/// same reason.
pub const MANIFEST_VERSION: u32 = 3;

/// The argument that makes an app binary print its [manifest](crate::Manifest) as JSON on
/// stdout and exit, instead of serving.
pub const MANIFEST_ARG: &str = "--manifest";

/// The environment variable that tells a deployed function which of the app's handlers it
/// serves: the name of a built-in authorizer, an event handler or a pure function (unset:
/// the API handler).
///
/// Every function of an app is the same `bootstrap` binary; the templates and the deployer
/// set this variable on each function but the API handler's, and the Lambda adapter reads
/// it once, at init: a name the app does not have is an init error.
pub const HANDLER_ENV: &str = "CHALICE_HANDLER";

/// The argument that makes an app binary run one of its functions once, locally: the
/// function's name follows, the event is read as JSON from stdin, and the function's answer
/// is printed as JSON on stdout (`chalice invoke --local -n NAME < event.json`).
pub const INVOKE_ARG: &str = "--invoke";

/// The environment variable `chalice local` sets (to `1`) on the app it runs, whose stdin is
/// then a pipe the CLI holds open: the app exits when the pipe closes.
///
/// The kernel closes it whenever the CLI ends, killed with SIGKILL included, so no app
/// outlives the `chalice local` that started it. An app run by hand never looks at its
/// stdin (closed from the start under a service manager or `< /dev/null`).
pub const EXIT_WITH_STDIN_ENV: &str = "CHALICE_EXIT_WITH_STDIN";

/// The environment variable that tells an app where its WebSocket API's management
/// endpoint (`@connections`) is, for `websocket_api()` calls made outside a WebSocket
/// handler (from an HTTP view or an SQS worker, say), where no event names it:
/// `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}` on AWS, set by the
/// templates and the deployer on every function of an app with a WebSocket API; the local
/// server's own address under `chalice local`.
pub const WEBSOCKET_ENDPOINT_ENV: &str = "CHALICE_WEBSOCKET_ENDPOINT";

/// The environment variable that, set to `1` while an app is built, leaves the local server
/// out of its binary: `chalice::run` then serves AWS Lambda only. `chalice package` and
/// `chalice deploy` set it for the bootstrap they build, which a deployed function never
/// runs as a local server; the binary is smaller and loads faster.
pub const LAMBDA_ONLY_ENV: &str = "CHALICE_LAMBDA_ONLY";

/// The environment variable `chalice local` sets on the app it runs, whose process has the
/// API handler's environment variables: what each other function's own variables change
/// (its `lambda_functions` entry in `.chalice/config.json`, as deployed), as a JSON object
/// of function names to objects of variable names to a string, or `null` for a variable
/// the function does not have. The local server runs each schedule, event handler and
/// WebSocket handler with its function's, read with `chalice::env_var`:
///
/// ```json
/// {"nightly": {"TABLE": "jobs", "API_ONLY": null}}
/// ```
pub const FUNCTION_ENV_VARS_ENV: &str = "CHALICE_FUNCTION_ENV_VARS";
