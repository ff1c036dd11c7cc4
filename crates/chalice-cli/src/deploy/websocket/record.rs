//! The `websocket_api` record of the state file, and the keys and placeholders that name
//! the API before AWS gives it an id.

use serde::{Deserialize, Serialize};

use crate::deploy::url::rest_api_url;

/// The state-file key of the WebSocket API (Chalice's).
pub(crate) const WEBSOCKET_API_KEY: &str = "websocket_api";
/// The graph key of its routes (recorded in the API's record, not one of their own).
pub(crate) const WEBSOCKET_ROUTES_KEY: &str = "websocket_api.routes";

/// Stands for `{api-id}.execute-api.{region}.amazonaws.com` in a function's environment.
pub(crate) const HOST_PLACEHOLDER: &str = "{websocket_api_host}";
/// Stands for `arn:{partition}:execute-api:{region}:{account}:{api-id}/*` in the role's
/// policy.
pub(crate) const CONNECTIONS_PLACEHOLDER: &str = "{websocket_api_connections}";

/// The `websocket_api` record: Chalice's fields (`websocket_api_id`, `websocket_api_url`),
/// and ours that let a redeploy skip what did not change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct WebsocketApiRecord {
    pub(crate) name: String,
    pub(crate) websocket_api_id: String,
    /// `wss://{id}.execute-api.{region}.amazonaws.com/{stage}/`, as Chalice prints it; empty
    /// until the stage exists.
    #[serde(default)]
    pub(crate) websocket_api_url: String,
    /// The region it is in (the placeholders' host).
    #[serde(default)]
    pub(crate) region: String,
    /// The stage last deployed to; empty before.
    #[serde(default)]
    pub(crate) stage: String,
    #[serde(default)]
    pub(crate) api_hash: String,
    #[serde(default)]
    pub(crate) routes_hash: String,
    /// The functions (by key) that API Gateway has been allowed to invoke.
    #[serde(default)]
    pub(crate) invoke_permissions: Vec<String>,
}

impl WebsocketApiRecord {
    /// The region it is in: recorded, or (in Chalice's records) read from its URL.
    pub(super) fn region(&self) -> Option<&str> {
        if !self.region.is_empty() {
            return Some(&self.region);
        }
        self.websocket_api_url
            .split('/')
            .nth(2)
            .and_then(|host| host.split('.').nth(2))
            .filter(|region| !region.is_empty())
    }

    /// `{id}.execute-api.{region}.amazonaws.com`.
    pub(super) fn host(&self) -> Option<String> {
        let region = self.region()?;
        if self.websocket_api_id.is_empty() {
            return None;
        }
        let url = rest_api_url(&self.websocket_api_id, region, "");
        url.strip_prefix("https://")
            .and_then(|rest| rest.strip_suffix("//"))
            .map(str::to_owned)
    }
}
