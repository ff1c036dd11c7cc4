//! What API Gateway does with a route's authorizer, for the local server and the test client.
//!
//! The answers are API Gateway's (and Chalice's local server's), byte for byte: 401
//! `{"message":"Unauthorized"}` without a token, 403 `{"Message": "User is not authorized to
//! access this resource"}` when a built-in authorizer's policy does not cover the request,
//! 500 `{"message":null}` when the authorizer itself fails.

use chalice_manifest::AuthorizerKind;
use http::HeaderMap;
use serde_json::{Map, Value};

use crate::app::Chalice;
use crate::auth::{AuthRequest, call};
use crate::error::ErrorKind;
use crate::gateway::answers::{gateway_error, unauthorized};
use crate::gateway::{arn, jwt};
use crate::response::Response;

/// What the gateway knows about the request when it authorizes it.
pub(crate) struct AuthInput<'a> {
    pub(crate) method: &'a str,
    /// The concrete path, percent-encoded as sent.
    pub(crate) path: &'a str,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) stage: &'a str,
    pub(crate) time_epoch_ms: u64,
}

/// A request the authorizer let through, with what the view sees as
/// `context()["authorizer"]`.
#[derive(Debug, Default)]
pub(crate) struct Granted {
    pub(crate) context: Option<Value>,
    /// Something a developer should know, logged once per gateway.
    pub(crate) warning: Option<String>,
}

/// Runs the route's authorizer as API Gateway would: `Ok` lets the request through, `Err` is
/// the gateway's own answer (the caller adds the request id).
pub(crate) async fn authorize(
    app: &Chalice,
    name: &str,
    scopes: &[String],
    input: &AuthInput<'_>,
) -> Result<Granted, Response> {
    let Some(decl) = app.authorizers.get(name) else {
        // An authorizer defined outside the app (`authorizer_id`): nothing to run here.
        return Ok(Granted {
            warning: Some(format!(
                "Routes using authorizer \"{name}\" are not authorized locally: it is defined outside the app"
            )),
            ..Granted::default()
        });
    };
    match &decl.kind {
        AuthorizerKind::Builtin { header, .. } => {
            let function = decl
                .function()
                .expect("a built-in authorizer's declaration carries its function");
            let token = token(input.headers, header).ok_or_else(unauthorized)?;
            let method_arn = arn::local_method_arn(input.stage, input.method, input.path);
            let request = AuthRequest::new("TOKEN", token, method_arn.clone());
            match call(function, name, request, app.log(), app.debug()).await {
                Ok(answer) => {
                    let allowed = answer
                        .allowed_resources(&method_arn)
                        .iter()
                        .any(|resource| arn::matches(resource, &method_arn));
                    if !allowed {
                        return Err(gateway_error(
                            403,
                            "AccessDeniedException",
                            r#"{"Message": "User is not authorized to access this resource"}"#,
                        ));
                    }
                    let mut context = answer.context;
                    context.insert("principalId".to_owned(), answer.principal_id.into());
                    Ok(Granted {
                        context: Some(Value::Object(context)),
                        warning: None,
                    })
                }
                Err(error) if error.kind() == Some(ErrorKind::UnauthorizedError) => {
                    Err(unauthorized())
                }
                Err(_) => Err(gateway_error(
                    500,
                    "AuthorizerConfigurationException",
                    r#"{"message":null}"#,
                )),
            }
        }
        AuthorizerKind::CognitoUserPools { header, .. } => {
            let token = token(input.headers, header).ok_or_else(unauthorized)?;
            let claims = jwt::claims(token).map_err(|why| {
                app.log()
                    .debug(format!("Authorizer {name} refused the token: {why}"));
                unauthorized()
            })?;
            let expired = claims
                .get("exp")
                .and_then(Value::as_f64)
                .is_some_and(|exp| exp * 1000.0 <= input.time_epoch_ms as f64);
            if expired {
                app.log().debug(format!(
                    "Authorizer {name} refused the token: it has expired"
                ));
                return Err(unauthorized());
            }
            if !scopes.is_empty() {
                let granted = claims.get("scope").and_then(Value::as_str).unwrap_or("");
                if !granted.split(' ').any(|s| scopes.iter().any(|w| w == s)) {
                    app.log().debug(format!(
                        "Authorizer {name} refused the token: its scopes ({granted:?}) include none of {scopes:?}"
                    ));
                    return Err(unauthorized());
                }
            }
            // API Gateway passes claims on as strings.
            let claims: Map<String, Value> = claims
                .into_iter()
                .map(|(key, value)| {
                    let text = match value {
                        Value::String(text) => text,
                        other => other.to_string(),
                    };
                    (key, Value::String(text))
                })
                .collect();
            let mut context = Map::new();
            context.insert("claims".to_owned(), Value::Object(claims));
            Ok(Granted {
                context: Some(Value::Object(context)),
                warning: Some(format!(
                    "Authorizer {name} (Cognito user pool) checks tokens' shape, expiry and scopes locally, \
                     not their signatures: API Gateway does that when deployed"
                )),
            })
        }
        AuthorizerKind::Iam => {
            let Some(authorization) = token(input.headers, "authorization") else {
                return Err(gateway_error(
                    403,
                    "MissingAuthenticationTokenException",
                    r#"{"message":"Missing Authentication Token"}"#,
                ));
            };
            if let Some(missing) = sigv4_gaps(authorization, input.headers) {
                let body = serde_json::json!({
                    "message": format!("{missing} Authorization={authorization}")
                });
                return Err(gateway_error(
                    403,
                    "IncompleteSignatureException",
                    &body.to_string(),
                ));
            }
            Ok(Granted {
                context: None,
                warning: Some(format!(
                    "Authorizer {name} (IAM) checks that requests are SigV4-signed locally, not that the \
                     signatures are valid: API Gateway does that when deployed"
                )),
            })
        }
        AuthorizerKind::Custom { header, .. } => {
            token(input.headers, header).ok_or_else(unauthorized)?;
            Ok(Granted {
                context: None,
                warning: Some(format!(
                    "Authorizer {name} is a Lambda function outside the app, which cannot run locally: \
                     requests carrying its token header are let through"
                )),
            })
        }
    }
}

