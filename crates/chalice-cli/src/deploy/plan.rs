//! The plan: the steps that take a stage from what its state file records to what the
//! graph says, as values (what to call, with which parameters), never closures.
//!
//! Planning is a pure function of the graph and the recorded state (refreshed first: records
//! of resources someone deleted are dropped, and the code hash is Lambda's own): a
//! resource without a record is created, one whose hash changed is updated (a function's
//! code and its configuration separately), a record the graph no longer has is deleted,
//! dependents first. What only AWS knows (a new role's ARN, a new API's id) is not in the
//! plan: the steps name the resource by key, and the executor reads the record the earlier
//! step wrote. `--dry-run` prints this plan; [`super::execute`] carries it out.

use std::fmt;

use serde::Serialize;

use super::graph::{FunctionSpec, Graph, HttpApiSpec, Resource, RestApiSpec, RoleSpec};
use super::state::{DeployedState, Record};
pub(crate) use super::step::{Step, delete_step, function_name};

/// The steps of a deploy, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Plan {
    pub(crate) app_name: String,
    pub(crate) stage: String,
    pub(crate) steps: Vec<Step>,
}

impl Plan {
    /// Whether the stage is up to date (nothing to do).
    pub(crate) fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.steps.is_empty() {
            return write!(f, "{}, stage {}: up to date", self.app_name, self.stage);
        }
        for step in &self.steps {
            writeln!(f, "{step}")?;
        }
        Ok(())
    }
}

/// The plan that removes everything `state` records, dependents first (`chalice delete`).
pub(crate) fn deletion(app_name: &str, stage: &str, state: &DeployedState) -> Plan {
    Plan {
        app_name: app_name.to_owned(),
        stage: stage.to_owned(),
        steps: state.resources.iter().rev().map(delete_step).collect(),
    }
}

/// The plan that takes `state` (refreshed) to `graph`.
pub(crate) fn plan(graph: &Graph, state: &DeployedState) -> Plan {
    let mut steps = Vec::new();
    // A record whose resource changed its name on AWS (a new `app_name`) or its kind is
    // deleted first, so that its key is free for the new one. Records the graph no longer
    // has at all are deleted last, once nothing points at them any more (an authorizer's
    // function after the API that called it has its new document). Both walk the state
    // backwards: it lists records in creation order, so dependents go first.
    let mut kept = state.clone();
    let mut removals = Vec::new();
    for record in state.resources.iter().rev() {
        match graph.get(record.name()) {
            None => removals.push(delete_step(record)),
            Some(_) if !still_wanted(graph, record) => {
                steps.push(delete_step(record));
                kept.forget(record.name());
            }
            Some(_) => {}
        }
    }
    let state = &kept;
    let mut created_functions = Vec::new();
    for resource in &graph.resources {
        // What the state knows of the WebSocket API filled in, so hashes compare values.
        let resource = &*super::websocket::plan::resolve(resource, state);
        match resource {
            Resource::Role(role) => plan_role(role, state, &mut steps),
            Resource::Function(function) => {
                if plan_function(function, state, &mut steps) {
                    created_functions.push(function.key.clone());
                }
            }
            Resource::RestApi(api) => plan_rest_api(api, state, &created_functions, &mut steps),
            Resource::HttpApi(api) => plan_http_api(api, state, &created_functions, &mut steps),
            Resource::WebsocketApi(api) => super::websocket::plan::plan_api(api, state, &mut steps),
            Resource::WebsocketRoutes(routes) => {
                super::websocket::plan::plan_routes(routes, state, &created_functions, &mut steps);
            }
            Resource::EventSource(source) => {
                super::events::plan::plan(source, state, &created_functions, &mut steps);
            }
        }
    }
    steps.extend(removals);
    Plan {
        app_name: graph.app_name.clone(),
        stage: graph.stage.clone(),
        steps,
    }
}

/// Whether the graph's resource of `record`'s key is the one `record` describes: same
/// kind, same name on AWS.
fn still_wanted(graph: &Graph, record: &Record) -> bool {
    match (graph.get(record.name()), record) {
        (Some(Resource::Role(role)), Record::IamRole(recorded)) => {
            role.role_name == recorded.role_name
        }
        (Some(Resource::Function(function)), Record::LambdaFunction(recorded)) => {
            function.function_name == function_name(recorded)
        }
        (Some(Resource::RestApi(_)), Record::RestApi(_))
        | (Some(Resource::HttpApi(_)), Record::HttpApi(_))
        | (Some(Resource::WebsocketApi(_)), Record::WebsocketApi(_)) => true,
        (Some(Resource::EventSource(source)), record) => {
            super::events::plan::same_resource(source, record)
        }
        _ => false,
    }
}

fn plan_role(role: &RoleSpec, state: &DeployedState, steps: &mut Vec<Step>) {
    match state.role(&role.key) {
        None => steps.push(Step::CreateRole(role.clone())),
        Some(record) if record.policy_hash != role.policy_hash() => {
            steps.push(Step::UpdateRolePolicy(role.clone()));
        }
        Some(_) => {}
    }
}

/// Plans a function; true when it is created (so its invoke permission must be added).
fn plan_function(function: &FunctionSpec, state: &DeployedState, steps: &mut Vec<Step>) -> bool {
    let Some(record) = state.function(&function.key) else {
        steps.push(Step::CreateFunction(function.clone()));
        return true;
    };
    if record.code_sha256 != function.code.sha256 {
        steps.push(Step::UpdateFunctionCode {
            key: function.key.clone(),
            function_name: function.function_name.clone(),
            architecture: function.architecture.clone(),
            code: function.code.clone(),
        });
    }
    if record.config_hash != function.config_hash() {
        steps.push(Step::UpdateFunctionConfiguration(function.clone()));
    }
    false
}

fn plan_rest_api(
    api: &RestApiSpec,
    state: &DeployedState,
    created_functions: &[String],
    steps: &mut Vec<Step>,
) {
    let record = state.rest_api(&api.key);
    let changed = match record {
        None => {
            steps.push(Step::CreateRestApi(api.clone()));
            true
        }
        Some(record) if record.api_hash != api.api_hash() => {
            steps.push(Step::UpdateRestApi(api.clone()));
            true
        }
        Some(_) => false,
    };
    for function in api.invokes.keys() {
        let allowed = record.is_some_and(|record| record.invoke_permissions.contains(function));
        if !allowed || created_functions.contains(function) {
            steps.push(Step::AddInvokePermission {
                api: api.key.clone(),
                function: function.clone(),
            });
        }
    }
    if changed || record.is_some_and(|record| record.stage != api.stage) {
        steps.push(Step::DeployRestApi {
            key: api.key.clone(),
            stage: api.stage.clone(),
        });
    }
}

fn plan_http_api(
    api: &HttpApiSpec,
    state: &DeployedState,
    created_functions: &[String],
    steps: &mut Vec<Step>,
) {
    let record = state.http_api(&api.key);
    match record {
        None => steps.push(Step::CreateHttpApi(api.clone())),
        Some(record) if record.api_hash != api.api_hash() => {
            steps.push(Step::UpdateHttpApi(api.clone()));
        }
        Some(_) => {}
    }
    for function in api.invokes.keys() {
        let allowed = record.is_some_and(|record| record.invoke_permissions.contains(function));
        if !allowed || created_functions.contains(function) {
            steps.push(Step::AddInvokePermission {
                api: api.key.clone(),
                function: function.clone(),
            });
        }
    }
}
