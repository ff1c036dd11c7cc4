//! A plan's steps, as values: what to call, with which parameters. Below the planners
//! ([`super::plan`], and the event sources' and WebSocket API's), which build them, and
//! the executor, which carries them out.

use std::fmt;

use serde::Serialize;

use super::events::spec::{Describe, EventSourceSpec, describe_record};
use super::graph::{Code, FunctionSpec, HttpApiSpec, RestApiSpec, RoleSpec};
use super::state::Record;
use super::websocket::spec::{WebsocketApiSpec, WebsocketRoutesSpec};
use crate::output::size;

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub(crate) enum Step {
    /// `CreateRole` (trust: Lambda) and `PutRolePolicy`.
    CreateRole(RoleSpec),
    /// `PutRolePolicy`: the policy changed.
    UpdateRolePolicy(RoleSpec),
    /// `CreateFunction`, then a wait until it is active (and its log retention).
    CreateFunction(FunctionSpec),
    /// `UpdateFunctionCode`, then a wait until the update is done.
    UpdateFunctionCode {
        key: String,
        function_name: String,
        architecture: String,
        code: Code,
    },
    /// `UpdateFunctionConfiguration` (and a wait), tags, concurrency and log retention.
    UpdateFunctionConfiguration(FunctionSpec),
    /// `CreateRestApi` with its settings, then `PutRestApi` of the document.
    CreateRestApi(RestApiSpec),
    /// `PutRestApi` (overwrite) of the document and `UpdateRestApi` of changed settings.
    UpdateRestApi(RestApiSpec),
    /// `CreateApi` (HTTP), its integration, its routes and its auto-deployed stage.
    CreateHttpApi(HttpApiSpec),
    /// The HTTP API's routes, CORS and stage brought to the spec.
    UpdateHttpApi(HttpApiSpec),
    /// `AddPermission` for API Gateway to invoke the function, unless `GetPolicy` shows it.
    AddInvokePermission { api: String, function: String },
    /// `CreateDeployment` of the API to its stage.
    DeployRestApi { key: String, stage: String },
    /// `DeleteRestApi`.
    DeleteRestApi { key: String, rest_api_id: String },
    /// `DeleteApi` (HTTP).
    DeleteHttpApi { key: String, api_id: String },
    /// `CreateApi` (WebSocket), recorded before its functions so they can name it.
    CreateWebsocketApi(WebsocketApiSpec),
    /// `UpdateApi` (WebSocket): its name or route selection expression changed.
    UpdateWebsocketApi(WebsocketApiSpec),
    /// The WebSocket API's integrations, routes and self-deploying stage brought to the
    /// spec by difference (see [`super::websocket`]).
    SyncWebsocketRoutes(WebsocketRoutesSpec),
    /// `DeleteApi` (WebSocket).
    DeleteWebsocketApi { key: String, api_id: String },
    /// `DeleteFunction`.
    DeleteFunction { key: String, function_name: String },
    /// `DeleteRolePolicy` for each inline policy, then `DeleteRole`.
    DeleteRole { key: String, role_name: String },
    /// What invokes an event handler, created ([`super::events`]).
    CreateEventSource(EventSourceSpec),
    /// What invokes an event handler, put again: its settings or its function changed.
    UpdateEventSource(EventSourceSpec),
    /// What invokes an event handler, removed (Chalice's order for each source).
    DeleteEventSource(Record),
}

