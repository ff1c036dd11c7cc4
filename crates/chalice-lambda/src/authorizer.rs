//! Built-in authorizers on Lambda: the same binary, deployed as the authorizer's own
//! function with `CHALICE_HANDLER` naming it, answers API Gateway's `TOKEN` and `REQUEST`
//! authorizer events with an IAM policy.

use std::collections::HashMap;

use chalice_core::{AuthRequest, Chalice, ErrorKind, Headers, MultiDict, Params};
use serde::Deserialize;

use crate::error::EventError;

/// API Gateway's authorizer event, both types in one shape: `TOKEN` carries
/// `authorizationToken`; `REQUEST` carries the request's headers and parameters.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthorizerEvent {
    #[serde(rename = "type")]
    auth_type: String,
    method_arn: String,
    #[serde(default)]
    authorization_token: Option<String>,
    #[serde(default)]
    headers: Option<HashMap<String, String>>,
    #[serde(default)]
    multi_value_query_string_parameters: Option<HashMap<String, Vec<String>>>,
    #[serde(default)]
    query_string_parameters: Option<HashMap<String, String>>,
    #[serde(default)]
    path_parameters: Option<HashMap<String, String>>,
    #[serde(default)]
    stage_variables: Option<HashMap<String, String>>,
}

/// Answers one authorizer event for the built-in authorizer `name`: the event's JSON in,
/// the policy JSON (`principalId`, `policyDocument`, `context`) out.
///
/// # Errors
///
/// The invocation fails, as API Gateway expects: with the message `Unauthorized` when the
/// authorizer returned `ChaliceError::unauthorized` (API Gateway answers the caller 401),
/// with the error's text when it failed otherwise (API Gateway answers 500), and with a
/// message naming the problem for an event that is not an authorizer event or an app
/// without that authorizer.
///
/// ```
/// # let block_on = |f| tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f);
/// use chalice_core::{AuthRequest, AuthResponse, Chalice};
/// use serde_json::Value;
///
/// let mut app = Chalice::new("app");
/// app.authorizer("auth", |r: &AuthRequest| AuthResponse::new(r.token.clone()).routes(["/private"]));
/// let event = br#"{"type": "TOKEN", "authorizationToken": "alice",
///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc123/api/GET/private"}"#;
/// let policy = block_on(chalice_lambda::handle_authorizer_event(&app, "auth", event))?;
/// let policy: Value = serde_json::from_slice(&policy)?;
/// assert_eq!(policy["principalId"], "alice");
/// assert_eq!(
///     policy["policyDocument"]["Statement"][0]["Resource"][0],
///     "arn:aws:execute-api:us-east-1:123456789012:abc123/api/*/private"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn handle_authorizer_event(
    app: &Chalice,
    name: &str,
    event: &[u8],
) -> Result<Vec<u8>, EventError> {
    let policy = policy_for(app, name, event).await?;
    serde_json::to_vec(&policy)
        .map_err(|e| EventError::new(format!("could not write the policy: {e}")))
}

/// The policy document for an authorizer event, as JSON.
pub(crate) async fn policy_for(
    app: &Chalice,
    name: &str,
    event: &[u8],
) -> Result<serde_json::Value, EventError> {
    let event: AuthorizerEvent = serde_json::from_slice(event).map_err(|error| {
        EventError::new(format!(
            "not an API Gateway authorizer event (this function serves authorizer \"{name}\"): {error}"
        ))
    })?;
    let mut request = AuthRequest::new(
        event.auth_type,
        event.authorization_token.unwrap_or_default(),
        event.method_arn,
    );
    if let Some(headers) = event.headers {
        let mut out = Headers::new();
        for (key, value) in &headers {
            out.append(key, value);
        }
        request.headers = out;
    }
    request.query_params = match (
        event.multi_value_query_string_parameters,
        event.query_string_parameters,
    ) {
        (Some(multi), _) => Some(
            multi
                .into_iter()
                .flat_map(|(key, values)| values.into_iter().map(move |v| (key.clone(), v)))
                .collect::<MultiDict>(),
        ),
        (None, Some(single)) => Some(single.into_iter().collect()),
        (None, None) => None,
    };
    request.uri_params = event
        .path_parameters
        .map(|p| p.into_iter().collect::<Params>());
    request.stage_vars = event
        .stage_variables
        .map(|p| p.into_iter().collect::<Params>());
    let answer = app
        .call_authorizer(name, request.clone())
        .await
        .ok_or_else(|| no_such_authorizer(app, name))?;
    match answer {
        Ok(response) => Ok(response.to_policy(&request)),
        Err(error) if error.kind() == Some(ErrorKind::UnauthorizedError) => Err(
            EventError::with_type("Chalice.Unauthorized", "Unauthorized"),
        ),
        Err(error) => Err(EventError::with_type(
            "Chalice.AuthorizerError",
            format!("authorizer \"{name}\" failed: {}", error.message()),
        )),
    }
}

/// Why `name` cannot be served, listing what can.
pub(crate) fn no_such_authorizer(app: &Chalice, name: &str) -> EventError {
    let known: Vec<String> = app
        .builtin_authorizers()
        .map(|n| format!("\"{n}\""))
        .collect();
    EventError::new(format!(
        "the app has no built-in authorizer \"{name}\" ({})",
        if known.is_empty() {
            "it has none".to_owned()
        } else {
            format!("it has {}", known.join(", "))
        }
    ))
}
