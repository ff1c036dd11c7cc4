//! `.chalice/config.json`, read as Chalice reads it.
//!
//! A value is looked up, most specific first, in: the stage's `lambda_functions.api_handler`,
//! the stage, the top level's `lambda_functions.api_handler`, the top level, then Chalice's
//! defaults. `environment_variables` and `tags` are merged across those levels instead,
//! the more specific winning per key. (chalice/config.py: `_chain_lookup`, `_chain_merge`.)

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// The Lambda function of the API, as Chalice names it in `lambda_functions`.
const API_HANDLER: &str = "api_handler";

/// The configuration file's path inside a project.
pub(crate) const CONFIG_PATH: &str = ".chalice/config.json";

/// Chalice's default stage.
pub(crate) const DEFAULT_STAGE: &str = "dev";

/// The settings of one stage, resolved.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StageConfig {
    pub(crate) app_name: String,
    pub(crate) stage: String,
    pub(crate) api_gateway_stage: String,
    pub(crate) api_gateway_endpoint_type: EndpointType,
    /// The VPC endpoints that may call a `PRIVATE` API (a string or a list in the file).
    pub(crate) api_gateway_endpoint_vpce: Vec<String>,
    pub(crate) environment_variables: BTreeMap<String, String>,
    pub(crate) lambda_memory_size: u32,
    pub(crate) lambda_timeout: u32,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) layers: Vec<String>,
    pub(crate) manage_iam_role: bool,
    pub(crate) iam_role_arn: Option<String>,
    pub(crate) iam_policy_file: Option<String>,
    pub(crate) reserved_concurrency: Option<u32>,
    pub(crate) subnet_ids: Vec<String>,
    pub(crate) security_group_ids: Vec<String>,
    pub(crate) xray: bool,
    pub(crate) lambda_architecture: Architecture,
    pub(crate) log_retention_in_days: Option<u32>,
    /// API Gateway compresses responses of at least this many bytes (unset: never).
    pub(crate) minimum_compression_size: Option<u32>,
    /// A REST API (Chalice's only kind) or an HTTP API (`api_gateway_type: "http"`).
    pub(crate) api_gateway_type: ApiType,
}

/// The kinds of API Gateway API an app can be deployed behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApiType {
    /// A REST API (API Gateway v1, payload 1.0): Chalice's.
    Rest,
    /// An HTTP API (API Gateway v2, payload 2.0): cheaper and faster, fewer features.
    Http,
}

/// API Gateway's endpoint types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndpointType {
    Edge,
    Regional,
    Private,
}

impl EndpointType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EndpointType::Edge => "EDGE",
            EndpointType::Regional => "REGIONAL",
            EndpointType::Private => "PRIVATE",
        }
    }
}

/// Lambda's instruction sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Architecture {
    X86_64,
    Arm64,
}

impl Architecture {
    /// Lambda's name for it (`Architectures` in templates).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }

    /// The Rust target a `provided.al2023` bootstrap is built for.
    pub(crate) fn rust_target(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64-unknown-linux-musl",
            Architecture::Arm64 => "aarch64-unknown-linux-musl",
        }
    }
}

/// A mistake in the configuration: the file, the key and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigError {
    file: PathBuf,
    key: Option<String>,
    problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(key) => write!(f, "{}: {key}: {}", self.file.display(), self.problem),
            None => write!(f, "{}: {}", self.file.display(), self.problem),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The parsed file, for looking up stages.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    file: PathBuf,
    root: Map<String, Value>,
}

impl Config {
    /// Reads `<project>/.chalice/config.json`.
    pub(crate) fn load(project: &Path) -> Result<Config, ConfigError> {
        let file = project.join(CONFIG_PATH);
        let text = std::fs::read_to_string(&file).map_err(|error| ConfigError {
            file: file.clone(),
            key: None,
            problem: match error.kind() {
                std::io::ErrorKind::NotFound => {
                    "not found: is this a chalice project? (create one with `chalice new-project NAME`, \
                     or point at one with --project-dir)"
                        .to_owned()
                }
                _ => format!("cannot be read: {error}"),
            },
        })?;
        Config::parse(file, &text)
    }

