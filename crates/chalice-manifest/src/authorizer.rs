//! Authorizers: the one model of their kinds and settings, for the app (which declares and,
//! locally, runs them) and for the CLI (which writes them into the API definition).

use serde::{Deserialize, Serialize};

/// An authorizer routes refer to by name.
///
/// ```
/// use chalice_manifest::{AuthorizerKind, AuthorizerManifest};
///
/// let auth = AuthorizerManifest::new("token_auth", AuthorizerKind::builtin());
/// let json = serde_json::to_value(&auth).unwrap();
/// assert_eq!(
///     json,
///     serde_json::json!({"name": "token_auth", "type": "builtin",
///                        "header": "Authorization", "ttl_seconds": 300})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AuthorizerManifest {
    /// The name routes use to refer to it.
    pub name: String,
    /// What kind of authorizer it is, and its settings.
    #[serde(flatten)]
    pub kind: AuthorizerKind,
}

impl AuthorizerManifest {
    /// The authorizer `name` of this kind.
    pub fn new(name: impl Into<String>, kind: AuthorizerKind) -> Self {
        AuthorizerManifest {
            name: name.into(),
            kind,
        }
    }
}

/// The header API Gateway reads a token from unless told otherwise.
pub const DEFAULT_TOKEN_HEADER: &str = "Authorization";
/// How long API Gateway caches a built-in or custom authorizer's decision by default, in
/// seconds.
pub const DEFAULT_TTL_SECONDS: u32 = 300;

/// The kinds of authorizer, with the settings API Gateway needs for each (Chalice's
/// `ChaliceAuthorizer`, `CognitoUserPoolAuthorizer`, `IAMAuthorizer`, `CustomAuthorizer`).
///
/// Exhaustive on purpose: a new kind changes what every reader must do with it, so it
/// should not compile until each one handles it. A manifest naming a kind this crate does
/// not know fails to deserialize.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AuthorizerKind {
    /// A function of the app (the same binary, deployed as its own Lambda function with
    /// [`HANDLER_ENV`](crate::HANDLER_ENV) naming it): an API Gateway `TOKEN`
    /// authorizer.
    Builtin {
        /// The request header holding the token.
        header: String,
        /// How long API Gateway caches a decision, in seconds.
        ttl_seconds: u32,
    },
    /// Amazon Cognito user pools.
    CognitoUserPools {
        /// The user pools' ARNs.
        provider_arns: Vec<String>,
        /// The request header holding the token.
        header: String,
    },
    /// IAM (SigV4-signed requests).
    Iam,
    /// A Lambda authorizer defined outside the app, by its invocation URI.
    Custom {
        /// The authorizer's invocation URI (`arn:aws:apigateway:...:lambda:path/...`).
        authorizer_uri: String,
        /// The request header holding the token.
        header: String,
        /// How long API Gateway caches a decision, in seconds.
        ttl_seconds: u32,
        /// The role API Gateway assumes to invoke it.
        #[serde(default)]
        invoke_role_arn: Option<String>,
    },
}

impl AuthorizerKind {
    /// A built-in authorizer with the default header and cache time.
    pub fn builtin() -> Self {
        AuthorizerKind::Builtin {
            header: DEFAULT_TOKEN_HEADER.to_owned(),
            ttl_seconds: DEFAULT_TTL_SECONDS,
        }
    }

    /// A Cognito user-pool authorizer for these pools, with the default header.
    pub fn cognito_user_pools(provider_arns: Vec<String>) -> Self {
        AuthorizerKind::CognitoUserPools {
            provider_arns,
            header: DEFAULT_TOKEN_HEADER.to_owned(),
        }
    }

    /// A custom authorizer invoking `authorizer_uri`, with the default header and cache
    /// time.
    pub fn custom(authorizer_uri: String) -> Self {
        AuthorizerKind::Custom {
            authorizer_uri,
            header: DEFAULT_TOKEN_HEADER.to_owned(),
            ttl_seconds: DEFAULT_TTL_SECONDS,
            invoke_role_arn: None,
        }
    }

    /// The request header holding the token (none for IAM, which reads the signature).
    pub fn token_header(&self) -> Option<&str> {
        match self {
            AuthorizerKind::Builtin { header, .. }
            | AuthorizerKind::CognitoUserPools { header, .. }
            | AuthorizerKind::Custom { header, .. } => Some(header),
            AuthorizerKind::Iam => None,
        }
    }

    /// API Gateway's `authorizationType` for routes guarded by this kind.
    pub fn authorization_type(&self) -> &'static str {
        match self {
            AuthorizerKind::Builtin { .. } | AuthorizerKind::Custom { .. } => "CUSTOM",
            AuthorizerKind::CognitoUserPools { .. } => "COGNITO_USER_POOLS",
            AuthorizerKind::Iam => "AWS_IAM",
        }
    }

    /// Chalice's class name for the kind, for messages users of Chalice recognize.
    pub fn chalice_name(&self) -> &'static str {
        match self {
            AuthorizerKind::Builtin { .. } => "ChaliceAuthorizer",
            AuthorizerKind::CognitoUserPools { .. } => "CognitoUserPoolAuthorizer",
            AuthorizerKind::Iam => "IamAuthorizer",
            AuthorizerKind::Custom { .. } => "CustomAuthorizer",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_kind_has_its_wire_form() {
        let uri = "arn:aws:apigateway:us-east-1:lambda:path/f/invocations".to_owned();
        let cases = [
            (
                AuthorizerKind::builtin(),
                json!({"name": "a", "type": "builtin", "header": "Authorization", "ttl_seconds": 300}),
            ),
            (
                AuthorizerKind::cognito_user_pools(vec!["arn:pool".to_owned()]),
                json!({"name": "a", "type": "cognito_user_pools", "provider_arns": ["arn:pool"],
                       "header": "Authorization"}),
            ),
            (AuthorizerKind::Iam, json!({"name": "a", "type": "iam"})),
            (
                AuthorizerKind::custom(uri.clone()),
                json!({"name": "a", "type": "custom", "authorizer_uri": uri,
                       "header": "Authorization", "ttl_seconds": 300, "invoke_role_arn": null}),
            ),
        ];
        for (kind, wire) in cases {
            let manifest = AuthorizerManifest::new("a", kind);
            assert_eq!(serde_json::to_value(&manifest).ok(), Some(wire.clone()));
            let read: AuthorizerManifest =
                serde_json::from_value(wire).expect("the wire form reads back");
            assert_eq!(read, manifest);
        }
    }

    #[test]
    fn an_unknown_kind_is_refused() {
        let error = serde_json::from_value::<AuthorizerManifest>(
            json!({"name": "a", "type": "oidc", "issuer": "x"}),
        )
        .expect_err("not a kind this crate knows");
        assert!(
            error.to_string().starts_with("unknown variant `oidc`"),
            "{error}"
        );
    }
}
