//! The WebSocket API's planner, and the placeholders filled in from the state (by the
//! planner, and by the executor when it calls).

use std::borrow::Cow;

use chalice_manifest::WEBSOCKET_ENDPOINT_ENV;

use super::record::{CONNECTIONS_PLACEHOLDER, HOST_PLACEHOLDER, WebsocketApiRecord};
use super::spec::{WebsocketApiSpec, WebsocketRoutesSpec};
use crate::deploy::graph::{FunctionSpec, Resource, RoleSpec};
use crate::deploy::state::{DeployedState, Record};
use crate::deploy::step::Step;

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
    let arn = connections_arn(state, &role.key)?;
    let mut resolved = role.clone();
    resolved.policy = serde_json::from_str(&text.replace(CONNECTIONS_PLACEHOLDER, &arn))
        .expect("an ARN keeps a JSON document valid");
    Some(resolved)
}

/// `arn:{partition}:execute-api:{region}:{account}:{api-id}/*`, the recorded WebSocket
/// API's connections, the account read from the recorded role `role_key`; `None` before
/// both are recorded.
pub(crate) fn connections_arn(state: &DeployedState, role_key: &str) -> Option<String> {
    let api = websocket_record(state)?;
    let role_arn = &state.role(role_key)?.role_arn;
    let (partition, account) = match role_arn.split(':').collect::<Vec<_>>().as_slice() {
        ["arn", partition, "iam", _, account, ..] => ((*partition).to_owned(), *account),
        _ => return None,
    };
    let region = api.region()?;
    if api.websocket_api_id.is_empty() {
        return None;
    }
    Some(format!(
        "arn:{partition}:execute-api:{region}:{account}:{}/*",
        api.websocket_api_id
    ))
}

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
