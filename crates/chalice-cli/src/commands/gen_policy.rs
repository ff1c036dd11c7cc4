//! `chalice gen-policy [--stage S]`: the inline policy a deploy puts on the functions' role:
//! the API handler's `iam_policy_file`, else the default one for its settings (logs, plus
//! X-Ray and VPC network interfaces when it uses them).
//!
//! It does not build the app, so it knows the API handler only: a built-in authorizer
//! configured under `lambda_functions` with `xray` or `subnet_ids` of its own adds those
//! statements at deploy time.

use serde_json::Value;

use crate::project::Project;
use crate::templates::policy::{default_policy, policy_file};

/// The role policy of `stage`.
pub fn gen_policy(project: &Project, stage: &str) -> anyhow::Result<Value> {
    let stage = project.config.stage(stage)?;
    let handler = stage.api_handler();
    match &handler.iam_policy_file {
        Some(file) => Ok(policy_file(&project.dir, "iam_policy_file", file)?),
        None => Ok(default_policy(&[handler])),
    }
}
