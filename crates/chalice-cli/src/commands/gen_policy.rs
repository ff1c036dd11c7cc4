//! `chalice gen-policy [--stage S]`: the inline policy a deploy puts on the functions' role,
//! computed as the deploy computes it ([`role_policy`]): the API handler's
//! `iam_policy_file`, else the default one for every function's settings (logs, plus X-Ray
//! and VPC network interfaces when one uses them) and what the event sources need to read;
//! and `execute-api:ManageConnections` when the app has WebSocket handlers.
//!
//! Like `chalice package`, it builds the app (a debug build) and reads its manifest: the
//! functions, event sources and WebSocket handlers are the app's, not the configuration's.
//! The connections are those of the WebSocket API the stage's state file records, as the
//! deploy put them; before the first deploy, when the API has no id yet, those of any
//! WebSocket API ([`ANY_WEBSOCKET_CONNECTIONS`]).

use serde_json::Value;

use crate::cargo::Profile;
use crate::deploy::graph::ROLE_KEY;
use crate::deploy::state::DeployedState;
use crate::deploy::websocket::plan::connections_arn;
use crate::output::Output;
use crate::project::Project;
use crate::templates::functions::api_functions;
use crate::templates::policy::{ANY_WEBSOCKET_CONNECTIONS, role_policy, stage_policy_file};

/// The role policy of `stage`.
pub fn gen_policy(project: &Project, stage: &str, output: Output) -> anyhow::Result<Value> {
    let stage = project.config.stage(stage)?;
    let file_policy = stage_policy_file(&project.dir, &stage)?;
    let binary = project.build(Profile::Debug, None, output)?;
    let manifest = project.manifest(&binary, output)?;
    let functions = api_functions(&stage, &manifest)?;
    let connections = DeployedState::load(&project.dir, &stage.stage)?
        .and_then(|state| connections_arn(&state, ROLE_KEY))
        .unwrap_or_else(|| ANY_WEBSOCKET_CONNECTIONS.to_owned());
    Ok(role_policy(
        file_policy,
        &stage,
        &manifest,
        &functions,
        &Value::String(connections),
    ))
}
