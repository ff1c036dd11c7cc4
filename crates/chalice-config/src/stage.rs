//! A stage's settings, resolved: the stage's own, and each function's.

use std::collections::{BTreeMap, BTreeSet};

use crate::levels::{FunctionSettings, StageLevel, key};
use crate::setting::Setting;
use crate::values::{ApiGatewayType, Architecture, CustomDomain, EndpointType, TextMap};
use crate::{Config, ConfigError, DEFAULT_STAGE};

/// The Lambda function of the API, as Chalice names it in `lambda_functions`.
pub const API_HANDLER: &str = "api_handler";

/// The settings of one stage, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct StageConfig {
    /// `app_name`.
    pub app_name: String,
    /// The stage's name.
    pub stage: String,
    /// API Gateway's stage (`api`).
    pub api_gateway_stage: String,
    /// `EDGE`, `REGIONAL` or `PRIVATE`.
    pub api_gateway_endpoint_type: EndpointType,
    /// The VPC endpoints that may call a `PRIVATE` API.
    pub api_gateway_endpoint_vpce: Vec<String>,
    /// The REST API's resource policy, a file in `.chalice/`.
    pub api_gateway_policy_file: Option<String>,
    /// The smallest response body API Gateway compresses, in bytes.
    pub minimum_compression_size: Option<u32>,
    /// A custom domain for the REST API.
    pub api_gateway_custom_domain: Option<CustomDomain>,
    /// A custom domain for the WebSocket API.
    pub websocket_api_custom_domain: Option<CustomDomain>,
    /// The instruction set of every function (they are one binary).
    pub lambda_architecture: Architecture,
    /// The kind of API: a REST API (Chalice's), or an HTTP API.
    pub api_gateway_type: ApiGatewayType,
    /// The levels functions are looked up in: the stage's (if the file has it), then the
    /// top level.
    levels: Vec<(String, StageLevel)>,
}

/// The settings of one function of a stage, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionConfig {
    /// The function's name in `lambda_functions` (`api_handler`, or a built-in
    /// authorizer's name).
    pub name: String,
    /// Merged across levels; the most specific wins per name.
    pub environment_variables: BTreeMap<String, String>,
    /// Merged across levels, plus Chalice's `aws-chalice` tag.
    pub tags: BTreeMap<String, String>,
    /// MB.
    pub lambda_memory_size: u32,
    /// Seconds.
    pub lambda_timeout: u32,
    /// Layer ARNs.
    pub layers: Vec<String>,
    /// Reserved concurrent executions.
    pub reserved_concurrency: Option<u32>,
    /// Subnets (with `security_group_ids`, the function runs in a VPC).
    pub subnet_ids: Vec<String>,
    /// Security groups.
    pub security_group_ids: Vec<String>,
    /// X-Ray tracing.
    pub xray: bool,
    /// Days CloudWatch keeps the function's logs.
    pub log_retention_in_days: Option<u32>,
    /// Whether chalice creates the role.
    pub manage_iam_role: bool,
    /// The role the function runs as when the role is not managed.
    pub iam_role_arn: Option<String>,
    /// The managed role's policy, a file in `.chalice/`.
    pub iam_policy_file: Option<String>,
}

