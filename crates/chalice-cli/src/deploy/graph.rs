//! The resource graph: what a stage of the app should have on AWS, as values.
//!
//! Built from plain inputs (the app's manifest, the stage's settings, the deployment
//! package's hash, the API document and the role's policy), with no AWS call. Resources come
//! in dependency order: the role before the functions that run as it, the functions before
//! the API that invokes them. Each kind of resource is one variant of [`Resource`] with its
//! own spec; a new kind (an event source, a WebSocket API) is a new variant and its planner
//! in [`super::plan`], not a change to the pipeline.
//!
//! Names are Chalice's: the role and the API handler are `{app}-{stage}`, every other
//! function `{app}-{stage}-{name}`, the REST API is named after the app, and the records
//! of the state file are keyed `default-role`, `api_handler`, `rest_api`, the authorizer's
//! or event handler's name, and its trigger's (`<name>-event`, `<name>-s3event`, ...:
//! [`super::events`]). An app without routes has no API, and so no API handler.

use std::collections::BTreeMap;

use base64::Engine;
use chalice_manifest::{HANDLER_ENV, Manifest, WEBSOCKET_ENDPOINT_ENV};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::events::spec::EventSourceSpec;
use super::hash::hash;
use crate::config::{ApiGatewayType, FunctionConfig, StageConfig};
use crate::error::UsageError;
use crate::templates::functions::{HANDLER, RUNTIME};
use crate::templates::policy::lambda_trust_policy;

use super::websocket::spec as websocket;

/// The state-file key of the functions' role.
pub(crate) const ROLE_KEY: &str = "default-role";
/// The state-file key of the API handler.
pub(crate) const API_HANDLER_KEY: &str = "api_handler";
/// The state-file key of the REST API.
pub(crate) const REST_API_KEY: &str = "rest_api";
/// The state-file key of the HTTP API.
pub(crate) const HTTP_API_KEY: &str = "http_api";

/// What a deploy works from, gathered by the command (build, manifest, configuration).
#[derive(Debug, Clone)]
pub(crate) struct Inputs<'a> {
    pub(crate) manifest: &'a Manifest,
    pub(crate) stage: &'a StageConfig,
    /// The settings of each function: the API handler's first, then each built-in
    /// authorizer's that a route uses. (Event handlers' are read from `stage`.)
    pub(crate) functions: &'a [FunctionConfig],
    /// The deployment package's hash and size.
    pub(crate) code: Code,
    /// The API's document, with Chalice's placeholders for what only a deploy knows
    /// (`{api_handler_lambda_arn}`, `{<authorizer>_lambda_arn}`, `{region_name}`,
    /// `{partition}`), as `chalice generate-models` prints it.
    pub(crate) api_document: Value,
    /// The managed role's inline policy.
    pub(crate) policy: Value,
}

/// A deployment package, known by its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Code {
    /// Lambda's `CodeSha256`: the base64 of the zip's SHA-256.
    pub(crate) sha256: String,
    /// The zip's size in bytes.
    pub(crate) size: u64,
}

impl Code {
    /// The hash and size of `zip`.
    pub(crate) fn of(zip: &[u8]) -> Code {
        Code {
            sha256: base64::engine::general_purpose::STANDARD.encode(Sha256::digest(zip)),
            size: zip.len() as u64,
        }
    }
}

/// One resource of the graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Resource {
    Role(RoleSpec),
    Function(FunctionSpec),
    RestApi(RestApiSpec),
    HttpApi(HttpApiSpec),
    WebsocketApi(websocket::WebsocketApiSpec),
    WebsocketRoutes(websocket::WebsocketRoutesSpec),
    /// What invokes an event handler: a rule, a bucket notification, a subscription or an
    /// event source mapping ([`super::events`]).
    EventSource(EventSourceSpec),
}

impl Resource {
    /// Its key in the state file.
    pub(crate) fn key(&self) -> &str {
        match self {
            Resource::Role(role) => &role.key,
            Resource::Function(function) => &function.key,
            Resource::RestApi(api) => &api.key,
            Resource::HttpApi(api) => &api.key,
            Resource::WebsocketApi(api) => &api.key,
            Resource::WebsocketRoutes(routes) => &routes.key,
            Resource::EventSource(source) => &source.key,
        }
    }
}

/// The IAM role the functions run as, with its inline policy (named after the role).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RoleSpec {
    pub(crate) key: String,
    pub(crate) role_name: String,
    pub(crate) trust_policy: Value,
    pub(crate) policy: Value,
    pub(crate) tags: BTreeMap<String, String>,
}

impl RoleSpec {
    /// What the state file remembers of the policy.
    pub(crate) fn policy_hash(&self) -> String {
        hash(&self.policy)
    }
}

