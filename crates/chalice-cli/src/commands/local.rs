//! `chalice local`: build the app, serve it, and on a change to its source or its
//! configuration rebuild and restart it.
//!
//! Every restart reads `.chalice/config.json` again (a changed environment variable applies
//! at once) and checks the new build before it stops the running app: it runs the binary with
//! `--manifest`, with the stage's environment, which is where an app reports the mistakes in
//! its definition. A failed build, a definition or a configuration with mistakes are printed,
//! and the last good app keeps answering until a save fixes them. What a save can't fix
//! (the port taken, cargo missing) ends `chalice local` with the error.
//!
//! The app never outlives the CLI: it runs with its stdin a pipe that the CLI holds and
//! [`EXIT_WITH_STDIN_ENV`] set, and exits when the pipe closes, which the kernel does however
//! the CLI ends, SIGKILL included.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Component, Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, anyhow};
use chalice_config::{Config, ConfigErrors, StageConfig};
use chalice_manifest::{EXIT_WITH_STDIN_ENV, FUNCTION_ENV_VARS_ENV, Manifest};
use notify::{EventKind, RecursiveMode, Watcher};

use crate::cargo::Profile;
use crate::error::{BuildFailed, UsageError};
use crate::output::Output;
use crate::project::Project;

/// How to serve the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalOptions {
    /// The address to listen on.
    pub host: String,
    /// The port to listen on (0: any free one; the app says which).
    pub port: u16,
    /// The stage whose configuration (environment variables) the app runs with.
    pub stage: String,
    /// Whether to rebuild and restart when the source changes.
    pub autoreload: bool,
}

/// How long to wait for more changes before rebuilding (an editor's save is several events).
const SETTLE: Duration = Duration::from_millis(300);

/// The longest a stream of changes (a `git checkout`, a formatter over the tree) delays the
/// rebuild.
const SETTLE_LIMIT: Duration = Duration::from_secs(2);

enum Signal {
    Changed(Vec<PathBuf>),
    Interrupted,
}

