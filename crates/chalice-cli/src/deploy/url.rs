//! The URLs of the APIs, as Chalice prints them.

/// The URL of a REST API's stage, as Chalice prints it.
pub(crate) fn rest_api_url(id: &str, region: &str, stage: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://{id}.execute-api.{region}.{suffix}/{stage}/")
}

/// The URL clients connect to, as Chalice prints it.
pub(crate) fn websocket_url(id: &str, region: &str, stage: &str) -> String {
    rest_api_url(id, region, stage).replacen("https://", "wss://", 1)
}
