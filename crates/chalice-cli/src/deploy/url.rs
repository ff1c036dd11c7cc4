//! `chalice url [--stage S]`: the deployed API's URL, from the state file (no AWS
//! call).

use super::command::print_line;
use super::state::DeployedState;
use crate::UsageError;
use crate::cli::Url;
use crate::project::Project;

pub(crate) fn url(project: &Project, args: &Url) -> anyhow::Result<()> {
    let deployed = DeployedState::load(&project.dir, &args.stage)?;
    let url = deployed.as_ref().and_then(DeployedState::api_url);
    match url {
        Some(url) => print_line(url),
        None => Err(UsageError(format!(
            "stage {} has no deployed API ({} {}): deploy it with `chalice deploy --stage {}`",
            args.stage,
            DeployedState::path(&project.dir, &args.stage).display(),
            if deployed.is_some() {
                "records none"
            } else {
                "does not exist"
            },
            args.stage
        ))
        .into()),
    }
}
