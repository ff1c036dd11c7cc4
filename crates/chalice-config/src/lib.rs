//! `.chalice/config.json`, read as Chalice reads it.
//!
//! The file is read into serde structs, one per level ([`levels`]): the top level, each
//! stage, and `lambda_functions.<name>` in either. A value is then looked up, most specific
//! first, in: the stage's `lambda_functions.<function>`, the stage, the top level's
//! `lambda_functions.<function>`, the top level, then Chalice's defaults.
//! `environment_variables` and `tags` are merged across those levels instead, the more
//! specific winning per key (chalice/config.py: `_chain_lookup`, `_chain_merge`).
//! Settings of the API and of the deployment as a whole (`api_gateway_*`,
//! `lambda_architecture`) have only the stage and top levels.
//!
//! Every mistake of the file is found when it is read, and reported together.
//!
//! ```
//! use chalice_config::Config;
//!
//! let text = r#"{"app_name": "todo", "stages": {"dev": {"environment_variables": {"TABLE": "t"}}}}"#;
//! let config = Config::parse(".chalice/config.json".into(), text)?;
//! assert_eq!(config.app_name(), "todo");
//! assert_eq!(config.stages(), ["dev"]);
//! # Ok::<(), chalice_config::ConfigErrors>(())
//! ```

mod keys;
pub mod levels;
pub mod setting;
mod stage;
pub mod values;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize as _;

pub use crate::keys::ConfigWarning;
pub use crate::levels::{ConfigFile, FunctionLevel, FunctionSettings, StageLevel, StageSettings};
pub use crate::setting::{Expected, Setting};
pub use crate::stage::{API_HANDLER, FunctionConfig, StageConfig};
pub use crate::values::{
    ApiGatewayType, Architecture, CustomDomain, EndpointType, RETENTION_DAYS, TlsVersion,
    VpcEndpoints,
};

/// The configuration file's path inside a project.
pub const CONFIG_PATH: &str = ".chalice/config.json";

/// Chalice's default stage.
pub const DEFAULT_STAGE: &str = "dev";

/// One mistake in the configuration: the key (dotted, as in `stages.dev.lambda_timeout`) and
/// what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The key, or `None` for the file as a whole.
    pub key: Option<String>,
    /// What is wrong, and how to fix it.
    pub problem: String,
}

/// The mistakes of a configuration file, all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    /// The file.
    pub file: PathBuf,
    /// Its mistakes: the stages' first, then the top level's, each level's in the order of
    /// its settings.
    pub errors: Vec<ConfigError>,
}

impl ConfigErrors {
    fn one(file: &Path, key: Option<&str>, problem: impl Into<String>) -> Self {
        ConfigErrors {
            file: file.to_owned(),
            errors: vec![ConfigError {
                key: key.map(str::to_owned),
                problem: problem.into(),
            }],
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(key) => write!(f, "{key}: {}", self.problem),
            None => f.write_str(&self.problem),
        }
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.as_slice() {
            [one] => write!(f, "{}: {one}", self.file.display()),
            many => {
                write!(f, "{} has {} mistakes:", self.file.display(), many.len())?;
                for error in many {
                    write!(f, "\n  {error}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ConfigErrors {}

/// The parsed file, checked, for looking up stages.
#[derive(Debug, Clone)]
pub struct Config {
    file: PathBuf,
    contents: ConfigFile,
    warnings: Vec<ConfigWarning>,
}

impl Config {
    /// Reads `<project>/.chalice/config.json`.
    pub fn load(project: &Path) -> Result<Config, ConfigErrors> {
        let file = project.join(CONFIG_PATH);
        let text = std::fs::read_to_string(&file).map_err(|error| {
            let problem = match error.kind() {
                std::io::ErrorKind::NotFound => {
                    "not found: is this a chalice project? (create one with `chalice \
                     new-project NAME`, or point at one with --project-dir)"
                        .to_owned()
                }
                _ => format!("cannot be read: {error}"),
            };
            ConfigErrors::one(&file, None, problem)
        })?;
        Config::parse(file, &text)
    }

    /// Parses and checks the text of a configuration file: every mistake in it is in the
    /// error.
    pub fn parse(file: PathBuf, text: &str) -> Result<Config, ConfigErrors> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|error| {
            ConfigErrors::one(&file, None, format!("is not valid JSON: {error}"))
        })?;
        if !value.is_object() {
            return Err(ConfigErrors::one(&file, None, "must be a JSON object"));
        }
        let contents = ConfigFile::deserialize(value).map_err(|error| {
            // Settings never fail to read; only a file that is not an object could.
            ConfigErrors::one(&file, None, format!("cannot be read: {error}"))
        })?;
        let mut errors: Vec<ConfigError> = contents
            .problems()
            .into_iter()
            .map(|(key, problem)| ConfigError {
                key: Some(key),
                problem,
            })
            .collect();
        if errors.is_empty() {
            errors = stage::combination_problems(&contents);
        }
        if errors.is_empty() {
            let warnings = keys::warnings(&contents);
            Ok(Config {
                file,
                contents,
                warnings,
            })
        } else {
            Err(ConfigErrors { file, errors })
        }
    }

    /// The file this configuration was read from.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The keys of the file that are not acted on (typos, keys not supported yet), each
    /// with why and what to do.
    pub fn warnings(&self) -> &[ConfigWarning] {
        &self.warnings
    }

    /// The file's contents, level by level.
    pub fn contents(&self) -> &ConfigFile {
        &self.contents
    }

    /// The app's name (`app_name`).
    pub fn app_name(&self) -> &str {
        self.contents.app_name.get().map_or("", String::as_str)
    }

    /// The stages the file defines.
    pub fn stages(&self) -> Vec<&str> {
        self.contents
            .stages
            .get()
            .map(|stages| stages.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// The settings of `stage`. A stage the file does not define is an error unless it is
    /// the default stage, which falls back to the top level.
    pub fn stage(&self, stage: &str) -> Result<StageConfig, ConfigErrors> {
        if self.contents.stage(stage).is_none() && stage != DEFAULT_STAGE {
            let known = self.stages();
            return Err(ConfigErrors::one(
                &self.file,
                Some("stages"),
                format!(
                    "has no stage {stage:?} (stages here: {}); add \"{stage}\": {{}} under \"stages\"",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        }
        Ok(StageConfig::new(self, stage))
    }
}

#[cfg(test)]
mod tests;

/// The README's examples, compiled and run as doctests so they cannot go stale.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
