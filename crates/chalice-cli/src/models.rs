//! `chalice generate-models` (alias `chalice openapi`): the API's Swagger 2.0 document on
//! stdout, as Chalice prints it: the Lambda ARNs it can't know before a deploy are
//! placeholders (`{api_handler_lambda_arn}`, `{region_name}`, `{partition}`, ...).

use std::io::Write;

use anyhow::Context;

use crate::cli::GenerateModels;
use crate::output::Output;
use crate::policy::private_api_policy;
use crate::project::{Profile, Project};
use crate::swagger::{Target, swagger};
use crate::validate::validate;

pub(crate) fn generate_models(
    project: &Project,
    args: &GenerateModels,
    output: Output,
) -> anyhow::Result<()> {
    let stage = project.config.stage(&args.stage)?;
    let binary = project.build(Profile::Debug, None, output)?;
    let manifest = project.manifest(&binary)?;
    validate(&manifest, &stage)?;
    let document = swagger(
        &manifest,
        private_api_policy(&stage).as_ref(),
        Target::Templated,
    )?;
    let mut text = serde_json::to_string_pretty(&document).expect("a JSON value always serializes");
    text.push('\n');
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to stdout")
}