/// The role a function runs as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RoleRef {
    /// The role of this graph with that key, whose ARN the state file records.
    Managed(String),
    /// A role given by ARN (`manage_iam_role: false` + `iam_role_arn`).
    Arn(String),
}

/// A Lambda function running the app's one binary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct FunctionSpec {
    pub(crate) key: String,
    pub(crate) function_name: String,
    pub(crate) role: RoleRef,
    pub(crate) runtime: String,
    pub(crate) handler: String,
    pub(crate) architecture: String,
    pub(crate) memory_size: u32,
    pub(crate) timeout: u32,
    pub(crate) environment: BTreeMap<String, String>,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) layers: Vec<String>,
    pub(crate) reserved_concurrency: Option<u32>,
    pub(crate) subnet_ids: Vec<String>,
    pub(crate) security_group_ids: Vec<String>,
    pub(crate) xray: bool,
    pub(crate) log_retention_in_days: Option<u32>,
    /// The package this function runs.
    pub(crate) code: Code,
}

impl FunctionSpec {
    /// The hash of everything but the code: a redeploy whose hash is unchanged makes no
    /// configuration call.
    pub(crate) fn config_hash(&self) -> String {
        let mut config = serde_json::to_value(self).expect("a spec always serializes");
        if let Value::Object(fields) = &mut config {
            fields.remove("code");
        }
        hash(&config)
    }

    /// Its CloudWatch Logs group, where Lambda writes what it prints.
    pub(crate) fn log_group(&self) -> String {
        log_group(&self.function_name)
    }
}

/// Lambda's log group for the function named `function_name`.
pub(crate) fn log_group(function_name: &str) -> String {
    format!("/aws/lambda/{function_name}")
}

/// The REST API, its settings and its stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RestApiSpec {
    pub(crate) key: String,
    pub(crate) name: String,
    /// The document, with placeholders for the functions' ARNs, region and partition.
    pub(crate) document: Value,
    pub(crate) endpoint_type: String,
    pub(crate) vpc_endpoint_ids: Vec<String>,
    pub(crate) binary_media_types: Vec<String>,
    pub(crate) minimum_compression_size: Option<u32>,
    /// The API Gateway stage it is deployed to (`api_gateway_stage`).
    pub(crate) stage: String,
    pub(crate) tags: BTreeMap<String, String>,
    /// The functions API Gateway invokes, the handler and the built-in authorizers: their
    /// keys and their names on Lambda (the document's integrations point at them).
    pub(crate) invokes: BTreeMap<String, String>,
}

impl RestApiSpec {
    /// The hash of what a deployment of the API carries (the stage aside).
    pub(crate) fn api_hash(&self) -> String {
        hash(&serde_json::json!([
            self.document,
            self.endpoint_type,
            self.vpc_endpoint_ids,
            self.binary_media_types,
            self.minimum_compression_size,
            self.invokes,
        ]))
    }
}

/// An HTTP API (API Gateway v2): one `AWS_PROXY` integration with the API handler (payload
/// 2.0), a route per (method, path), and a stage that deploys itself on every change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct HttpApiSpec {
    pub(crate) key: String,
    pub(crate) name: String,
    /// Route keys, as API Gateway writes them: `GET /users/{name}`, `ANY /files/{path+}`.
    pub(crate) routes: Vec<String>,
    /// The API's CORS configuration (an HTTP API has one for all routes).
    pub(crate) cors: Option<HttpCors>,
    /// The stage (`api_gateway_stage`).
    pub(crate) stage: String,
    pub(crate) tags: BTreeMap<String, String>,
    /// The functions API Gateway invokes (the API handler): keys and names on Lambda.
    pub(crate) invokes: BTreeMap<String, String>,
}

impl HttpApiSpec {
    /// The hash of what the API carries.
    pub(crate) fn api_hash(&self) -> String {
        hash(&serde_json::json!([
            self.routes,
            self.cors,
            self.stage,
            self.invokes
        ]))
    }
}

/// An HTTP API's CORS configuration (API Gateway answers the preflight itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct HttpCors {
    pub(crate) allow_origins: Vec<String>,
    pub(crate) allow_headers: Vec<String>,
    pub(crate) allow_methods: Vec<String>,
    pub(crate) expose_headers: Vec<String>,
    pub(crate) max_age: Option<u32>,
    pub(crate) allow_credentials: bool,
}

/// The resources of a stage, in dependency order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Graph {
    pub(crate) app_name: String,
    pub(crate) stage: String,
    pub(crate) resources: Vec<Resource>,
}