impl fmt::Display for Step {
    /// One line for people: a sign (`+` create, `~` update, `-` delete) and what.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::CreateRole(role) => write!(
                f,
                "+ create IAM role {} with its inline policy",
                role.role_name
            ),
            Step::UpdateRolePolicy(role) => {
                write!(
                    f,
                    "~ update the inline policy of IAM role {}",
                    role.role_name
                )
            }
            Step::CreateFunction(function) => write!(
                f,
                "+ create function {} ({}, {} MB, {} s, code {})",
                function.function_name,
                function.architecture,
                function.memory_size,
                function.timeout,
                size(function.code.size)
            ),
            Step::UpdateFunctionCode {
                function_name,
                code,
                ..
            } => write!(
                f,
                "~ update the code of function {function_name} ({})",
                size(code.size)
            ),
            Step::UpdateFunctionConfiguration(function) => write!(
                f,
                "~ update the configuration of function {}",
                function.function_name
            ),
            Step::CreateRestApi(api) => {
                write!(f, "+ create REST API {} ({})", api.name, api.endpoint_type)
            }
            Step::UpdateRestApi(api) => write!(f, "~ update REST API {}", api.name),
            Step::CreateHttpApi(api) => write!(
                f,
                "+ create HTTP API {} ({} route{}, stage {})",
                api.name,
                api.routes.len(),
                if api.routes.len() == 1 { "" } else { "s" },
                api.stage
            ),
            Step::UpdateHttpApi(api) => write!(f, "~ update HTTP API {}", api.name),
            Step::DeleteHttpApi { api_id, .. } => write!(f, "- delete HTTP API {api_id}"),
            Step::CreateWebsocketApi(api) => write!(f, "+ create WebSocket API {}", api.name),
            Step::UpdateWebsocketApi(api) => write!(f, "~ update WebSocket API {}", api.name),
            Step::SyncWebsocketRoutes(routes) => write!(
                f,
                "~ bring the WebSocket API's routes to {} (stage {})",
                routes.routes.keys().cloned().collect::<Vec<_>>().join(", "),
                routes.stage
            ),
            Step::DeleteWebsocketApi { api_id, .. } => {
                write!(f, "- delete WebSocket API {api_id}")
            }
            Step::AddInvokePermission { function, .. } => {
                write!(f, "+ allow API Gateway to invoke function {function}")
            }
            Step::DeployRestApi { stage, .. } => write!(f, "+ deploy the API to stage {stage}"),
            Step::DeleteRestApi { rest_api_id, .. } => {
                write!(f, "- delete REST API {rest_api_id}")
            }
            Step::DeleteFunction { function_name, .. } => {
                write!(f, "- delete function {function_name}")
            }
            Step::DeleteRole { role_name, .. } => write!(f, "- delete IAM role {role_name}"),
            Step::CreateEventSource(source) => write!(f, "+ create {}", Describe(source)),
            Step::UpdateEventSource(source) => write!(f, "~ update {}", Describe(source)),
            Step::DeleteEventSource(record) => {
                write!(f, "- delete {}", describe_record(record))
            }
        }
    }
}

/// The step that removes what `record` describes.
pub(crate) fn delete_step(record: &Record) -> Step {
    match record {
        Record::IamRole(role) => Step::DeleteRole {
            key: role.name.clone(),
            role_name: role.role_name.clone(),
        },
        Record::LambdaFunction(function) => Step::DeleteFunction {
            key: function.name.clone(),
            function_name: function_name(function),
        },
        Record::RestApi(api) => Step::DeleteRestApi {
            key: api.name.clone(),
            rest_api_id: api.rest_api_id.clone(),
        },
        Record::HttpApi(api) => Step::DeleteHttpApi {
            key: api.name.clone(),
            api_id: api.api_id.clone(),
        },
        Record::WebsocketApi(api) => Step::DeleteWebsocketApi {
            key: api.name.clone(),
            api_id: api.websocket_api_id.clone(),
        },
        Record::CloudwatchEvent(_)
        | Record::S3Event(_)
        | Record::SnsEvent(_)
        | Record::SqsEvent(_)
        | Record::KinesisEvent(_)
        | Record::DynamodbEvent(_) => Step::DeleteEventSource(record.clone()),
    }
}

/// A function record's name on Lambda (Chalice's records only have the ARN).
pub(crate) fn function_name(record: &super::state::FunctionRecord) -> String {
    if record.function_name.is_empty() {
        record
            .lambda_arn
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .to_owned()
    } else {
        record.function_name.clone()
    }
}