impl StageConfig {
    pub(crate) fn new(config: &Config, stage: &str) -> StageConfig {
        let file = config.contents();
        let mut levels = Vec::new();
        if let Some(level) = file.stage(stage) {
            levels.push((key("stages", stage), level.clone()));
        }
        levels.push((String::new(), file.top.clone()));
        StageConfig {
            app_name: config.app_name().to_owned(),
            stage: stage.to_owned(),
            api_gateway_stage: lookup(&levels, |l| &l.stage.api_gateway_stage)
                .cloned()
                .unwrap_or_else(|| "api".to_owned()),
            api_gateway_endpoint_type: lookup(&levels, |l| &l.stage.api_gateway_endpoint_type)
                .copied()
                .unwrap_or_default(),
            api_gateway_endpoint_vpce: lookup(&levels, |l| &l.stage.api_gateway_endpoint_vpce)
                .map(|ids| ids.0.clone())
                .unwrap_or_default(),
            api_gateway_policy_file: lookup(&levels, |l| &l.stage.api_gateway_policy_file).cloned(),
            minimum_compression_size: lookup(&levels, |l| &l.stage.minimum_compression_size)
                .map(|size| size.0),
            api_gateway_custom_domain: lookup(&levels, |l| &l.stage.api_gateway_custom_domain)
                .cloned(),
            websocket_api_custom_domain: lookup(&levels, |l| &l.stage.websocket_api_custom_domain)
                .cloned(),
            lambda_architecture: lookup(&levels, |l| &l.stage.lambda_architecture)
                .copied()
                .unwrap_or_default(),
            api_gateway_type: lookup(&levels, |l| &l.stage.api_gateway_type)
                .copied()
                .unwrap_or_default(),
            levels,
        }
    }

    /// The settings of the API handler.
    pub fn api_handler(&self) -> FunctionConfig {
        self.function(API_HANDLER)
    }

    /// The settings of the function `name` (`api_handler`, or a built-in authorizer's name).
    pub fn function(&self, name: &str) -> FunctionConfig {
        let chain = Chain::new(&self.levels, Some(name));
        let mut tags = chain.merged(|s| &s.tags);
        tags.insert(
            "aws-chalice".to_owned(),
            format!(
                "version={}:stage={}:app={}",
                env!("CARGO_PKG_VERSION"),
                self.stage,
                self.app_name
            ),
        );
        FunctionConfig {
            name: name.to_owned(),
            environment_variables: chain.merged(|s| &s.environment_variables),
            tags,
            lambda_memory_size: chain.get(|s| &s.lambda_memory_size).map_or(128, |m| m.0),
            lambda_timeout: chain.get(|s| &s.lambda_timeout).map_or(60, |t| t.0),
            layers: chain.get(|s| &s.layers).cloned().unwrap_or_default(),
            reserved_concurrency: chain.get(|s| &s.reserved_concurrency).map(|r| r.0),
            subnet_ids: chain.get(|s| &s.subnet_ids).cloned().unwrap_or_default(),
            security_group_ids: chain
                .get(|s| &s.security_group_ids)
                .cloned()
                .unwrap_or_default(),
            xray: chain.get(|s| &s.xray).copied().unwrap_or(false),
            log_retention_in_days: chain.get(|s| &s.log_retention_in_days).map(|d| d.0),
            manage_iam_role: chain.get(|s| &s.manage_iam_role).copied().unwrap_or(true),
            iam_role_arn: chain.get(|s| &s.iam_role_arn).cloned(),
            // Chalice reads a policy file only with `autogen_policy: false`, by default
            // `policy-<stage>.json`; with no policy generation here, a named file is used
            // whatever autogen_policy says.
            iam_policy_file: chain.get(|s| &s.iam_policy_file).cloned().or_else(|| {
                (chain.get(|s| &s.autogen_policy) == Some(&false))
                    .then(|| format!("policy-{}.json", self.stage))
            }),
        }
    }
}

/// The most specific value of a stage setting.
fn lookup<'l, T>(
    levels: &'l [(String, StageLevel)],
    field: impl Fn(&'l StageLevel) -> &'l Setting<T>,
) -> Option<&'l T> {
    levels.iter().find_map(|(_, level)| field(level).get())
}

/// The function settings a function's values are looked up in, most specific first, each
/// with its dotted key prefix.
struct Chain<'l> {
    levels: Vec<(String, &'l FunctionSettings)>,
}

