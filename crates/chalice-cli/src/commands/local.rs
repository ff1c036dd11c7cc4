//! `chalice local`: build the app, serve it, and on a source change rebuild and restart.
//!
//! A failed rebuild leaves the last good server answering: the compiler's messages are on
//! the terminal, and the next save tries again.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context;
use notify::{EventKind, RecursiveMode, Watcher};

use crate::cargo::Profile;
use crate::config::StageConfig;
use crate::error::BuildFailed;
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

enum Signal {
    Changed(Vec<PathBuf>),
    Interrupted,
}

/// Builds and serves the app until Ctrl-C.
pub fn local(project: &Project, args: &LocalOptions, output: Output) -> anyhow::Result<()> {
    let stage = project.config.stage(&args.stage)?;
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

    let mut server = match project.build(Profile::Debug, None, output) {
        Ok(binary) => Some(Server::start(&binary, args, &stage)?),
        Err(error) if !args.autoreload || error.downcast_ref::<BuildFailed>().is_none() => {
            return Err(error);
        }
        Err(_) => {
            output.warn(
                "the build failed: the server starts once a build succeeds (save a fix to rebuild)",
            );
            None
        }
    };

    loop {
        match incoming.recv_timeout(Duration::from_millis(250)) {
            Ok(Signal::Interrupted) => break,
            Ok(Signal::Changed(paths)) => {
                // Let a burst of saves settle into one rebuild.
                std::thread::sleep(SETTLE);
                let mut changed = paths;
                while let Ok(signal) = incoming.try_recv() {
                    match signal {
                        Signal::Changed(more) => changed.extend(more),
                        Signal::Interrupted => {
                            stop(server.take());
                            return Ok(());
                        }
                    }
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
                match project.build(Profile::Debug, None, output) {
                    Ok(binary) => {
                        stop(server.take());
                        let stage = project
                            .config
                            .stage(&args.stage)
                            .unwrap_or_else(|_| stage.clone());
                        server = Some(Server::start(&binary, args, &stage)?);
                    }
                    Err(error) if error.downcast_ref::<BuildFailed>().is_some() => {
                        if server.is_some() {
                            output.warn("the build failed: the last good build is still serving");
                        }
                    }
                    Err(error) => return Err(error),
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Some(status) = server.as_mut().and_then(Server::exited) {
                    server = None;
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
    stop(server.take());
    Ok(())
}

/// The running app.
struct Server {
    child: Child,
}

impl Server {
    fn start(binary: &Path, args: &LocalOptions, stage: &StageConfig) -> anyhow::Result<Server> {
        let child = Command::new(binary)
            .args(["--host", &args.host, "--port", &args.port.to_string()])
            .envs(&stage.api_handler().environment_variables)
            // The stage's `requestContext` (`/<api_gateway_stage>/path`), as deployed.
            .env("CHALICE_API_GATEWAY_STAGE", &stage.api_gateway_stage)
            // A shell inside a Lambda emulator must not make the app serve the Runtime API.
            .env_remove("AWS_LAMBDA_RUNTIME_API")
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        Ok(Server { child })
    }

    /// The exit status, if the app has stopped.
    fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

fn stop(server: Option<Server>) {
    if let Some(mut server) = server {
        let _ = server.child.kill();
        let _ = server.child.wait();
    }
}

/// Watches the sources: `src/`, `Cargo.toml`, `build.rs` and `.chalice/` (not `target/`,
/// where builds write, nor `Cargo.lock`, which builds touch).
fn watch(dir: &Path, signals: mpsc::Sender<Signal>) -> anyhow::Result<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if matches!(
            event.kind,
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
        ) {
            let _ = signals.send(Signal::Changed(event.paths));
        }
    })
    .context("cannot watch the project for changes")?;
    for (path, mode) in [
        ("src", RecursiveMode::Recursive),
        ("Cargo.toml", RecursiveMode::NonRecursive),
        ("build.rs", RecursiveMode::NonRecursive),
        (".chalice", RecursiveMode::Recursive),
    ] {
        let path = dir.join(path);
        if path.exists() {
            watcher
                .watch(&path, mode)
                .with_context(|| format!("cannot watch {}", path.display()))?;
        }
    }
    Ok(watcher)
}
