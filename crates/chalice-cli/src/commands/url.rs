//! `chalice url [--stage S]`: the deployed API's URL, from the state file (no AWS call).

use crate::commands::deploy::not_deployed;
use crate::deploy::state::{DeployedState, Record};
use crate::error::UsageError;
use crate::project::Project;

/// The URL of `stage`'s deployed API (REST or HTTP); a usage error when there is none.
pub fn url(project: &Project, stage: &str) -> anyhow::Result<String> {
    let Some(deployed) = DeployedState::load(&project.dir, stage)? else {
        return Err(not_deployed(project, stage).into());
    };
    let has_api = deployed
        .resources
        .iter()
        .any(|record| matches!(record, Record::RestApi(_) | Record::HttpApi(_)));
    match deployed.api_url() {
        Some(url) => Ok(url.to_owned()),
        None if !has_api => Err(UsageError(format!(
            "stage {stage} has no REST API: the app has no routes, so `chalice deploy` \
             deployed its functions only ({})",
            DeployedState::path(&project.dir, stage).display()
        ))
        .into()),
        None => Err(UsageError(format!(
            "stage {stage} has no deployed API ({} records none): deploy it with `chalice \
             deploy --stage {stage}`",
            DeployedState::path(&project.dir, stage).display()
        ))
        .into()),
    }
}