impl Graph {
    /// The graph of `inputs`. Fails on names the app can't deploy under (a built-in
    /// authorizer whose function name Lambda would refuse).
    pub(crate) fn build(inputs: &Inputs<'_>) -> Result<Graph, UsageError> {
        let stage = inputs.stage;
        let base_name = format!("{}-{}", stage.app_name, stage.stage);
        let handler = inputs
            .functions
            .first()
            .filter(|function| function.name == API_HANDLER_KEY)
            .ok_or_else(|| UsageError("the API handler's settings are missing".to_owned()))?;
        let mut resources = Vec::new();
        // The WebSocket API first: the role's policy and every function's environment name it.
        resources.extend(
            websocket::api_resource(inputs.manifest, stage, &handler.tags)
                .map(Resource::WebsocketApi),
        );
        let websocket_configs = websocket::function_configs(inputs.manifest, stage);
        // One role for the stage's functions, when any of them wants it managed (each may
        // name its own with `manage_iam_role: false` and `iam_role_arn`).
        if inputs
            .functions
            .iter()
            .chain(&websocket_configs)
            .any(|function| function.manage_iam_role)
        {
            resources.push(Resource::Role(RoleSpec {
                key: ROLE_KEY.to_owned(),
                role_name: base_name.clone(),
                trust_policy: lambda_trust_policy(),
                policy: inputs.policy.clone(),
                tags: handler.tags.clone(),
            }));
        }
        let function = |config: &FunctionConfig, function_name: String| {
            let role = if config.manage_iam_role {
                RoleRef::Managed(ROLE_KEY.to_owned())
            } else {
                let arn = config.iam_role_arn.clone().ok_or_else(|| {
                    UsageError(format!(
                        "function {}: iam_role_arn is required when manage_iam_role is false",
                        config.name
                    ))
                })?;
                RoleRef::Arn(arn)
            };
            let mut environment = config.environment_variables.clone();
            if config.name != API_HANDLER_KEY {
                environment.insert(HANDLER_ENV.to_owned(), config.name.clone());
            }
            if websocket::wanted(inputs.manifest) {
                environment.insert(
                    WEBSOCKET_ENDPOINT_ENV.to_owned(),
                    websocket::endpoint(stage),
                );
            }
            Ok::<_, UsageError>(FunctionSpec {
                key: config.name.clone(),
                function_name,
                role,
                runtime: RUNTIME.to_owned(),
                handler: HANDLER.to_owned(),
                architecture: stage.lambda_architecture.as_str().to_owned(),
                memory_size: config.lambda_memory_size,
                timeout: config.lambda_timeout,
                environment,
                tags: config.tags.clone(),
                layers: config.layers.clone(),
                reserved_concurrency: config.reserved_concurrency,
                subnet_ids: config.subnet_ids.clone(),
                security_group_ids: config.security_group_ids.clone(),
                xray: config.xray,
                log_retention_in_days: config.log_retention_in_days,
                code: inputs.code.clone(),
            })
        };
        // As in Chalice, an app of event handlers alone has no API, and so no API handler.
        let has_api = !inputs.manifest.routes.is_empty();
        if has_api {
            resources.push(Resource::Function(function(handler, base_name.clone())?));
        }
        let mut invokes = BTreeMap::from([(API_HANDLER_KEY.to_owned(), base_name.clone())]);
        for authorizer in &inputs.functions[1..] {
            let function_name = format!("{base_name}-{}", authorizer.name);
            if !valid_function_name(&function_name) {
                return Err(UsageError(format!(
                    "authorizer {:?}: its function would be named {function_name:?}, which \
                     Lambda refuses (letters, digits, - and _ only, at most 64 characters); \
                     rename the authorizer",
                    authorizer.name
                )));
            }
            invokes.insert(authorizer.name.clone(), function_name.clone());
            resources.push(Resource::Function(function(authorizer, function_name)?));
        }
        let mut websocket_functions = BTreeMap::new();
        for config in &websocket_configs {
            let function_name = format!("{base_name}-{}", config.name);
            if !valid_function_name(&function_name) {
                return Err(UsageError(format!(
                    "WebSocket handler {:?}: its function would be named {function_name:?}, \
                     which Lambda refuses (letters, digits, - and _ only, at most 64 \
                     characters); rename the handler",
                    config.name
                )));
            }
            websocket_functions.insert(config.name.clone(), function_name.clone());
            resources.push(Resource::Function(function(config, function_name)?));
        }
        // Each event handler and pure function: its own function, then what invokes it.
        for event_function in &inputs.manifest.functions {
            let function_name = format!("{base_name}-{}", event_function.name);
            if !valid_function_name(&function_name) {
                return Err(UsageError(format!(
                    "function {:?}: its Lambda function would be named {function_name:?}, \
                     which Lambda refuses (letters, digits, - and _ only, at most 64 \
                     characters); rename the handler",
                    event_function.name
                )));
            }
            let config = stage.function(&event_function.name);
            resources.push(Resource::Function(function(
                &config,
                function_name.clone(),
            )?));
            resources.extend(
                super::events::spec::trigger(&base_name, event_function, &function_name)
                    .map(Resource::EventSource),
            );
        }
        if has_api && stage.api_gateway_type == ApiGatewayType::Http {
            resources.push(Resource::HttpApi(http_api(inputs, invokes)?));
        } else if has_api {
            resources.push(Resource::RestApi(RestApiSpec {
                key: REST_API_KEY.to_owned(),
                name: stage.app_name.clone(),
                document: inputs.api_document.clone(),
                endpoint_type: stage.api_gateway_endpoint_type.as_str().to_owned(),
                vpc_endpoint_ids: stage.api_gateway_endpoint_vpce.clone(),
                binary_media_types: inputs.manifest.binary_types.clone(),
                minimum_compression_size: stage.minimum_compression_size,
                stage: stage.api_gateway_stage.clone(),
                tags: handler.tags.clone(),
                invokes,
            }));
        }
        resources.extend(
            websocket::routes_resource(inputs.manifest, stage, &websocket_functions)
                .map(Resource::WebsocketRoutes),
        );
        Ok(Graph {
            app_name: stage.app_name.clone(),
            stage: stage.stage.clone(),
            resources,
        })
    }