/// The token in `header`, if the request has a non-empty one.
fn token<'h>(headers: &'h HeaderMap, header: &str) -> Option<&'h str> {
    headers
        .get(header)
        .and_then(|value| value.to_str().ok())
        .filter(|value| !value.trim().is_empty())
}

/// What a SigV4 `Authorization` header lacks, in API Gateway's words; `None` if nothing.
fn sigv4_gaps(authorization: &str, headers: &HeaderMap) -> Option<String> {
    let mut missing = Vec::new();
    for part in ["Credential", "Signature", "SignedHeaders"] {
        let present = authorization
            .split([' ', ','])
            .any(|piece| piece.trim().starts_with(&format!("{part}=")));
        if !present {
            missing.push(format!("Authorization header requires '{part}' parameter."));
        }
    }
    if !headers.contains_key("x-amz-date") && !headers.contains_key("date") {
        missing.push(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
                .to_owned(),
        );
    }
    if !authorization.starts_with("AWS4-HMAC-SHA256 ") && missing.is_empty() {
        missing.push("Authorization header requires the 'AWS4-HMAC-SHA256' algorithm.".to_owned());
    }
    (!missing.is_empty()).then(|| missing.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigv4_shapes() {
        let mut dated = HeaderMap::new();
        dated.insert("x-amz-date", "20261124T000000Z".parse().expect("value"));
        let good = "AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/execute-api/aws4_request, \
                    SignedHeaders=host;x-amz-date, Signature=abc";
        assert_eq!(sigv4_gaps(good, &dated), None);
        let gaps = sigv4_gaps(good, &HeaderMap::new()).expect("no date");
        assert!(gaps.contains("'X-Amz-Date' or a 'Date'"), "{gaps}");
        let gaps = sigv4_gaps("Bearer abc", &dated).expect("not sigv4");
        assert!(
            gaps.starts_with("Authorization header requires 'Credential' parameter."),
            "{gaps}"
        );
        let gaps = sigv4_gaps("Basic Credential=a, SignedHeaders=b, Signature=c", &dated)
            .expect("wrong algorithm");
        assert!(gaps.contains("AWS4-HMAC-SHA256"), "{gaps}");
    }
}
