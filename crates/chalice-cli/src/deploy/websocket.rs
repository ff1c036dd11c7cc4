//! The app's WebSocket API on AWS: its resources in the graph, their planner, the
//! executor's calls, and the `websocket_api` record of the state file.
//!
//! Two resources of the graph, because the API's id is needed on both sides of the
//! functions: [`WebsocketApiSpec`] (`CreateApi`, protocol `WEBSOCKET`) comes first, so the
//! role's policy (`execute-api:ManageConnections` on the API's connections) and every
//! function's [`WEBSOCKET_ENDPOINT_ENV`] can name it; [`WebsocketRoutesSpec`] comes after
//! the functions, whose ARNs its integrations point at: per handler an `AWS_PROXY`
//! integration and a route, the stage, and the permission for API Gateway to invoke it.
//!
//! What only AWS knows (the API's id, the region, the account) stands in the specs as
//! placeholders, [`HOST_PLACEHOLDER`] and [`CONNECTIONS_PLACEHOLDER`], filled in from the
//! state by [`resolve`] (when planning, so that hashes compare what AWS has) and by the
//! executor (when calling, once the API exists). A recreated API (deleted behind chalice's
//! back) thus updates the functions and the policy that named the old one.
//!
//! Unlike Chalice, which deletes and recreates every route and integration on each deploy,
//! an update compares what the API has with what the app declares: new routes and
//! integrations are created, changed routes re-pointed, removed ones deleted, and nothing
//! is called at all when the routes did not change. The stage deploys itself
//! (`AutoDeploy`): apigatewayv2's `CreateDeployment` is not needed after each change (and
//! moto, which the tests run against, does not implement it).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context;
use aws_sdk_apigatewayv2::types::{ContentHandlingStrategy, IntegrationType, ProtocolType};
use chalice_manifest::{Manifest, WEBSOCKET_ENDPOINT_ENV};
use serde::{Deserialize, Serialize};

use super::errors::{Failure, explain};
use super::execute::{Executor, rest_api_url, tolerate_missing};
use super::graph::{FunctionSpec, Resource, RoleSpec, hash};
use super::plan::Step;
use super::state::{DeployedState, Record};
use crate::config::{FunctionConfig, StageConfig};

/// The state-file key of the WebSocket API (Chalice's).
pub(crate) const WEBSOCKET_API_KEY: &str = "websocket_api";
/// The graph key of its routes (recorded in the API's record, not one of their own).
pub(crate) const WEBSOCKET_ROUTES_KEY: &str = "websocket_api.routes";

/// Stands for `{api-id}.execute-api.{region}.amazonaws.com` in a function's environment.
pub(crate) const HOST_PLACEHOLDER: &str = "{websocket_api_host}";
/// Stands for `arn:{partition}:execute-api:{region}:{account}:{api-id}/*` in the role's
/// policy.
pub(crate) const CONNECTIONS_PLACEHOLDER: &str = "{websocket_api_connections}";

/// The WebSocket API itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct WebsocketApiSpec {
    pub(crate) key: String,
    /// `{app}-{stage}-websocket-api`, as Chalice names it.
    pub(crate) name: String,
    pub(crate) route_selection_expression: String,
    pub(crate) tags: BTreeMap<String, String>,
}

impl WebsocketApiSpec {
    /// The hash of what `UpdateApi` can change.
    pub(crate) fn api_hash(&self) -> String {
        hash(&serde_json::json!([
            self.name,
            self.route_selection_expression
        ]))
    }
}

/// Its routes, each to its handler's function, and its stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct WebsocketRoutesSpec {
    pub(crate) key: String,
    /// The key of the API they belong to.
    pub(crate) api: String,
    /// Route key → the key of the function answering it.
    pub(crate) routes: BTreeMap<String, String>,
    /// The stage (`api_gateway_stage`).
    pub(crate) stage: String,
    /// The functions API Gateway invokes: keys and names on Lambda.
    pub(crate) invokes: BTreeMap<String, String>,
}

impl WebsocketRoutesSpec {
    /// The hash of the routes and stage last applied.
    pub(crate) fn routes_hash(&self) -> String {
        hash(&serde_json::json!([self.routes, self.stage, self.invokes]))
    }
}

