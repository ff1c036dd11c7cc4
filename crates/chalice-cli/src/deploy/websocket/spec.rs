//! The WebSocket API's two resources of the graph, as specs: the API, and its routes.

use std::collections::BTreeMap;

use chalice_manifest::Manifest;
use serde::Serialize;

use super::record::{HOST_PLACEHOLDER, WEBSOCKET_API_KEY, WEBSOCKET_ROUTES_KEY};
use crate::config::{FunctionConfig, StageConfig};
use crate::deploy::hash::hash;

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
) -> Option<WebsocketApiSpec> {
    let api = manifest.websocket.as_ref().filter(|_| wanted(manifest))?;
    Some(WebsocketApiSpec {
        key: WEBSOCKET_API_KEY.to_owned(),
        name: crate::templates::websocket::api_name(stage),
        route_selection_expression: api.route_selection_expression.clone(),
        tags: tags.clone(),
    })
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
) -> Option<WebsocketRoutesSpec> {
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
    Some(WebsocketRoutesSpec {
        key: WEBSOCKET_ROUTES_KEY.to_owned(),
        api: WEBSOCKET_API_KEY.to_owned(),
        routes,
        stage: stage.api_gateway_stage.clone(),
        invokes,
    })
}
