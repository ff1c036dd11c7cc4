//! `chalice generate-models` (also `chalice openapi`): the API's document, as Chalice prints
//! it: the Lambda ARNs it can't know before a deploy are placeholders
//! (`{api_handler_lambda_arn}`, `{region_name}`, `{partition}`, ...).

use serde_json::Value;

use crate::cargo::Profile;
use crate::output::Output;
use crate::project::Project;
use crate::templates::openapi::{Target, openapi};
use crate::templates::policy::api_policy;
use crate::validate::validate;

/// The API document of the app under `stage`'s configuration, for the binary to print.
pub fn generate_models(project: &Project, stage: &str, output: Output) -> anyhow::Result<Value> {
    let stage = project.config.stage(stage)?;
    let api_policy = api_policy(&project.dir, &stage)?;
    let binary = project.build(Profile::Debug, None, output)?;
    let manifest = project.manifest(&binary, output)?;
    validate(&manifest, &stage)?;
    crate::validate::api_required(&manifest, "chalice generate-models")?;
    Ok(openapi(&manifest, api_policy.as_ref(), Target::Templated)?)
}
