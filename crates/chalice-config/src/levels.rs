//! The file's levels as serde structs: the top level, each stage, and each function's
//! `lambda_functions.<name>` in either.
//!
//! Every setting is a [`Setting`], which never fails to read: a wrong value is kept, so
//! that [`ConfigFile::problems`] can list every mistake of the file at once. Keys no struct
//! names are kept too (`other_keys`), for the warnings about them.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::setting::{Expected, Setting};
use crate::values::{
    ApiGatewayType, Architecture, CompressionSize, CustomDomain, EndpointType, MemorySize,
    ReservedConcurrency, RetentionDays, Text, TextMap, Timeout, VpcEndpoints,
};

/// A mistake at a key: the dotted key and what is wrong.
pub type Problem = (String, String);

/// `prefix.name`, or `name` at the top.
pub(crate) fn key(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Values that hold settings of their own, checked after the value itself reads.
pub trait Nested {
    /// The mistakes inside the value at `at`.
    fn nested_problems(&self, _at: &str, _problems: &mut Vec<Problem>) {}
}

impl<T: Expected + Nested> Setting<T> {
    /// The mistakes of this setting at `at`: its own, or those inside it.
    pub fn problems(&self, at: &str, problems: &mut Vec<Problem>) {
        if let Some(problem) = self.problem() {
            problems.push((at.to_owned(), problem));
        } else if let Some(value) = self.get() {
            value.nested_problems(at, problems);
        }
    }
}

macro_rules! no_nested_settings {
    ($($ty:ty),* $(,)?) => { $(impl Nested for $ty {})* };
}
no_nested_settings!(
    String,
    bool,
    Vec<String>,
    Text,
    MemorySize,
    Timeout,
    ReservedConcurrency,
    CompressionSize,
    RetentionDays,
    EndpointType,
    Architecture,
    ApiGatewayType,
    VpcEndpoints,
    CustomDomain,
);

impl Nested for TextMap {
    fn nested_problems(&self, at: &str, problems: &mut Vec<Problem>) {
        for (name, value) in self {
            value.problems(&key(at, name), problems);
        }
    }
}

/// A struct of settings: each field a [`Setting`], the list of its keys, and a check of
/// each one.
macro_rules! settings {
    (
        $(#[$doc:meta])*
        pub struct $name:ident {
            $($(#[$field_doc:meta])* $field:ident: $ty:ty,)*
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Deserialize)]
        #[serde(default)]
        pub struct $name {
            $($(#[$field_doc])* pub $field: Setting<$ty>,)*
        }

        impl $name {
            /// The keys of these settings, as the file spells them.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// The mistakes among these settings, under `prefix`.
            pub fn problems(&self, prefix: &str, problems: &mut Vec<Problem>) {
                $(self.$field.problems(&key(prefix, stringify!($field)), problems);)*
            }

            /// The keys present (valid or not).
            pub fn present(&self) -> Vec<&'static str> {
                let mut present = Vec::new();
                $(if self.$field.is_present() {
                    present.push(stringify!($field));
                })*
                present
            }
        }
    };
}

settings! {
    /// A Lambda function's settings: at the top level, in a stage, and under
    /// `lambda_functions.<name>` of either (Chalice's `varies_per_function` keys).
    pub struct FunctionSettings {
        /// Merged across levels, the most specific winning per name.
        environment_variables: TextMap,
        /// Merged across levels, the most specific winning per name.
        tags: TextMap,
        /// MB (default 128).
        lambda_memory_size: MemorySize,
        /// Seconds (default 60).
        lambda_timeout: Timeout,
        /// Layer ARNs.
        layers: Vec<String>,
        /// Reserved concurrent executions.
        reserved_concurrency: ReservedConcurrency,
        /// Subnets of the function's VPC configuration.
        subnet_ids: Vec<String>,
        /// Security groups of the function's VPC configuration.
        security_group_ids: Vec<String>,
        /// X-Ray tracing (default false).
        xray: bool,
        /// Days CloudWatch keeps the function's logs.
        log_retention_in_days: RetentionDays,
        /// The managed role's policy, a file in `.chalice/`.
        iam_policy_file: String,
        /// The role the function runs as when the role is not managed.
        iam_role_arn: String,
        /// Whether chalice creates the role (default true).
        manage_iam_role: bool,
        /// Chalice's policy generation from the app's source.
        autogen_policy: bool,
    }
}

settings! {
    /// A stage's settings of its API and its deployment as a whole: at the top level and in
    /// a stage (Chalice's `varies_per_chalice_stage` keys, and ours).
    pub struct StageSettings {
        /// API Gateway's stage (default `api`).
        api_gateway_stage: String,
        /// `EDGE` (default), `REGIONAL` or `PRIVATE`.
        api_gateway_endpoint_type: EndpointType,
        /// The VPC endpoints that may call a `PRIVATE` API.
        api_gateway_endpoint_vpce: VpcEndpoints,
        /// The REST API's resource policy, a file in `.chalice/`.
        api_gateway_policy_file: String,
        /// The smallest response body API Gateway compresses, in bytes.
        minimum_compression_size: CompressionSize,
        /// A custom domain for the REST API.
        api_gateway_custom_domain: CustomDomain,
        /// A custom domain for the WebSocket API.
        websocket_api_custom_domain: CustomDomain,
        /// Chalice's layer of Python dependencies.
        automatic_layer: bool,
        /// `x86_64` (default) or `arm64`, for every function: they are one binary.
        lambda_architecture: Architecture,
        /// `rest` (default, Chalice's only kind) or `http` (ours): the kind of API deployed.
        api_gateway_type: ApiGatewayType,
    }
}

/// `lambda_functions.<name>`: one function's settings.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct FunctionLevel {
    /// The function's settings.
    #[serde(flatten)]
    pub settings: FunctionSettings,
    /// Keys that are not function settings.
    #[serde(flatten)]
    pub other_keys: BTreeMap<String, Value>,
}

impl Expected for FunctionLevel {
    const EXPECTED: &'static str = "an object of the function's settings";
}

impl Nested for FunctionLevel {
    fn nested_problems(&self, at: &str, problems: &mut Vec<Problem>) {
        self.settings.problems(at, problems);
    }
}

/// `lambda_functions`: function names to their settings.
pub type FunctionLevels = BTreeMap<String, Setting<FunctionLevel>>;

impl Expected for FunctionLevels {
    const EXPECTED: &'static str = "an object of function names to their settings";
}

impl Nested for FunctionLevels {
    fn nested_problems(&self, at: &str, problems: &mut Vec<Problem>) {
        for (name, level) in self {
            level.problems(&key(at, name), problems);
        }
    }
}

/// A stage's settings, or the top level's (which stages inherit).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct StageLevel {
    /// Per-function settings.
    pub lambda_functions: Setting<FunctionLevels>,
    /// The API's and the deployment's settings.
    #[serde(flatten)]
    pub stage: StageSettings,
    /// Function settings, for every function of the stage.
    #[serde(flatten)]
    pub function: FunctionSettings,
    /// Keys that are neither.
    #[serde(flatten)]
    pub other_keys: BTreeMap<String, Value>,
}

impl StageLevel {
    /// The mistakes at this level and in its functions, under `prefix`.
    pub fn problems(&self, prefix: &str, problems: &mut Vec<Problem>) {
        self.stage.problems(prefix, problems);
        self.function.problems(prefix, problems);
        self.lambda_functions
            .problems(&key(prefix, "lambda_functions"), problems);
    }

    /// The settings of function `name` at this level, if it has any.
    pub fn function_level(&self, name: &str) -> Option<&FunctionLevel> {
        self.lambda_functions.get()?.get(name)?.get()
    }
}

impl Expected for StageLevel {
    const EXPECTED: &'static str = "an object of the stage's settings";
}

impl Nested for StageLevel {
    fn nested_problems(&self, at: &str, problems: &mut Vec<Problem>) {
        self.problems(at, problems);
    }
}

/// `stages`: stage names to their settings.
pub type StageLevels = BTreeMap<String, Setting<StageLevel>>;

impl Expected for StageLevels {
    const EXPECTED: &'static str = "an object of stage names to their settings";
}

impl Nested for StageLevels {
    fn nested_problems(&self, at: &str, problems: &mut Vec<Problem>) {
        for (name, level) in self {
            level.problems(&key(at, name), problems);
        }
    }
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ConfigFile {
    /// The file format's version (`"2.0"` as Chalice writes it).
    pub version: Setting<String>,
    /// The app's name (required).
    pub app_name: Setting<String>,
    /// The stages.
    pub stages: Setting<StageLevels>,
    /// The top level's settings, which every stage inherits.
    #[serde(flatten)]
    pub top: StageLevel,
}

impl ConfigFile {
    /// Every mistake of the file that can be seen key by key.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        self.version.problems("version", &mut problems);
        match &self.app_name {
            Setting::Set(name) if name.is_empty() => problems.push((
                "app_name".to_owned(),
                "must be a non-empty string, not \"\"".to_owned(),
            )),
            Setting::Absent => problems.push((
                "app_name".to_owned(),
                "is missing: name the app, as in \"app_name\": \"todo\"".to_owned(),
            )),
            app_name => app_name.problems("app_name", &mut problems),
        }
        self.stages.problems("stages", &mut problems);
        self.top.problems("", &mut problems);
        problems
    }

    /// A stage's level, if the file has it.
    pub fn stage(&self, name: &str) -> Option<&StageLevel> {
        self.stages.get()?.get(name)?.get()
    }
}

impl Nested for ConfigFile {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_read_into_their_structs() {
        let file: ConfigFile = serde_json::from_str(
            r#"{"version": "2.0", "app_name": "a", "lambda_timeout": 10,
                "lambda_functions": {"api_handler": {"lambda_memory_size": 256}},
                "stages": {"dev": {"api_gateway_stage": "v1", "xray": true, "misc": 1}},
                "typo": true}"#,
        )
        .expect("the file reads");
        assert_eq!(file.app_name, Setting::Set("a".to_owned()));
        assert_eq!(file.top.function.lambda_timeout, Setting::Set(Timeout(10)));
        assert_eq!(
            file.top
                .function_level("api_handler")
                .map(|f| &f.settings.lambda_memory_size),
            Some(&Setting::Set(MemorySize(256)))
        );
        let dev = file.stage("dev").expect("dev");
        assert_eq!(dev.stage.api_gateway_stage, Setting::Set("v1".to_owned()));
        assert_eq!(dev.function.xray, Setting::Set(true));
        assert_eq!(dev.other_keys.keys().collect::<Vec<_>>(), ["misc"]);
        assert_eq!(file.top.other_keys.keys().collect::<Vec<_>>(), ["typo"]);
        assert!(file.problems().is_empty());
    }

    #[test]
    fn every_mistake_is_found_with_its_key() {
        let file: ConfigFile = serde_json::from_str(
            r#"{"app_name": 7, "lambda_timeout": 0,
                "environment_variables": {"A": "a", "PORT": 80},
                "lambda_functions": {"f": {"xray": "yes"}, "g": []},
                "stages": {"dev": {"api_gateway_endpoint_type": "GLOBAL",
                                   "lambda_functions": {"f": {"layers": "arn"}}},
                           "prod": 5}}"#,
        )
        .expect("the file reads");
        let problems: Vec<String> = file
            .problems()
            .into_iter()
            .map(|(key, problem)| format!("{key}: {problem}"))
            .collect();
        assert_eq!(
            problems,
            [
                "app_name: must be a string, not 7",
                r#"stages.dev.api_gateway_endpoint_type: must be one of EDGE, REGIONAL, PRIVATE, not "GLOBAL""#,
                r#"stages.dev.lambda_functions.f.layers: must be a list of strings, not "arn""#,
                "stages.prod: must be an object of the stage's settings, not 5",
                r#"environment_variables.PORT: must be a string, not 80 (write it in quotes: "80")"#,
                "lambda_timeout: must be a whole number from 1 to 900, not 0",
                r#"lambda_functions.f.xray: must be true or false, not "yes""#,
                "lambda_functions.g: must be an object of the function's settings, not []",
            ]
        );
    }
}