impl<'l> Chain<'l> {
    /// The chain of `function` (or of a function no `lambda_functions` names) over the
    /// stage's levels (the stage's, then the top level).
    fn new(levels: &'l [(String, StageLevel)], function: Option<&str>) -> Self {
        let mut chain = Vec::new();
        for (prefix, level) in levels {
            if let Some(name) = function
                && let Some(function_level) = level.function_level(name)
            {
                let at = key(&key(prefix, "lambda_functions"), name);
                chain.push((at, &function_level.settings));
            }
            chain.push((prefix.clone(), &level.function));
        }
        Chain { levels: chain }
    }

    /// The most specific value, with the prefix of the level it is in.
    fn find<T>(
        &self,
        field: impl Fn(&'l FunctionSettings) -> &'l Setting<T>,
    ) -> Option<(&str, &'l T)> {
        self.levels
            .iter()
            .find_map(|(prefix, settings)| Some((prefix.as_str(), field(settings).get()?)))
    }

    fn get<T>(&self, field: impl Fn(&'l FunctionSettings) -> &'l Setting<T>) -> Option<&'l T> {
        self.find(field).map(|(_, value)| value)
    }

    /// A map merged over all levels, the most specific winning per name.
    fn merged(
        &self,
        field: impl Fn(&'l FunctionSettings) -> &'l Setting<TextMap>,
    ) -> BTreeMap<String, String> {
        let mut merged = BTreeMap::new();
        for (_, settings) in self.levels.iter().rev() {
            for (name, value) in field(settings).get().into_iter().flatten() {
                if let Some(text) = value.get() {
                    merged.insert(name.clone(), text.0.clone());
                }
            }
        }
        merged
    }
}

/// The mistakes that are combinations of settings, over every function of every stage
/// (each once, however many chains it shows in).
pub(crate) fn combination_problems(file: &crate::ConfigFile) -> Vec<ConfigError> {
    let mut stages: BTreeSet<&str> = file
        .stages
        .get()
        .map(|stages| stages.keys().map(String::as_str).collect())
        .unwrap_or_default();
    stages.insert(DEFAULT_STAGE);
    let mut problems: Vec<ConfigError> = Vec::new();
    for stage in stages {
        let mut levels = Vec::new();
        if let Some(level) = file.stage(stage) {
            levels.push((key("stages", stage), level.clone()));
        }
        levels.push((String::new(), file.top.clone()));
        let mut functions: BTreeSet<Option<&str>> = BTreeSet::from([None, Some(API_HANDLER)]);
        for level in [file.stage(stage), Some(&file.top)].into_iter().flatten() {
            if let Some(named) = level.lambda_functions.get() {
                functions.extend(named.keys().map(|name| Some(name.as_str())));
            }
        }
        for function in functions {
            let chain = Chain::new(&levels, function);
            for problem in function_problems(&chain) {
                if !problems.contains(&problem) {
                    problems.push(problem);
                }
            }
        }
    }
    problems
}

fn function_problems(chain: &Chain<'_>) -> Vec<ConfigError> {
    let mut problems = Vec::new();
    let subnets = chain.find(|s| &s.subnet_ids);
    let groups = chain.find(|s| &s.security_group_ids);
    let given_alone = match (subnets, groups) {
        (Some((at, ids)), None) if !ids.is_empty() => {
            Some((at, "subnet_ids", "security_group_ids"))
        }
        (None, Some((at, ids))) if !ids.is_empty() => {
            Some((at, "security_group_ids", "subnet_ids"))
        }
        _ => None,
    };
    if let Some((at, given, missing)) = given_alone {
        problems.push(ConfigError {
            key: Some(key(at, given)),
            problem: format!(
                "is set without {missing}: a function in a VPC needs both (Lambda's VpcConfig)"
            ),
        });
    }
    if let Some((at, false)) = chain.find(|s| &s.manage_iam_role)
        && chain.get(|s| &s.iam_role_arn).is_none()
    {
        problems.push(ConfigError {
            key: Some(key(at, "iam_role_arn")),
            problem: "is required when manage_iam_role is false: give the ARN of the role the \
                      function runs as"
                .to_owned(),
        });
    }
    problems
}