/// The `websocket_api` record: Chalice's fields (`websocket_api_id`, `websocket_api_url`),
/// and ours that let a redeploy skip what did not change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct WebsocketApiRecord {
    pub(crate) name: String,
    pub(crate) websocket_api_id: String,
    /// `wss://{id}.execute-api.{region}.amazonaws.com/{stage}/`, as Chalice prints it; empty
    /// until the stage exists.
    #[serde(default)]
    pub(crate) websocket_api_url: String,
    /// The region it is in (the placeholders' host).
    #[serde(default)]
    pub(crate) region: String,
    /// The stage last deployed to; empty before.
    #[serde(default)]
    pub(crate) stage: String,
    #[serde(default)]
    pub(crate) api_hash: String,
    #[serde(default)]
    pub(crate) routes_hash: String,
    /// The functions (by key) that API Gateway has been allowed to invoke.
    #[serde(default)]
    pub(crate) invoke_permissions: Vec<String>,
}

impl WebsocketApiRecord {
    /// The region it is in: recorded, or (in Chalice's records) read from its URL.
    fn region(&self) -> Option<&str> {
        if !self.region.is_empty() {
            return Some(&self.region);
        }
        self.websocket_api_url
            .split('/')
            .nth(2)
            .and_then(|host| host.split('.').nth(2))
            .filter(|region| !region.is_empty())
    }

    /// `{id}.execute-api.{region}.amazonaws.com`.
    fn host(&self) -> Option<String> {
        let region = self.region()?;
        if self.websocket_api_id.is_empty() {
            return None;
        }
        let url = rest_api_url(&self.websocket_api_id, region, "");
        url.strip_prefix("https://")
            .and_then(|rest| rest.strip_suffix("//"))
            .map(str::to_owned)
    }
}

// The graph.

/// The stage's settings of each WebSocket handler, in the manifest's order.
pub(crate) fn function_configs(manifest: &Manifest, stage: &StageConfig) -> Vec<FunctionConfig> {
    manifest
        .websocket
        .iter()
        .flat_map(|api| &api.routes)
        .map(|route| stage.function(&route.handler))
        .collect()
}

/// Whether the app has a WebSocket API to deploy.
pub(crate) fn wanted(manifest: &Manifest) -> bool {
    manifest
        .websocket
        .as_ref()
        .is_some_and(|api| !api.routes.is_empty())
}

/// The API's resource, first in the graph (nothing it needs comes before it).
pub(crate) fn api_resource(
    manifest: &Manifest,
    stage: &StageConfig,
    tags: &BTreeMap<String, String>,
) -> Option<Resource> {
    let api = manifest.websocket.as_ref().filter(|_| wanted(manifest))?;
    Some(Resource::WebsocketApi(WebsocketApiSpec {
        key: WEBSOCKET_API_KEY.to_owned(),
        name: crate::templates::websocket::api_name(stage),
        route_selection_expression: api.route_selection_expression.clone(),
        tags: tags.clone(),
    }))
}

/// What every function's environment gets when the app has a WebSocket API.
pub(crate) fn endpoint(stage: &StageConfig) -> String {
    format!("https://{HOST_PLACEHOLDER}/{}", stage.api_gateway_stage)
}

/// The routes' resource, after the handlers' functions (`functions`: key → name on Lambda).
pub(crate) fn routes_resource(
    manifest: &Manifest,
    stage: &StageConfig,
    functions: &BTreeMap<String, String>,
) -> Option<Resource> {
    let api = manifest.websocket.as_ref().filter(|_| wanted(manifest))?;
    let routes: BTreeMap<String, String> = api
        .routes
        .iter()
        .map(|route| (route.route_key.clone(), route.handler.clone()))
        .collect();
    let invokes = routes
        .values()
        .filter_map(|key| Some((key.clone(), functions.get(key)?.clone())))
        .collect();
    Some(Resource::WebsocketRoutes(WebsocketRoutesSpec {
        key: WEBSOCKET_ROUTES_KEY.to_owned(),
        api: WEBSOCKET_API_KEY.to_owned(),
        routes,
        stage: stage.api_gateway_stage.clone(),
        invokes,
    }))
}