    /// Parses the text of a configuration file.
    pub(crate) fn parse(file: PathBuf, text: &str) -> Result<Config, ConfigError> {
        let value: Value = serde_json::from_str(text).map_err(|error| ConfigError {
            file: file.clone(),
            key: None,
            problem: format!("is not valid JSON: {error}"),
        })?;
        let Value::Object(root) = value else {
            return Err(ConfigError {
                file,
                key: None,
                problem: "must be a JSON object".to_owned(),
            });
        };
        let config = Config { file, root };
        config.object_at(&["stages"])?;
        Ok(config)
    }

    /// The stages the file defines.
    pub(crate) fn stages(&self) -> Vec<String> {
        match self.root.get("stages") {
            Some(Value::Object(stages)) => stages.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// The app's name (`app_name`, required).
    pub(crate) fn app_name(&self) -> Result<String, ConfigError> {
        match self.root.get("app_name") {
            Some(Value::String(name)) if !name.is_empty() => Ok(name.clone()),
            Some(other) => Err(self.error(
                "app_name",
                format!("must be a non-empty string, not {other}"),
            )),
            None => Err(self.error(
                "app_name",
                "is missing: name the app, as in \"app_name\": \"todo\"",
            )),
        }
    }

    /// The settings of `stage`, resolved. A stage the file does not define is an error unless
    /// it is the default stage, which falls back to the top level.
    pub(crate) fn stage(&self, stage: &str) -> Result<StageConfig, ConfigError> {
        let app_name = self.app_name()?;
        let stage_obj = self.object_at(&["stages", stage])?;
        if stage_obj.is_none() && stage != DEFAULT_STAGE {
            let known = self.stages();
            return Err(self.error(
                "stages",
                format!(
                    "has no stage {stage:?} (stages here: {}); add \"{stage}\": {{}} under \"stages\"",
                    if known.is_empty() { "none".to_owned() } else { known.join(", ") }
                ),
            ));
        }
        let lookup = Lookup {
            config: self,
            levels: vec![
                (
                    vec!["stages", stage, "lambda_functions", API_HANDLER],
                    self.object_at(&["stages", stage, "lambda_functions", API_HANDLER])?,
                ),
                (vec!["stages", stage], stage_obj),
                (
                    vec!["lambda_functions", API_HANDLER],
                    self.object_at(&["lambda_functions", API_HANDLER])?,
                ),
                (vec![], Some(&self.root)),
            ],
        };
        let mut tags = lookup.merged_strings("tags")?;
        tags.insert(
            "aws-chalice".to_owned(),
            format!(
                "version={}:stage={stage}:app={app_name}",
                env!("CARGO_PKG_VERSION")
            ),
        );
        let subnet_ids = lookup.strings("subnet_ids")?;
        let security_group_ids = lookup.strings("security_group_ids")?;
        if subnet_ids.is_empty() != security_group_ids.is_empty() {
            let (given, missing) = if subnet_ids.is_empty() {
                ("security_group_ids", "subnet_ids")
            } else {
                ("subnet_ids", "security_group_ids")
            };
            return Err(self.error(
                given,
                format!(
                    "is set without {missing}: a function in a VPC needs both (Lambda's VpcConfig)"
                ),
            ));
        }
        let manage_iam_role = lookup.bool("manage_iam_role")?.unwrap_or(true);
        let iam_role_arn = lookup.string("iam_role_arn")?;
        if !manage_iam_role && iam_role_arn.is_none() {
            return Err(self.error(
                "iam_role_arn",
                "is required when manage_iam_role is false: give the ARN of the role the function runs as",
            ));
        }
        Ok(StageConfig {
            app_name,
            stage: stage.to_owned(),
            api_gateway_stage: lookup
                .string("api_gateway_stage")?
                .unwrap_or_else(|| "api".to_owned()),
            api_gateway_endpoint_type: match lookup.string("api_gateway_endpoint_type")?.as_deref()
            {
                None | Some("EDGE") => EndpointType::Edge,
                Some("REGIONAL") => EndpointType::Regional,
                Some("PRIVATE") => EndpointType::Private,
                Some(other) => {
                    return Err(lookup.error_at(
                        "api_gateway_endpoint_type",
                        format!("must be one of EDGE, REGIONAL, PRIVATE, not {other:?}"),
                    ));
                }
            },
            api_gateway_endpoint_vpce: match lookup.find("api_gateway_endpoint_vpce") {
                Some((_, Value::String(one))) => vec![one.clone()],
                _ => lookup.strings("api_gateway_endpoint_vpce")?,
            },
            environment_variables: lookup.merged_strings("environment_variables")?,
            lambda_memory_size: lookup
                .number("lambda_memory_size", 128, 10240)?
                .unwrap_or(128),
            lambda_timeout: lookup.number("lambda_timeout", 1, 900)?.unwrap_or(60),
            tags,
            layers: lookup.strings("layers")?,
            manage_iam_role,
            iam_role_arn,
            iam_policy_file: lookup.string("iam_policy_file")?,
            reserved_concurrency: lookup.number("reserved_concurrency", 0, u32::MAX)?,
            subnet_ids,
            security_group_ids,
            xray: lookup.bool("xray")?.unwrap_or(false),
            lambda_architecture: match lookup.string("lambda_architecture")?.as_deref() {
                None | Some("x86_64") => Architecture::X86_64,
                Some("arm64") => Architecture::Arm64,
                Some(other) => {
                    return Err(lookup.error_at(
                        "lambda_architecture",
                        format!("must be \"x86_64\" or \"arm64\", not {other:?}"),
                    ));
                }
            },
            log_retention_in_days: match lookup.number("log_retention_in_days", 1, 3653)? {
                Some(days) if !RETENTION_DAYS.contains(&days) => {
                    return Err(lookup.error_at(
                        "log_retention_in_days",
                        format!(
                            "must be one of CloudWatch's retention periods ({}), not {days}",
                            join(&RETENTION_DAYS)
                        ),
                    ));
                }
                days => days,
            },
            minimum_compression_size: lookup.number("minimum_compression_size", 0, 10_485_760)?,
            api_gateway_type: match lookup.string("api_gateway_type")?.as_deref() {
                None | Some("rest") => ApiType::Rest,
                Some("http") => ApiType::Http,
                Some(other) => {
                    return Err(lookup.error_at(
                        "api_gateway_type",
                        format!("must be \"rest\" or \"http\", not {other:?}"),
                    ));
                }
            },
        })
    }

    fn object_at(&self, path: &[&str]) -> Result<Option<&Map<String, Value>>, ConfigError> {
        let mut current = &self.root;
        for (depth, key) in path.iter().enumerate() {
            match current.get(*key) {
                None | Some(Value::Null) => return Ok(None),
                Some(Value::Object(inner)) => current = inner,
                Some(other) => {
                    return Err(self.error(
                        &path[..=depth].join("."),
                        format!("must be an object, not {other}"),
                    ));
                }
            }
        }
        Ok(Some(current))
    }

    fn error(&self, key: &str, problem: impl Into<String>) -> ConfigError {
        ConfigError {
            file: self.file.clone(),
            key: Some(key.to_owned()),
            problem: problem.into(),
        }
    }
}

/// CloudWatch Logs' retention periods, in days.
const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

fn join(days: &[u32]) -> String {
    days.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The levels a value is looked up in, most specific first, each with its key path.
struct Lookup<'a> {
    config: &'a Config,
    levels: Vec<(Vec<&'a str>, Option<&'a Map<String, Value>>)>,
}

impl Lookup<'_> {
    /// The most specific non-null value of `name`, with the dotted key it was found at.
    fn find(&self, name: &str) -> Option<(String, &Value)> {
        self.levels.iter().find_map(|(path, level)| {
            let value = level.as_ref()?.get(name).filter(|v| !v.is_null())?;
            let mut key: Vec<&str> = path.clone();
            key.push(name);
            Some((key.join("."), value))
        })
    }

    fn error_at(&self, name: &str, problem: String) -> ConfigError {
        let key = self
            .find(name)
            .map_or_else(|| name.to_owned(), |(key, _)| key);
        self.config.error(&key, problem)
    }

    fn string(&self, name: &str) -> Result<Option<String>, ConfigError> {
        match self.find(name) {
            None => Ok(None),
            Some((_, Value::String(text))) => Ok(Some(text.clone())),
            Some((key, other)) => Err(self
                .config
                .error(&key, format!("must be a string, not {other}"))),
        }
    }

    fn bool(&self, name: &str) -> Result<Option<bool>, ConfigError> {
        match self.find(name) {
            None => Ok(None),
            Some((_, Value::Bool(flag))) => Ok(Some(*flag)),
            Some((key, other)) => Err(self
                .config
                .error(&key, format!("must be true or false, not {other}"))),
        }
    }

    fn number(&self, name: &str, min: u32, max: u32) -> Result<Option<u32>, ConfigError> {
        match self.find(name) {
            None => Ok(None),
            Some((key, value)) => match value.as_u64().and_then(|n| u32::try_from(n).ok()) {
                Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
                _ => Err(self.config.error(
                    &key,
                    format!("must be a whole number from {min} to {max}, not {value}"),
                )),
            },
        }
    }

    fn strings(&self, name: &str) -> Result<Vec<String>, ConfigError> {
        match self.find(name) {
            None => Ok(Vec::new()),
            Some((key, Value::Array(items))) => items
                .iter()
                .map(|item| match item {
                    Value::String(text) => Ok(text.clone()),
                    other => Err(self.config.error(
                        &key,
                        format!("must be a list of strings, and {other} is not one"),
                    )),
                })
                .collect(),
            Some((key, other)) => Err(self
                .config
                .error(&key, format!("must be a list of strings, not {other}"))),
        }
    }

    /// A string map merged over all levels, the most specific winning per key. Values must
    /// be strings (Chalice's `validate_environment_variables_type`).
    fn merged_strings(&self, name: &str) -> Result<BTreeMap<String, String>, ConfigError> {
        let mut merged = BTreeMap::new();
        for (path, level) in self.levels.iter().rev() {
            let Some(value) = level.and_then(|l| l.get(name)).filter(|v| !v.is_null()) else {
                continue;
            };
            let mut key_path = path.clone();
            key_path.push(name);
            let key = key_path.join(".");
            let Value::Object(map) = value else {
                return Err(self
                    .config
                    .error(&key, format!("must be an object of strings, not {value}")));
            };
            for (entry, entry_value) in map {
                match entry_value {
                    Value::String(text) => {
                        merged.insert(entry.clone(), text.clone());
                    }
                    other => {
                        return Err(self.config.error(
                            &format!("{key}.{entry}"),
                            format!(
                                "must be a string, not {other} (write it in quotes: \"{}\")",
                                unquoted(other)
                            ),
                        ));
                    }
                }
            }
        }
        Ok(merged)
    }
}

fn unquoted(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(PathBuf::from(".chalice/config.json"), text)
    }