    /// The resource keyed `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&Resource> {
        self.resources.iter().find(|resource| resource.key() == key)
    }
}

/// The HTTP API of an app, or why it can't have one. HTTP APIs have no API keys, and the
/// app's authorizers answer REST API events only; both are refused rather than deployed
/// unprotected.
fn http_api(
    inputs: &Inputs<'_>,
    invokes: BTreeMap<String, String>,
) -> Result<HttpApiSpec, UsageError> {
    let stage = inputs.stage;
    let mut routes = Vec::new();
    let mut cors = None;
    let mut cors_methods = Vec::new();
    for route in &inputs.manifest.routes {
        let describe = || format!("route {} {}", route.method, route.path);
        if route.api_key_required {
            return Err(UsageError(format!(
                "{}: api_key_required, but HTTP APIs (api_gateway_type \"http\") have no API \
                 keys; deploy a REST API (\"rest\") for this app",
                describe()
            )));
        }
        if route.authorizer.is_some()
            || route.authorizer_id.is_some()
            || route.authorization_type.is_some()
        {
            return Err(UsageError(format!(
                "{}: authorizers are not supported on HTTP APIs (api_gateway_type \"http\") \
                 yet; deploy a REST API (\"rest\") for this app",
                describe()
            )));
        }
        if let Some(config) = &route.cors {
            let wanted = HttpCors {
                allow_origins: vec![config.allow_origin.clone()],
                allow_headers: config.allow_headers.clone(),
                allow_methods: Vec::new(),
                expose_headers: config.expose_headers.clone(),
                max_age: config.max_age,
                allow_credentials: config.allow_credentials,
            };
            match &cors {
                None => cors = Some(wanted),
                Some(existing) if *existing == wanted => {}
                Some(_) => {
                    return Err(UsageError(format!(
                        "{}: its CORS configuration differs from another route's, and an HTTP \
                         API has one for all routes; use one CorsConfig, or a REST API",
                        describe()
                    )));
                }
            }
            if !cors_methods.contains(&route.method) {
                cors_methods.push(route.method.clone());
            }
        }
        routes.push(format!("{} {}", route.method, route.path));
    }
    if let Some(cors) = &mut cors {
        cors_methods.push("OPTIONS".to_owned());
        cors.allow_methods = cors_methods;
    }
    Ok(HttpApiSpec {
        key: HTTP_API_KEY.to_owned(),
        name: stage.app_name.clone(),
        routes,
        cors,
        stage: stage.api_gateway_stage.clone(),
        tags: inputs
            .functions
            .first()
            .map(|handler| handler.tags.clone())
            .unwrap_or_default(),
        invokes: invokes
            .into_iter()
            .filter(|(key, _)| key == API_HANDLER_KEY)
            .collect(),
    })
}

/// Lambda's rule for function names: 1 to 64 of `[a-zA-Z0-9-_]`.
fn valid_function_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_hash_is_lambdas_code_sha256() {
        // Lambda's CodeSha256 is the base64 of the package's SHA-256, as
        // `printf abc | openssl dgst -sha256 -binary | base64` prints it.
        assert_eq!(
            Code::of(b"abc").sha256,
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
        assert_eq!(Code::of(b"abc").size, 3);
    }

    #[test]
    fn function_names_follow_lambdas_rule() {
        let cases = [
            ("todo-dev", true),
            ("todo-dev-my_auth", true),
            ("todo-dev-jwt.v2", false),
            (&*"x".repeat(65), false),
            ("", false),
        ];
        for (name, valid) in cases {
            assert_eq!(valid_function_name(name), valid, "{name}");
        }
    }
}