/// Builds and serves the app until Ctrl-C.
pub fn local(project: &Project, args: &LocalOptions, output: Output) -> anyhow::Result<()> {
    let addr = listen_addr(&args.host, args.port)?;
    // Before anything is built: no save can free the port.
    check_free(addr)?;
    // A stage missing at start is a mistake on the command line, not an edit in progress:
    // refused as `chalice package` refuses it. (A stage that a later save removes is a
    // mistake a save can fix, reported while the last good app keeps serving.)
    project.config.stage(&args.stage)?;
    let (signals, incoming) = mpsc::channel();
    let interrupted = signals.clone();
    ctrlc::set_handler(move || {
        let _ = interrupted.send(Signal::Interrupted);
    })
    .context("cannot handle Ctrl-C")?;

    // Watching starts before the first build: a save made while it builds, or the moment
    // the server is up, is a change like any other.
    // Kept alive for the loop's lifetime: dropping the watcher stops it.
    let _watcher = if args.autoreload {
        Some(watch(&project.dir, signals)?)
    } else {
        None
    };

    let mut session = Session {
        project,
        args,
        addr,
        output,
        server: None,
        warnings: Vec::new(),
    };
    let started = session.start(None);
    session.settle(started)?;
    let mut seen = Seen::default();

    loop {
        match incoming.recv_timeout(Duration::from_millis(250)) {
            Ok(Signal::Interrupted) => break,
            Ok(Signal::Changed(paths)) => {
                // Let a burst of saves settle into one rebuild: events are gathered until
                // none has come for SETTLE (at most SETTLE_LIMIT after the first).
                let limit = std::time::Instant::now() + SETTLE_LIMIT;
                let mut changed = paths;
                loop {
                    let left = limit.saturating_duration_since(std::time::Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    match incoming.recv_timeout(SETTLE.min(left)) {
                        Ok(Signal::Changed(more)) => changed.extend(more),
                        Ok(Signal::Interrupted) => {
                            stop(session.server.take());
                            return Ok(());
                        }
                        Err(_) => break,
                    }
                }
                // One save can be several events, some late (a write done as a truncate and
                // a write, an editor's write and then its change of attributes): what has
                // not changed since the last rebuild is no reason for another.
                if !seen.changed(&changed) {
                    continue;
                }
                // Editors save through temporary files: name one that is still there.
                let shown = changed
                    .iter()
                    .find(|p| p.exists())
                    .or(changed.first())
                    .map(|p| {
                        p.strip_prefix(&project.dir)
                            .unwrap_or(p)
                            .display()
                            .to_string()
                    });
                output.status("Changed", shown.unwrap_or_default());
                let config = Config::load(&project.dir);
                let started = session.start(Some(config));
                session.settle(started)?;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Some(status) = session.server.as_mut().and_then(Server::exited) {
                    session.server = None;
                    if !args.autoreload {
                        std::process::exit(status.code().unwrap_or(1));
                    }
                    output.warn(format!(
                        "the app stopped ({status}); save a change to rebuild and restart it"
                    ));
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    stop(session.server.take());
    Ok(())
}

/// Why a (re)start did not happen.
enum NotStarted {
    /// A mistake a save can fix; the last good app, if any, keeps serving meanwhile.
    Mistake {
        /// What went wrong, for the warning that follows the error.
        what: &'static str,
        error: anyhow::Error,
        /// Whether `error` has been printed already (cargo prints its own).
        printed: bool,
    },
    /// Something a save can't fix: `chalice local` ends with it.
    Fatal(anyhow::Error),
}

/// The running app, and what it takes to replace it.
struct Session<'a> {
    project: &'a Project,
    args: &'a LocalOptions,
    addr: SocketAddr,
    output: Output,
    server: Option<Server>,
    /// The configuration's warnings last printed, so that each save does not repeat them.
    warnings: Vec<String>,
}

impl Session<'_> {
    /// Reads the configuration (`reread`: read again; `None`: the one the project was
    /// opened with), builds the app and checks it; then replaces the running app with it.
    /// Until the last step the running app is untouched.
    fn start(&mut self, reread: Option<Result<Config, ConfigErrors>>) -> Result<(), NotStarted> {
        let mistake = |what, error: anyhow::Error| NotStarted::Mistake {
            what,
            error,
            printed: false,
        };
        let config_mistake = |error| mistake("the configuration has mistakes", error);
        let reread = match reread {
            None => None,
            Some(Ok(config)) => Some(config),
            Some(Err(errors)) => return Err(config_mistake(errors.into())),
        };
        let config = match &reread {
            Some(config) => {
                self.warn_once(config);
                config
            }
            None => &self.project.config,
        };
        let stage = config
            .stage(&self.args.stage)
            .map_err(|errors| config_mistake(errors.into()))?;
        let env = stage.api_handler().environment_variables;
        let api_gateway_stage = stage.api_gateway_stage.clone();

        let binary = match self.project.build(Profile::Debug, None, self.output) {
            Ok(binary) => binary,
            Err(error) if error.downcast_ref::<BuildFailed>().is_some() => {
                return Err(NotStarted::Mistake {
                    what: "the build failed",
                    error,
                    printed: true,
                });
            }
            Err(error) => return Err(NotStarted::Fatal(error)),
        };
        // The app checks its definition when it starts, and refuses to serve with a
        // mistake; asked for its manifest, it does the same and ends. Asking first keeps
        // the last good app serving.
        let manifest = match self.project.manifest_with_env(&binary, &env, self.output) {
            Ok(manifest) => manifest,
            Err(error) => {
                let what = if error.downcast_ref::<UsageError>().is_some() {
                    "the app's definition has mistakes"
                } else {
                    "the new build does not start"
                };
                return Err(mistake(what, error));
            }
        };
        let function_env = function_env_vars(&stage, &manifest);

        stop(self.server.take());
        check_free(self.addr).map_err(NotStarted::Fatal)?;
        let server = Server::start(&binary, self.args, &env, &function_env, &api_gateway_stage)
            .map_err(NotStarted::Fatal)?;
        self.server = Some(server);
        Ok(())
    }

    /// After [`Session::start`]: says what went wrong, or ends `chalice local` with it when
    /// there is nothing to wait for (a fatal error, or a mistake without autoreload).
    fn settle(&mut self, started: Result<(), NotStarted>) -> anyhow::Result<()> {
        let (what, error, printed) = match started {
            Ok(()) => return Ok(()),
            Err(NotStarted::Fatal(error)) => {
                stop(self.server.take());
                return Err(error);
            }
            Err(NotStarted::Mistake {
                what,
                error,
                printed,
            }) => (what, error, printed),
        };
        if !self.args.autoreload {
            return Err(error);
        }
        if !printed {
            self.output.error(&error);
        }
        if self.server.is_some() {
            self.output
                .warn(format!("{what}: the last good app is still serving"));
        } else {
            self.output
                .warn(format!("{what}: the server starts once a save fixes it"));
        }
        Ok(())
    }

    /// Prints the configuration's warnings, unless they are the ones printed last.
    fn warn_once(&mut self, config: &Config) {
        let warnings: Vec<String> = config
            .warnings()
            .iter()
            .map(|warning| format!("{}: {warning}", config.file().display()))
            .collect();
        if warnings != self.warnings {
            for warning in &warnings {
                self.output.warn(warning);
            }
            self.warnings = warnings;
        }
    }
}

/// The address the app will listen on, read as the app reads `--host`: an IP address, or
/// `localhost`.
fn listen_addr(host: &str, port: u16) -> Result<SocketAddr, UsageError> {
    let ip = match host {
        "localhost" => Some(IpAddr::from([127, 0, 0, 1])),
        _ => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .ok(),
    };
    ip.map(|ip| SocketAddr::new(ip, port)).ok_or_else(|| {
        UsageError(format!(
            "invalid --host '{host}': expected an IP address such as 127.0.0.1"
        ))
    })
}

/// Fails when the app could not listen on `addr`: the port is taken, privileged, or the
/// address is not this machine's. Binds as the app does (`SO_REUSEADDR`, which std sets), and
/// lets go at once. With port 0 the app picks a free port, so there is nothing to check.
fn check_free(addr: SocketAddr) -> anyhow::Result<()> {
    if addr.port() == 0 {
        return Ok(());
    }
    match TcpListener::bind(addr) {
        Ok(_) => Ok(()),
        Err(error) => Err(anyhow!(match error.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "cannot listen on {addr}: port {} is already in use (is another `chalice local` \
                 running?); choose another port with --port",
                addr.port()
            ),
            std::io::ErrorKind::PermissionDenied => format!(
                "cannot listen on {addr}: permission denied (ports below 1024 need privileges); \
                 choose another port with --port"
            ),
            std::io::ErrorKind::AddrNotAvailable => format!(
                "cannot listen on {addr}: this machine has no such address; use --host 127.0.0.1"
            ),
            _ => format!("cannot listen on {addr}: {error}"),
        })),
    }
}

/// The running app.
struct Server {
    /// Its stdin, the pipe that ends it when closed, is `child.stdin`: held until the
    /// child is dropped.
    child: Child,
}

impl Server {
    fn start(
        binary: &Path,
        args: &LocalOptions,
        env: &BTreeMap<String, String>,
        function_env: &str,
        api_gateway_stage: &str,
    ) -> anyhow::Result<Server> {
        let child = Command::new(binary)
            .args(["--host", &args.host, "--port", &args.port.to_string()])
            .envs(env)
            // Each other function's own variables, over the API handler's in `env`.
            .env(FUNCTION_ENV_VARS_ENV, function_env)
            // The stage's `requestContext` (`/<api_gateway_stage>/path`), as deployed.
            .env("CHALICE_API_GATEWAY_STAGE", api_gateway_stage)
            // A shell inside a Lambda emulator must not make the app serve the Runtime API.
            .env_remove("AWS_LAMBDA_RUNTIME_API")
            .env(EXIT_WITH_STDIN_ENV, "1")
            // std creates the pipe close-on-exec: the builds this CLI runs later do not
            // inherit its end, so only this process holds it open.
            .stdin(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        Ok(Server { child })
    }

    /// Sends the app SIGINT; whether it was sent.
    #[cfg(unix)]
    fn ask_to_stop(&self) -> bool {
        use nix::sys::signal::{Signal, kill};
        let Ok(pid) = i32::try_from(self.child.id()) else {
            return false;
        };
        kill(nix::unistd::Pid::from_raw(pid), Signal::SIGINT).is_ok()
    }

    /// Without signals, the app is killed.
    #[cfg(not(unix))]
    fn ask_to_stop(&self) -> bool {
        false
    }

    /// The exit status, if the app has stopped.
    fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

/// [`FUNCTION_ENV_VARS_ENV`] for the app of `manifest` on `stage`: for each function the
/// local server runs besides the API handler (schedules and other event handlers, pure
/// functions, WebSocket handlers), what its environment variables change from the API
/// handler's, which are the process's: a value, or `null` for one it does not have.
/// Functions with nothing to change are left out.
fn function_env_vars(stage: &StageConfig, manifest: &Manifest) -> String {
    let api = stage.api_handler().environment_variables;
    let names = manifest.functions.iter().map(|f| f.name.as_str()).chain(
        manifest
            .websocket
            .iter()
            .flat_map(|ws| ws.routes.iter().map(|r| r.handler.as_str())),
    );
    let mut table = serde_json::Map::new();
    for name in names {
        let own = stage.function(name).environment_variables;
        let mut changes = serde_json::Map::new();
        for (key, value) in &own {
            if api.get(key) != Some(value) {
                changes.insert(key.clone(), value.clone().into());
            }
        }
        for key in api.keys().filter(|key| !own.contains_key(*key)) {
            changes.insert(key.clone(), serde_json::Value::Null);
        }
        if !changes.is_empty() {
            table.insert(name.to_owned(), changes.into());
        }
    }
    serde_json::Value::Object(table).to_string()
}

/// How long the app may take to stop once asked: its shutdown grace period (5 s by default,
/// for the requests in flight and the WebSocket connections' `$disconnect`), and a second
/// more. An app that takes longer is killed.
const STOP_PATIENCE: Duration = Duration::from_secs(6);

/// Stops the app as Ctrl-C does (SIGINT): it finishes the requests in flight, closes its
/// WebSocket connections and runs their `$disconnect`, then exits; killed if it does not
/// within [`STOP_PATIENCE`]. A terminal's Ctrl-C reaches the app too (it is in the CLI's
/// process group), but a `chalice local` stopped otherwise (`kill -INT`, SIGTERM from a
/// supervisor) or restarting after a save must ask it itself.
fn stop(server: Option<Server>) {
    let Some(mut server) = server else {
        return;
    };
    if server.ask_to_stop() {
        let deadline = std::time::Instant::now() + STOP_PATIENCE;
        while std::time::Instant::now() < deadline {
            if !matches!(server.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let _ = server.child.kill();
    let _ = server.child.wait();
}

/// Watches what the app is built and configured from: `src/`, `Cargo.toml`, `build.rs` and
/// `.chalice/`. The project's directory itself is watched, not `Cargo.toml` and `build.rs`
/// alone: an editor that saves by writing a new file and renaming it over the old one would
/// leave a watch on the old file, and every later save unseen. Not `target/`, where builds
/// write, nor `Cargo.lock`, which builds touch, nor editors' swap and backup files.
fn watch(dir: &Path, signals: mpsc::Sender<Signal>) -> anyhow::Result<notify::RecommendedWatcher> {
    let root = dir
        .canonicalize()
        .with_context(|| format!("cannot read {}", dir.display()))?;
    let relevant_root = root.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if !matches!(
            event.kind,
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
        ) {
            return;
        }
        let paths: Vec<PathBuf> = event
            .paths
            .into_iter()
            .filter(|path| is_source(&relevant_root, path))
            .collect();
        if !paths.is_empty() {
            let _ = signals.send(Signal::Changed(paths));
        }
    })
    .context("cannot watch the project for changes")?;
    watcher
        .watch(&root, RecursiveMode::NonRecursive)
        .with_context(|| format!("cannot watch {}", root.display()))?;
    for dir in ["src", ".chalice"] {
        let path = root.join(dir);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", path.display()))?;
        }
    }
    Ok(watcher)
}

/// What the watched files were when the app was last rebuilt for a change to them, to tell a
/// change from another event of a save already handled.
#[derive(Default)]
struct Seen(BTreeMap<PathBuf, Option<Fingerprint>>);

/// A file's state: its modification time, length and a hash of its contents (`None`: gone).
type Fingerprint = (Option<std::time::SystemTime>, u64, u64);

impl Seen {
    /// Records the state of `paths` now; whether any differs from the state last recorded
    /// (a path never recorded has changed).
    fn changed(&mut self, paths: &[PathBuf]) -> bool {
        let mut changed = false;
        for path in paths {
            let now = fingerprint(path);
            if self.0.get(path) != Some(&now) {
                changed = true;
                self.0.insert(path.clone(), now);
            }
        }
        changed
    }
}

fn fingerprint(path: &Path) -> Option<Fingerprint> {
    use std::hash::{Hash, Hasher};
    let metadata = std::fs::metadata(path).ok()?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    // A directory (a new folder under src/) has no contents to read: its times tell.
    if metadata.is_file() {
        std::fs::read(path).ok()?.hash(&mut hasher);
    }
    Some((metadata.modified().ok(), metadata.len(), hasher.finish()))
}

/// Whether a change to `path` (in the project at `root`) can change the app or how it runs.
fn is_source(root: &Path, path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(root) else {
        return false;
    };
    let parts: Vec<&OsStr> = relative
        .components()
        .filter_map(|part| match part {
            Component::Normal(name) => Some(name),
            _ => None,
        })
        .collect();
    let Some(name) = parts.last().and_then(|name| name.to_str()) else {
        return false;
    };
    // Swap, backup and temporary files: vim's `.x.swp`, `x~` and `4913`, emacs's `#x#` and
    // `.#x`, JetBrains' `x___jb_tmp___`. The rename that ends a save names the real file.
    let scratch = name.starts_with(['.', '#'])
        || name.ends_with('~')
        || name.ends_with("___")
        || name == "4913";
    match parts.first().and_then(|first| first.to_str()) {
        Some("src") => !scratch,
        // `chalice deploy` records what it deployed there: not the app's configuration.
        Some(".chalice") => parts.get(1).is_some_and(|p| *p != "deployed") && !scratch,
        Some("Cargo.toml" | "build.rs") => parts.len() == 1,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_function_gets_what_its_own_variables_change() {
        let config = r#"{"app_name": "jobs",
            "environment_variables": {"SHARED": "top", "TABLE": "t"},
            "stages": {"dev": {
                "environment_variables": {"STAGE": "dev"},
                "lambda_functions": {
                    "api_handler": {"environment_variables": {"API_ONLY": "1"}},
                    "nightly": {"environment_variables": {"TABLE": "nightly-table"}},
                    "websocket_message": {"environment_variables": {"API_ONLY": "1", "WS": "yes"}}
                }}}}"#;
        let dir = std::env::temp_dir().join(format!("chalice-local-env-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".chalice")).expect("a scratch folder");
        std::fs::write(dir.join(".chalice/config.json"), config).expect("written");
        let stage = Config::load(&dir)
            .and_then(|config| config.stage("dev"))
            .expect("a stage");
        let _ = std::fs::remove_dir_all(&dir);
        let manifest: Manifest = serde_json::from_value(serde_json::json!({
            "manifest_version": chalice_manifest::MANIFEST_VERSION,
            "app_name": "jobs", "binary_types": [], "routes": [], "authorizers": [],
            "functions": [
                {"name": "nightly", "source": "schedule", "expression": "rate(1 hour)", "description": ""},
                {"name": "worker", "source": "lambda_function"}
            ],
            "websocket": {"route_selection_expression": "$request.body.action",
                "routes": [{"route_key": "$default", "handler": "websocket_message"}]}
        }))
        .expect("a manifest");
        let got: serde_json::Value =
            serde_json::from_str(&function_env_vars(&stage, &manifest)).expect("JSON");
        assert_eq!(
            got,
            serde_json::json!({
                "nightly": {"TABLE": "nightly-table", "API_ONLY": null},
                "worker": {"API_ONLY": null},
                "websocket_message": {"WS": "yes"},
            })
        );
    }

    /// A regression test for a broken `.chalice/config.json` reported twice for one save: the
    /// save's second event, once the first has been handled, is not a change.
    #[test]
    fn a_save_already_handled_is_not_a_change_again() {
        let dir = std::env::temp_dir().join(format!("chalice-local-seen-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        enum Act {
            Write(&'static str, &'static str),
            Remove(&'static str),
            Nothing,
        }
        use Act::{Nothing, Remove, Write};
        let mut seen = Seen::default();
        // Each step: what is done, the files the events that follow name, whether it is a
        // change.
        let steps: &[(Act, &[&str], bool)] = &[
            (Write("config.json", "{"), &["config.json"], true),
            // The same save's late event (a truncate then a write is two).
            (Nothing, &["config.json"], false),
            (Nothing, &["config.json", "config.json"], false),
            (Write("config.json", "{}"), &["config.json"], true),
            (
                Write("other.json", "1"),
                &["config.json", "other.json"],
                true,
            ),
            (Nothing, &["other.json"], false),
            // Saved back as it was before: a change.
            (Write("config.json", "{"), &["config.json"], true),
            (Remove("config.json"), &["config.json"], true),
            (Nothing, &["config.json"], false),
        ];
        for (step, (act, names, expected)) in steps.iter().enumerate() {
            match act {
                Write(name, text) => std::fs::write(dir.join(name), text).expect("write"),
                Remove(name) => std::fs::remove_file(dir.join(name)).expect("remove"),
                Nothing => {}
            }
            let paths: Vec<PathBuf> = names.iter().map(|name| dir.join(name)).collect();
            assert_eq!(seen.changed(&paths), *expected, "step {step}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn changes_that_restart_the_app() {
        let root = Path::new("/p");
        let cases = [
            ("/p/src/lib.rs", true),
            ("/p/src/routes/users.rs", true),
            ("/p/src/new_module.rs", true),
            ("/p/Cargo.toml", true),
            ("/p/build.rs", true),
            ("/p/.chalice/config.json", true),
            ("/p/.chalice/policy-dev.json", true),
            ("/p/.chalice/deployed/dev.json", false),
            ("/p/.chalice", false),
            ("/p/Cargo.lock", false),
            ("/p/README.md", false),
            ("/p/target/debug/app", false),
            ("/p/.git/index", false),
            ("/p/src/.lib.rs.swp", false),
            ("/p/src/lib.rs~", false),
            ("/p/src/4913", false),
            ("/p/src/#lib.rs#", false),
            ("/p/src/.#lib.rs", false),
            ("/p/src/lib.rs___jb_tmp___", false),
            ("/p/.chalice/.config.json.swp", false),
            ("/p/tests/api.rs", false),
            ("/elsewhere/src/lib.rs", false),
        ];
        for (path, expected) in cases {
            assert_eq!(is_source(root, Path::new(path)), expected, "{path}");
        }
    }

    #[test]
    fn hosts_are_read_as_the_app_reads_them() {
        let cases: [(&str, Result<&str, &str>); 5] = [
            ("127.0.0.1", Ok("127.0.0.1:8000")),
            ("localhost", Ok("127.0.0.1:8000")),
            ("::1", Ok("[::1]:8000")),
            ("[::1]", Ok("[::1]:8000")),
            (
                "example.com",
                Err("invalid --host 'example.com': expected an IP address such as 127.0.0.1"),
            ),
        ];
        for (host, expected) in cases {
            let got = listen_addr(host, 8000)
                .map(|addr| addr.to_string())
                .map_err(|error| error.to_string());
            assert_eq!(
                got,
                expected.map(str::to_owned).map_err(str::to_owned),
                "{host}"
            );
        }
    }
}
