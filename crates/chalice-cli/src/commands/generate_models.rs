//! `chalice generate-models` (also `chalice openapi`): the API's document, as Chalice prints
//! it: the Lambda ARNs it can't know before a deploy are placeholders
//! (`{api_handler_lambda_arn}`, `{region_name}`, `{partition}`, ...).

use serde_json::Value;

use crate::cargo::Profile;
use crate::output::Output;
use crate::project::Project;
use crate::templates::openapi::{Target, swagger};
use crate::templates::policy::private_api_policy;
use crate::validate::validate;

/// The API document of the app under `stage`'s configuration, for the binary to print.
pub fn generate_models(project: &Project, stage: &str, output: Output) -> anyhow::Result<Value> {
    let stage = project.config.stage(stage)?;
    let binary = project.build(Profile::Debug, None, output)?;
    let manifest = project.manifest(&binary, output)?;
    validate(&manifest, &stage)?;
    Ok(swagger(
        &manifest,
        private_api_policy(&stage).as_ref(),
        Target::Templated,
    )?)
}
