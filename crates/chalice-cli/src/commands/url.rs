//! `chalice url [--stage S] [--websocket]`: the deployed API's URL, from the state file (no
//! AWS call): the REST (or HTTP) API's, as in Chalice, or with `--websocket` the WebSocket
//! API's `wss://` URL (Chalice's `url` has no way to print it).

use crate::commands::deploy::not_deployed;
use crate::deploy::state::{DeployedState, Record};
use crate::error::UsageError;
use crate::project::Project;

/// The URL of `stage`'s deployed API (REST or HTTP; with `websocket`, the WebSocket
/// API's); a usage error when there is none.
pub fn url(project: &Project, stage: &str, websocket: bool) -> anyhow::Result<String> {
    let Some(deployed) = DeployedState::load(&project.dir, stage)? else {
        return Err(not_deployed(project, stage).into());
    };
    let path = DeployedState::path(&project.dir, stage);
    let has_api = deployed
        .resources
        .iter()
        .any(|record| matches!(record, Record::RestApi(_) | Record::HttpApi(_)));
    let found = if websocket {
        deployed.websocket_url()
    } else {
        deployed.api_url()
    };
    match (found, websocket, deployed.websocket_url()) {
        (Some(url), ..) => Ok(url.to_owned()),
        (None, false, Some(_)) => Err(UsageError(format!(
            "stage {stage} has no REST API, only a WebSocket API: `chalice url --websocket \
             --stage {stage}` prints its wss:// URL"
        ))
        .into()),
        (None, true, _) => Err(UsageError(format!(
            "stage {stage} has no deployed WebSocket API ({} records none): the app declares \
             no WebSocket handler, or its deploy did not finish; deploy it with `chalice \
             deploy --stage {stage}`",
            path.display()
        ))
        .into()),
        (None, false, None) if !has_api => Err(UsageError(format!(
            "stage {stage} has no REST API: the app has no routes, so `chalice deploy` \
             deployed its functions only ({})",
            path.display()
        ))
        .into()),
        (None, false, None) => Err(UsageError(format!(
            "stage {stage} has no deployed API ({} records none): deploy it with `chalice \
             deploy --stage {stage}`",
            path.display()
        ))
        .into()),
    }
}