    fn stage(text: &str, stage: &str) -> Result<StageConfig, String> {
        parse(text)
            .and_then(|c| c.stage(stage))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn chalice_new_project_config_gets_chalice_defaults() {
        let config = stage(r#"{"version": "2.0", "app_name": "todo", "stages": {"dev": {"api_gateway_stage": "api"}}}"#, "dev").expect("valid");
        assert_eq!(config.app_name, "todo");
        assert_eq!(config.api_gateway_stage, "api");
        assert_eq!(config.api_gateway_endpoint_type, EndpointType::Edge);
        assert_eq!(
            (config.lambda_memory_size, config.lambda_timeout),
            (128, 60)
        );
        assert!(config.manage_iam_role);
        assert!(!config.xray);
        assert_eq!(config.lambda_architecture, Architecture::X86_64);
        assert_eq!(
            config.tags.get("aws-chalice").map(String::as_str),
            Some(concat!(
                "version=",
                env!("CARGO_PKG_VERSION"),
                ":stage=dev:app=todo"
            ))
        );
    }

    #[test]
    fn specific_levels_win() {
        let text = r#"{
            "app_name": "a",
            "lambda_memory_size": 256,
            "lambda_timeout": 10,
            "xray": true,
            "lambda_functions": {"api_handler": {"lambda_timeout": 20}},
            "environment_variables": {"A": "top", "B": "top"},
            "tags": {"team": "x"},
            "stages": {
                "dev": {"lambda_memory_size": 512, "environment_variables": {"B": "dev", "C": "dev"},
                        "lambda_functions": {"api_handler": {"environment_variables": {"C": "fn"}, "lambda_timeout": 30}}},
                "prod": {"api_gateway_stage": "v1", "xray": false, "lambda_architecture": "arm64"}
            }
        }"#;
        let dev = stage(text, "dev").expect("dev");
        assert_eq!(
            (dev.lambda_memory_size, dev.lambda_timeout, dev.xray),
            (512, 30, true)
        );
        assert_eq!(
            dev.environment_variables.into_iter().collect::<Vec<_>>(),
            [
                ("A".into(), "top".into()),
                ("B".into(), "dev".into()),
                ("C".into(), "fn".into())
            ]
        );
        assert_eq!(dev.tags.get("team").map(String::as_str), Some("x"));
        let prod = stage(text, "prod").expect("prod");
        assert_eq!(
            (prod.lambda_memory_size, prod.lambda_timeout, prod.xray),
            (256, 20, false)
        );
        assert_eq!(prod.api_gateway_stage, "v1");
        assert_eq!(prod.lambda_architecture, Architecture::Arm64);
    }

    #[test]
    fn mistakes_name_the_file_and_key() {
        let cases = [
            (
                r#"{"app_name": "a", "stages": {"dev": {}}}"#,
                "prod",
                r#".chalice/config.json: stages: has no stage "prod" (stages here: dev); add "prod": {} under "stages""#,
            ),
            (
                r#"{"stages": {}}"#,
                "dev",
                ".chalice/config.json: app_name: is missing: name the app, as in \"app_name\": \"todo\"",
            ),
            (
                "{not json",
                "dev",
                ".chalice/config.json: is not valid JSON: key must be a string at line 1 column 2",
            ),
            ("[]", "dev", ".chalice/config.json: must be a JSON object"),
            (
                r#"{"app_name": "a", "stages": []}"#,
                "dev",
                ".chalice/config.json: stages: must be an object, not []",
            ),
            (
                r#"{"app_name": "a", "stages": {"dev": {"lambda_memory_size": "lots"}}}"#,
                "dev",
                r#".chalice/config.json: stages.dev.lambda_memory_size: must be a whole number from 128 to 10240, not "lots""#,
            ),
            (
                r#"{"app_name": "a", "lambda_timeout": 901}"#,
                "dev",
                ".chalice/config.json: lambda_timeout: must be a whole number from 1 to 900, not 901",
            ),
            (
                r#"{"app_name": "a", "stages": {"dev": {"environment_variables": {"PORT": 8080}}}}"#,
                "dev",
                r#".chalice/config.json: stages.dev.environment_variables.PORT: must be a string, not 8080 (write it in quotes: "8080")"#,
            ),
            (
                r#"{"app_name": "a", "subnet_ids": ["s-1"]}"#,
                "dev",
                ".chalice/config.json: subnet_ids: is set without security_group_ids: a function in a VPC needs both (Lambda's VpcConfig)",
            ),
            (
                r#"{"app_name": "a", "security_group_ids": ["sg-1"]}"#,
                "dev",
                ".chalice/config.json: security_group_ids: is set without subnet_ids",
            ),
            (
                r#"{"app_name": "a", "manage_iam_role": false}"#,
                "dev",
                ".chalice/config.json: iam_role_arn: is required when manage_iam_role is false",
            ),
            (
                r#"{"app_name": "a", "stages": {"dev": {"api_gateway_endpoint_type": "GLOBAL"}}}"#,
                "dev",
                r#".chalice/config.json: stages.dev.api_gateway_endpoint_type: must be one of EDGE, REGIONAL, PRIVATE, not "GLOBAL""#,
            ),
            (
                r#"{"app_name": "a", "lambda_architecture": "riscv"}"#,
                "dev",
                r#".chalice/config.json: lambda_architecture: must be "x86_64" or "arm64", not "riscv""#,
            ),
            (
                r#"{"app_name": "a", "log_retention_in_days": 2}"#,
                "dev",
                ".chalice/config.json: log_retention_in_days: must be one of CloudWatch's retention periods (1, 3, 5",
            ),
            (
                r#"{"app_name": "a", "layers": ["arn:1", 2]}"#,
                "dev",
                ".chalice/config.json: layers: must be a list of strings, and 2 is not one",
            ),
            (
                r#"{"app_name": "a", "xray": "yes"}"#,
                "dev",
                r#".chalice/config.json: xray: must be true or false, not "yes""#,
            ),
        ];
        for (text, stage_name, expected) in cases {
            let message = stage(text, stage_name).expect_err(text);
            assert!(
                message.starts_with(expected),
                "{text}\n  got: {message}\n  want: {expected}"
            );
        }
    }

    #[test]
    fn the_default_stage_may_be_missing() {
        let config = stage(r#"{"app_name": "a"}"#, "dev").expect("dev falls back to the top level");
        assert_eq!(config.stage, "dev");
    }
}
