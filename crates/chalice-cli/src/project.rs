//! A chalice project: its directory, its configuration, building it and asking the built app
//! for its manifest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use chalice_manifest::{MANIFEST_ARG, MANIFEST_VERSION, Manifest};

use crate::cargo::Profile;
use crate::config::Config;
use crate::error::UsageError;
use crate::output::Output;

/// A project directory with its `.chalice/config.json`.
#[derive(Debug)]
pub struct Project {
    /// The project's directory, where its `Cargo.toml` is.
    pub dir: PathBuf,
    /// Its `.chalice/config.json`.
    pub config: Config,
}

impl Project {
    /// The project at `dir` (the current directory by default). The keys of its
    /// configuration that are not acted on are warned about on `output`.
    pub fn open(dir: Option<PathBuf>, output: Output) -> anyhow::Result<Project> {
        let dir = match dir {
            Some(dir) => dir,
            None => std::env::current_dir().context("cannot read the current directory")?,
        };
        if !dir.join("Cargo.toml").is_file() {
            return Err(UsageError(format!(
                "{} has no Cargo.toml: run this in a chalice project (create one with `chalice new-project NAME`) \
                 or point at one with --project-dir",
                dir.display()
            ))
            .into());
        }
        let config = Config::load(&dir)?;
        for warning in config.warnings() {
            output.warn(format!("{}: {warning}", config.file().display()));
        }
        Ok(Project { dir, config })
    }

    /// Builds the app and returns its binary (see [`crate::cargo::build`]).
    pub fn build(
        &self,
        profile: Profile,
        target: Option<&str>,
        output: Output,
    ) -> anyhow::Result<PathBuf> {
        crate::cargo::build(&self.dir, profile, target, output)
    }

    /// Runs the built app with `--manifest` and reads what it prints.
    pub fn manifest(&self, binary: &Path, output: Output) -> anyhow::Result<Manifest> {
        self.manifest_with_env(binary, &BTreeMap::new(), output)
    }

    /// [`Project::manifest`], with these environment variables set: the stage's, so that the
    /// app starts as it will be run (`chalice local` checks a new build so before it
    /// replaces the running one).
    pub fn manifest_with_env(
        &self,
        binary: &Path,
        env: &BTreeMap<String, String>,
        output: Output,
    ) -> anyhow::Result<Manifest> {
        output.verbose("Running", format!("{} {MANIFEST_ARG}", binary.display()));
        let run = Command::new(binary)
            .arg(MANIFEST_ARG)
            .envs(env)
            .env_remove("AWS_LAMBDA_RUNTIME_API")
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("cannot run {}", binary.display()))?;
        let stderr = String::from_utf8_lossy(&run.stderr);
        match run.status.code() {
            Some(0) => {}
            // The app refused its own definition: its message lists every mistake.
            Some(2) => {
                return Err(
                    UsageError(stderr.trim_end().trim_start_matches("error: ").to_owned()).into(),
                );
            }
            _ => bail!(
                "{} --manifest failed ({}): {}\n(is `chalice::run(app)` the last thing `main` does?)",
                binary.display(),
                run.status,
                stderr.trim_end()
            ),
        }
        read_manifest(&run.stdout).with_context(|| {
            format!(
                "{} {MANIFEST_ARG} did not print a manifest this CLI can read",
                binary.display()
            )
        })
    }
}

/// Reads what `app --manifest` printed. The version is read first, so that a manifest from
/// a newer app (a field or an authorizer kind this CLI does not know) asks for a newer CLI
/// rather than failing on the first unknown thing.
pub fn read_manifest(output: &[u8]) -> anyhow::Result<Manifest> {
    #[derive(serde::Deserialize)]
    struct Version {
        manifest_version: u32,
    }
    let version: Version = serde_json::from_slice(output).context(
        "it is not a chalice manifest (is `chalice::run(app)` the last thing `main` does?)",
    )?;
    if version.manifest_version > MANIFEST_VERSION {
        bail!(
            "the app speaks manifest version {}, this CLI knows up to {MANIFEST_VERSION}: \
             update the chalice CLI",
            version.manifest_version
        );
    }
    serde_json::from_slice(output).context(
        "the manifest does not read (was the app built with a newer chalice? update the CLI)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_from_newer_apps_ask_for_a_newer_cli() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            (
                r#"{"manifest_version":1,"app_name":"a","binary_types":[],"routes":[]}"#,
                Ok("a"),
            ),
            (
                r#"{"manifest_version":99,"app_name":"a","authorizers":[{"name":"x","type":"oidc"}]}"#,
                Err(
                    "the app speaks manifest version 99, this CLI knows up to 3: update the chalice CLI",
                ),
            ),
            (
                r#"{"manifest_version":1,"app_name":"a","binary_types":[],"routes":[],
                    "authorizers":[{"name":"x","type":"oidc"}]}"#,
                Err(
                    "the manifest does not read (was the app built with a newer chalice? update the CLI)",
                ),
            ),
            (
                "Serving on http://127.0.0.1:8000",
                Err(
                    "it is not a chalice manifest (is `chalice::run(app)` the last thing `main` does?)",
                ),
            ),
        ];
        for (output, expected) in cases {
            let read = read_manifest(output.as_bytes());
            match (read, expected) {
                (Ok(manifest), Ok(name)) => assert_eq!(manifest.app_name, *name),
                (Err(error), Err(message)) => assert_eq!(error.to_string(), *message, "{output}"),
                (read, _) => panic!("{output}: {read:?}"),
            }
        }
    }
}