// Placeholders.

/// `resource` with what `state` knows in place of the placeholders (the same resource
/// when it has none, or when the state does not know them yet).
pub(crate) fn resolve<'r>(resource: &'r Resource, state: &DeployedState) -> Cow<'r, Resource> {
    match resource {
        Resource::Role(role) => match resolve_role(role, state) {
            Some(role) => Cow::Owned(Resource::Role(role)),
            None => Cow::Borrowed(resource),
        },
        Resource::Function(function) => match resolve_function(function, state) {
            Some(function) => Cow::Owned(Resource::Function(function)),
            None => Cow::Borrowed(resource),
        },
        _ => Cow::Borrowed(resource),
    }
}

fn websocket_record(state: &DeployedState) -> Option<&WebsocketApiRecord> {
    state.resources.iter().find_map(|record| match record {
        Record::WebsocketApi(api) => Some(api),
        _ => None,
    })
}

/// The function with the API's host in its environment, or `None` when it names no
/// placeholder or the API is not recorded yet.
pub(crate) fn resolve_function(
    function: &FunctionSpec,
    state: &DeployedState,
) -> Option<FunctionSpec> {
    let value = function.environment.get(WEBSOCKET_ENDPOINT_ENV)?;
    if !value.contains(HOST_PLACEHOLDER) {
        return None;
    }
    let host = websocket_record(state)?.host()?;
    let mut resolved = function.clone();
    resolved.environment.insert(
        WEBSOCKET_ENDPOINT_ENV.to_owned(),
        value.replace(HOST_PLACEHOLDER, &host),
    );
    Some(resolved)
}

/// The role with the API's connections in its policy, or `None` when the policy names no
/// placeholder, or the API or the role (whose ARN gives the account) is not recorded yet.
pub(crate) fn resolve_role(role: &RoleSpec, state: &DeployedState) -> Option<RoleSpec> {
    let text = role.policy.to_string();
    if !text.contains(CONNECTIONS_PLACEHOLDER) {
        return None;
    }
    let api = websocket_record(state)?;
    let role_arn = &state.role(&role.key)?.role_arn;
    let (partition, account) = match role_arn.split(':').collect::<Vec<_>>().as_slice() {
        ["arn", partition, "iam", _, account, ..] => ((*partition).to_owned(), *account),
        _ => return None,
    };
    let region = api.region()?;
    if api.websocket_api_id.is_empty() {
        return None;
    }
    let arn = format!(
        "arn:{partition}:execute-api:{region}:{account}:{}/*",
        api.websocket_api_id
    );
    let mut resolved = role.clone();
    resolved.policy = serde_json::from_str(&text.replace(CONNECTIONS_PLACEHOLDER, &arn))
        .expect("an ARN keeps a JSON document valid");
    Some(resolved)
}

// The plan.

/// Plans the API itself.
pub(crate) fn plan_api(api: &WebsocketApiSpec, state: &DeployedState, steps: &mut Vec<Step>) {
    match state.websocket_api(&api.key) {
        None => steps.push(Step::CreateWebsocketApi(api.clone())),
        Some(record) if record.api_hash != api.api_hash() => {
            steps.push(Step::UpdateWebsocketApi(api.clone()));
        }
        Some(_) => {}
    }
}

/// Plans the routes, the stage and the invoke permissions.
pub(crate) fn plan_routes(
    routes: &WebsocketRoutesSpec,
    state: &DeployedState,
    created_functions: &[String],
    steps: &mut Vec<Step>,
) {
    let record = state.websocket_api(&routes.api);
    if record.is_none_or(|record| record.routes_hash != routes.routes_hash()) {
        steps.push(Step::SyncWebsocketRoutes(routes.clone()));
    }
    for function in routes.invokes.keys() {
        let allowed = record.is_some_and(|record| record.invoke_permissions.contains(function));
        if !allowed || created_functions.contains(function) {
            steps.push(Step::AddInvokePermission {
                api: routes.api.clone(),
                function: function.clone(),
            });
        }
    }
}

// The calls.

impl Executor<'_> {
    /// `CreateApi` (protocol `WEBSOCKET`), or this stage's API left by an interrupted
    /// deploy, found by its name and tag; recorded at once.
    pub(crate) async fn create_websocket_api(
        &mut self,
        api: &WebsocketApiSpec,
    ) -> anyhow::Result<()> {
        let id = match self.find_websocket_api(api).await? {
            Some(id) => {
                self.output.status(
                    "Adopting",
                    format!("WebSocket API {id}, left by an interrupted deploy of this stage"),
                );
                id
            }
            None => {
                self.output
                    .status("Creating", format!("WebSocket API {}", api.name));
                let created = self
                    .aws
                    .apigatewayv2
                    .create_api()
                    .name(&api.name)
                    .protocol_type(ProtocolType::Websocket)
                    .route_selection_expression(&api.route_selection_expression)
                    .set_tags(Some(api.tags.clone().into_iter().collect()))
                    .send()
                    .await
                    .map_err(|error| {
                        explain(&format!("creating WebSocket API {}", api.name), &error)
                    })?;
                created
                    .api_id()
                    .context("CreateApi answered without the API's id")?
                    .to_owned()
            }
        };
        self.state.put(Record::WebsocketApi(WebsocketApiRecord {
            name: api.key.clone(),
            websocket_api_id: id,
            websocket_api_url: String::new(),
            region: self.aws.region.clone(),
            stage: String::new(),
            api_hash: api.api_hash(),
            routes_hash: String::new(),
            invoke_permissions: Vec::new(),
        }));
        Ok(())
    }

    async fn find_websocket_api(&self, api: &WebsocketApiSpec) -> anyhow::Result<Option<String>> {
        let mut token = None;
        loop {
            let page = self
                .aws
                .apigatewayv2
                .get_apis()
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| explain("listing WebSocket APIs", &error))?;
            for item in page.items() {
                if item.name() == Some(api.name.as_str())
                    && item.protocol_type() == Some(&ProtocolType::Websocket)
                    && self.ours(item.tags())
                {
                    return Ok(item.api_id().map(str::to_owned));
                }
            }
            match page.next_token() {
                Some(next) if !page.items().is_empty() => token = Some(next.to_owned()),
                _ => return Ok(None),
            }
        }
    }

    /// `UpdateApi`: its name or route selection expression changed.
    pub(crate) async fn update_websocket_api(
        &mut self,
        api: &WebsocketApiSpec,
    ) -> anyhow::Result<()> {
        let mut record = self
            .state
            .websocket_api(&api.key)
            .cloned()
            .context("the plan updates a WebSocket API it has not created")?;
        let id = &record.websocket_api_id;
        self.output
            .status("Updating", format!("WebSocket API {}", api.name));
        self.aws
            .apigatewayv2
            .update_api()
            .api_id(id)
            .name(&api.name)
            .route_selection_expression(&api.route_selection_expression)
            .send()
            .await
            .map_err(|error| explain(&format!("updating WebSocket API {id}"), &error))?;
        record.api_hash = api.api_hash();
        self.state.put(Record::WebsocketApi(record));
        Ok(())
    }

    /// Brings the API's integrations, routes and stage to `spec`, by difference with what
    /// the API has: what is missing is created, a route pointing elsewhere is re-pointed,
    /// what the app no longer has is deleted.
    pub(crate) async fn sync_websocket_routes(
        &mut self,
        spec: &WebsocketRoutesSpec,
    ) -> anyhow::Result<()> {
        let mut record = self
            .state
            .websocket_api(&spec.api)
            .cloned()
            .context("the plan syncs the routes of a WebSocket API it has not created")?;
        let id = record.websocket_api_id.clone();
        let client = &self.aws.apigatewayv2;
        let doing = format!("updating the routes of WebSocket API {id}");
        self.output.status(
            "Updating",
            format!("WebSocket API routes ({})", {
                let keys: Vec<&str> = spec.routes.keys().map(String::as_str).collect();
                keys.join(", ")
            }),
        );

        // Each handler's integration, by its URI (one per function).
        let mut uris = BTreeMap::new();
        for function in spec.routes.values() {
            let record = self
                .state
                .function(function)
                .with_context(|| format!("function {function} is not deployed before its route"))?;
            let partition = record.lambda_arn.split(':').nth(1).unwrap_or("aws");
            uris.insert(
                function.clone(),
                format!(
                    "arn:{partition}:apigateway:{}:lambda:path/2015-03-31/functions/{}/invocations",
                    self.aws.region, record.lambda_arn
                ),
            );
        }
        let mut existing_integrations = Vec::new();
        let mut token = None;
        loop {
            let page = client
                .get_integrations()
                .api_id(&id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| explain(&doing, &error))?;
            for integration in page.items() {
                existing_integrations.push((
                    integration.integration_id().unwrap_or_default().to_owned(),
                    integration.integration_uri().unwrap_or_default().to_owned(),
                ));
            }
            match page.next_token() {
                Some(next) if !page.items().is_empty() => token = Some(next.to_owned()),
                _ => break,
            }
        }
        let mut integration_of = BTreeMap::new();
        for (function, uri) in &uris {
            let found = existing_integrations
                .iter()
                .find(|(_, existing)| existing == uri)
                .map(|(integration, _)| integration.clone());
            let integration = match found {
                Some(integration) => integration,
                None => client
                    .create_integration()
                    .api_id(&id)
                    .integration_type(IntegrationType::AwsProxy)
                    .integration_uri(uri)
                    // Binary frames reach the function base64-encoded, as in Chalice.
                    .content_handling_strategy(ContentHandlingStrategy::ConvertToText)
                    .send()
                    .await
                    .map_err(|error| explain(&format!("{doing}: integrating {function}"), &error))?
                    .integration_id()
                    .context("CreateIntegration answered without an id")?
                    .to_owned(),
            };
            integration_of.insert(function.clone(), integration);
        }

        // Routes: each key to its handler's integration.
        let mut existing_routes = Vec::new();
        let mut token = None;
        loop {
            let page = client
                .get_routes()
                .api_id(&id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| explain(&doing, &error))?;
            for route in page.items() {
                existing_routes.push((
                    route.route_id().unwrap_or_default().to_owned(),
                    route.route_key().unwrap_or_default().to_owned(),
                    route.target().unwrap_or_default().to_owned(),
                ));
            }
            match page.next_token() {
                Some(next) if !page.items().is_empty() => token = Some(next.to_owned()),
                _ => break,
            }
        }
        let target = |function: &String| format!("integrations/{}", integration_of[function]);
        for (route_id, key, current) in &existing_routes {
            match spec.routes.get(key) {
                None => {
                    let result = client
                        .delete_route()
                        .api_id(&id)
                        .route_id(route_id)
                        .send()
                        .await;
                    tolerate_missing(result, &format!("{doing}: deleting route {key}"))?;
                }
                Some(function) if *current != target(function) => {
                    client
                        .update_route()
                        .api_id(&id)
                        .route_id(route_id)
                        .target(target(function))
                        .send()
                        .await
                        .map_err(|error| explain(&format!("{doing}: route {key}"), &error))?;
                }
                Some(_) => {}
            }
        }
        for (key, function) in &spec.routes {
            if !existing_routes
                .iter()
                .any(|(_, existing, _)| existing == key)
            {
                client
                    .create_route()
                    .api_id(&id)
                    .route_key(key)
                    .target(target(function))
                    .send()
                    .await
                    .map_err(|error| explain(&format!("{doing}: route {key}"), &error))?;
            }
        }
        let used: BTreeSet<&String> = integration_of.values().collect();
        for (integration, _) in &existing_integrations {
            if !used.contains(integration) {
                let result = client
                    .delete_integration()
                    .api_id(&id)
                    .integration_id(integration)
                    .send()
                    .await;
                tolerate_missing(result, &doing)?;
            }
        }

        // The stage, deploying every change by itself.
        let stage = client
            .get_stage()
            .api_id(&id)
            .stage_name(&spec.stage)
            .send()
            .await;
        match stage {
            Ok(stage) if stage.auto_deploy() == Some(true) => {}
            // A stage made by Chalice (deployed by hand, CreateDeployment): from now on it
            // deploys itself.
            Ok(_) => {
                client
                    .update_stage()
                    .api_id(&id)
                    .stage_name(&spec.stage)
                    .auto_deploy(true)
                    .send()
                    .await
                    .map_err(|error| explain(&doing, &error))?;
            }
            Err(error) => {
                let failure = Failure::of(&error);
                if !failure.is_not_found() {
                    return Err(failure.explain(&doing));
                }
                self.output.status(
                    "Deploying",
                    format!("WebSocket API to stage {}", spec.stage),
                );
                client
                    .create_stage()
                    .api_id(&id)
                    .stage_name(&spec.stage)
                    .auto_deploy(true)
                    .send()
                    .await
                    .map_err(|error| explain(&doing, &error))?;
            }
        }
        if !record.stage.is_empty() && record.stage != spec.stage {
            let result = client
                .delete_stage()
                .api_id(&id)
                .stage_name(&record.stage)
                .send()
                .await;
            tolerate_missing(result, &format!("{doing}: deleting stage {}", record.stage))?;
        }
        record.stage = spec.stage.clone();
        record.websocket_api_url = websocket_url(&id, &self.aws.region, &spec.stage);
        record.routes_hash = spec.routes_hash();
        self.state.put(Record::WebsocketApi(record));
        Ok(())
    }

    /// `DeleteApi` (its routes, integrations and stages go with it).
    pub(crate) async fn delete_websocket_api(&mut self, key: &str, id: &str) -> anyhow::Result<()> {
        self.output
            .status("Deleting", format!("WebSocket API {id}"));
        let result = self.aws.apigatewayv2.delete_api().api_id(id).send().await;
        tolerate_missing(result, &format!("deleting WebSocket API {id}"))?;
        if self
            .state
            .websocket_api(key)
            .is_some_and(|api| api.websocket_api_id == id)
        {
            self.state.forget(key);
        }
        Ok(())
    }
}

/// The URL clients connect to, as Chalice prints it.
pub(crate) fn websocket_url(id: &str, region: &str, stage: &str) -> String {
    rest_api_url(id, region, stage).replacen("https://", "wss://", 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::deploy::graph::{Code, Graph, Inputs};
    use crate::deploy::plan::plan;
    use crate::deploy::state::{FunctionRecord, RestApiRecord, RoleRecord};
    use crate::templates::openapi::{Target, openapi};
    use crate::templates::policy::{default_policy, with_websocket_connections};

    fn manifest(name: &str) -> Manifest {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/manifests/{name}.json"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
    }

    /// The graph `chalice deploy` builds (commands/deploy.rs gathers the same inputs).
    fn graph(manifest: &Manifest) -> Graph {
        let stage = Config::parse(".chalice/config.json".into(), r#"{"app_name": "chat"}"#)
            .and_then(|config| config.stage("dev"))
            .expect("a valid config");
        let functions = [stage.api_handler()];
        let policy = with_websocket_connections(
            default_policy(&functions),
            manifest,
            &serde_json::Value::String(CONNECTIONS_PLACEHOLDER.to_owned()),
        );
        Graph::build(&Inputs {
            manifest,
            stage: &stage,
            functions: &functions,
            code: Code::of(b"zip"),
            api_document: openapi(manifest, None, Target::Templated).unwrap_or_default(),
            policy,
        })
        .expect("a graph")
    }

    /// What the executor records for `graph`, step by step (placeholders filled in from
    /// what is recorded before, as it does).
    fn deployed(graph: &Graph) -> DeployedState {
        let mut state = DeployedState::default();
        for resource in &graph.resources {
            let record = match &*resolve(resource, &state) {
                Resource::Role(role) => {
                    state.put(Record::IamRole(RoleRecord {
                        name: role.key.clone(),
                        role_name: role.role_name.clone(),
                        role_arn: format!("arn:aws:iam::123456789012:role/{}", role.role_name),
                        policy_hash: String::new(),
                    }));
                    let role = resolve_role(role, &state).expect("the API and role are known");
                    let Some(Record::IamRole(mut record)) = state.get(&role.key).cloned() else {
                        unreachable!("just recorded");
                    };
                    record.policy_hash = role.policy_hash();
                    Record::IamRole(record)
                }
                Resource::Function(function) => Record::LambdaFunction(FunctionRecord {
                    name: function.key.clone(),
                    lambda_arn: format!(
                        "arn:aws:lambda:us-east-1:123456789012:function:{}",
                        function.function_name
                    ),
                    function_name: function.function_name.clone(),
                    code_sha256: function.code.sha256.clone(),
                    config_hash: function.config_hash(),
                }),
                Resource::RestApi(api) => Record::RestApi(RestApiRecord {
                    name: api.key.clone(),
                    rest_api_id: "abc123".to_owned(),
                    rest_api_url: String::new(),
                    stage: api.stage.clone(),
                    api_hash: api.api_hash(),
                    invoke_permissions: api.invokes.keys().cloned().collect(),
                }),
                Resource::WebsocketApi(api) => Record::WebsocketApi(WebsocketApiRecord {
                    name: api.key.clone(),
                    websocket_api_id: "ws1".to_owned(),
                    websocket_api_url: String::new(),
                    region: "us-east-1".to_owned(),
                    stage: String::new(),
                    api_hash: api.api_hash(),
                    routes_hash: String::new(),
                    invoke_permissions: Vec::new(),
                }),
                Resource::WebsocketRoutes(routes) => {
                    let mut api = state.websocket_api(&routes.api).cloned().expect("first");
                    api.stage = routes.stage.clone();
                    api.routes_hash = routes.routes_hash();
                    api.invoke_permissions = routes.invokes.keys().cloned().collect();
                    Record::WebsocketApi(api)
                }
                Resource::HttpApi(_) | Resource::EventSource(_) => {
                    unreachable!("a REST API stage, no event handlers")
                }
            };
            state.put(record);
        }
        state
    }

    fn actions(plan: &crate::deploy::plan::Plan) -> Vec<String> {
        plan.steps
            .iter()
            .map(|step| {
                let value = serde_json::to_value(step).expect("a step serializes");
                value["action"].as_str().unwrap_or_default().to_owned()
            })
            .collect()
    }

    #[test]
    fn plans_create_the_api_first_and_bring_it_up_to_date_by_difference() {
        let chat = graph(&manifest("chat"));
        let chat_deployed = deployed(&chat);
        let mut renamed = manifest("chat");
        if let Some(api) = &mut renamed.websocket {
            api.route_selection_expression = "$request.body.type".to_owned();
        }
        let mut fewer = manifest("chat");
        if let Some(api) = &mut fewer.websocket {
            api.routes.retain(|route| route.route_key != "join");
        }
        let mut recreated = chat_deployed.clone();
        recreated.forget(WEBSOCKET_API_KEY);
        let functions = [
            "create_function",
            "create_function",
            "create_function",
            "create_function",
            "create_function",
        ];
        let permissions = [
            "add_invoke_permission",
            "add_invoke_permission",
            "add_invoke_permission",
            "add_invoke_permission",
        ];
        let cases: Vec<(&str, Graph, DeployedState, Vec<&str>)> = vec![
            (
                "new: the API before the role and functions, which name it",
                chat.clone(),
                DeployedState::default(),
                [&["create_websocket_api", "create_role"][..], &functions]
                    .concat()
                    .into_iter()
                    .chain([
                        "create_rest_api",
                        "add_invoke_permission",
                        "deploy_rest_api",
                    ])
                    .chain(["sync_websocket_routes"])
                    .chain(permissions)
                    .collect(),
            ),
            ("unchanged", chat.clone(), chat_deployed.clone(), vec![]),
            (
                "another selection expression",
                graph(&renamed),
                chat_deployed.clone(),
                vec!["update_websocket_api"],
            ),
            (
                "a route removed: its function after the routes no longer use it",
                graph(&fewer),
                chat_deployed.clone(),
                vec!["sync_websocket_routes", "delete_function"],
            ),
            (
                "the API deleted behind chalice's back: what named it follows the new one",
                chat.clone(),
                recreated,
                [
                    &["create_websocket_api", "update_role_policy"][..],
                    &[
                        "update_function_configuration",
                        "update_function_configuration",
                        "update_function_configuration",
                        "update_function_configuration",
                        "update_function_configuration",
                    ],
                    &["sync_websocket_routes"],
                    &permissions,
                ]
                .concat(),
            ),
        ];
        for (case, graph, state, expected) in cases {
            assert_eq!(actions(&plan(&graph, &state)), expected, "{case}");
        }
    }

    #[test]
    fn placeholders_take_the_recorded_apis_values() {
        let chat = graph(&manifest("chat"));
        let state = deployed(&chat);
        for resource in &chat.resources {
            match &*resolve(resource, &state) {
                Resource::Function(function) => assert_eq!(
                    function.environment[WEBSOCKET_ENDPOINT_ENV],
                    "https://ws1.execute-api.us-east-1.amazonaws.com/api",
                    "{}",
                    function.key
                ),
                Resource::Role(role) => {
                    let statements = role.policy["Statement"].as_array().expect("statements");
                    assert_eq!(
                        statements.last().map(|s| &s["Resource"]),
                        Some(&serde_json::json!(
                            "arn:aws:execute-api:us-east-1:123456789012:ws1/*"
                        ))
                    );
                }
                _ => {}
            }
        }
        // Nothing recorded yet: the placeholders stay, for the executor to fill in.
        let Resource::Function(first) = &*resolve(&chat.resources[2], &DeployedState::default())
        else {
            panic!(
                "the API, the role, then the functions: {:?}",
                chat.resources[2]
            );
        };
        assert_eq!(
            first.environment[WEBSOCKET_ENDPOINT_ENV],
            "https://{websocket_api_host}/api"
        );
    }

    #[test]
    fn an_app_of_websocket_handlers_alone_has_no_api_handler() {
        let keys: Vec<String> = graph(&manifest("websocket-only"))
            .resources
            .iter()
            .map(|resource| resource.key().to_owned())
            .collect();
        assert_eq!(
            keys,
            [
                "websocket_api",
                "default-role",
                "websocket_message",
                "websocket_api.routes"
            ]
        );
    }

    #[test]
    fn urls_and_hosts_are_api_gateways() {
        assert_eq!(
            websocket_url("abc", "eu-west-1", "api"),
            "wss://abc.execute-api.eu-west-1.amazonaws.com/api/"
        );
        let record = |id: &str, region: &str| WebsocketApiRecord {
            name: WEBSOCKET_API_KEY.to_owned(),
            websocket_api_id: id.to_owned(),
            websocket_api_url: String::new(),
            region: region.to_owned(),
            stage: String::new(),
            api_hash: String::new(),
            routes_hash: String::new(),
            invoke_permissions: Vec::new(),
        };
        let cases = [
            (
                "abc",
                "us-east-1",
                Some("abc.execute-api.us-east-1.amazonaws.com"),
            ),
            (
                "abc",
                "cn-north-1",
                Some("abc.execute-api.cn-north-1.amazonaws.com.cn"),
            ),
            ("", "us-east-1", None),
            ("abc", "", None),
        ];
        let mut chalices = record("abc", "");
        chalices.websocket_api_url = "wss://abc.execute-api.eu-west-1.amazonaws.com/api/".into();
        assert_eq!(
            chalices.host().as_deref(),
            Some("abc.execute-api.eu-west-1.amazonaws.com"),
            "the region of a record without one is its URL's"
        );
        for (id, region, host) in cases {
            assert_eq!(record(id, region).host().as_deref(), host, "{id} {region}");
        }
    }

    /// A `websocket_api` record as Chalice 1.34 writes it: ours reads it.
    #[test]
    fn chalices_record_is_read() {
        let record: Record = serde_json::from_str(
            r#"{"name": "websocket_api", "resource_type": "websocket_api",
                "websocket_api_id": "abc123",
                "websocket_api_url": "wss://abc123.execute-api.us-east-1.amazonaws.com/api/"}"#,
        )
        .expect("Chalice's record");
        let Record::WebsocketApi(api) = record else {
            panic!("not a WebSocket API record: {record:?}");
        };
        assert_eq!(api.websocket_api_id, "abc123");
        assert_eq!(api.routes_hash, "", "ours are optional");
    }
}
