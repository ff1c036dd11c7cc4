//! The manifest: what an app binary tells the `chalice` CLI about itself.
//!
//! The CLI learns an app by running it (`app --manifest`) rather than by parsing its source:
//! the binary prints this as JSON, and the CLI turns it into OpenAPI, SAM / CloudFormation,
//! Terraform and AWS calls. One schema, serialized by the app and read by the CLI, both
//! with these types. Fields added later carry `#[serde(default)]`, so a CLI reads manifests
//! of older apps; [`MANIFEST_VERSION`] changes only when a change would mislead an older CLI.

use serde::{Deserialize, Serialize};

use crate::app::Chalice;
use crate::cors::CorsConfig;

/// The manifest format this crate writes.
pub const MANIFEST_VERSION: u32 = 1;

/// Everything the CLI needs to know about an app to package and deploy it.
///
/// ```
/// use chalice_core::{Chalice, Route};
///
/// let mut app = Chalice::new("todo");
/// app.register(Route::new("/todos/{id}", || "x").methods(["GET", "DELETE"]).cors(true));
/// let manifest = app.manifest();
/// assert_eq!(manifest.app_name, "todo");
/// assert_eq!(manifest.routes.len(), 2);
/// assert_eq!(manifest.routes[1].method, "DELETE");
/// assert_eq!(manifest.routes[1].cors.as_ref().map(|c| c.allow_origin.as_str()), Some("*"));
///
/// let json = serde_json::to_string(&manifest).unwrap();
/// let read: chalice_core::Manifest = serde_json::from_str(&json).unwrap();
/// assert_eq!(read, manifest);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Manifest {
    /// The format version ([`MANIFEST_VERSION`]).
    pub manifest_version: u32,
    /// The app's name.
    pub app_name: String,
    /// Media types API Gateway treats as binary.
    pub binary_types: Vec<String>,
    /// The app's default CORS configuration (each route says what it uses).
    #[serde(default)]
    pub cors: Option<CorsManifest>,
    /// Every (path, method) pair, paths in registration order.
    pub routes: Vec<RouteManifest>,
    /// Authorizers the routes refer to.
    #[serde(default)]
    pub authorizers: Vec<AuthorizerManifest>,
    /// Event sources (schedules, queues, ...) of the app's other functions.
    #[serde(default)]
    pub event_sources: Vec<EventSourceManifest>,
}

/// One (path, method) of the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RouteManifest {
    /// The path template, such as `/users/{name}`.
    pub path: String,
    /// The HTTP method.
    pub method: String,
    /// The view's name.
    pub view_name: String,
    /// The request content types accepted (empty: any).
    pub content_types: Vec<String>,
    /// The CORS configuration in effect for the route.
    #[serde(default)]
    pub cors: Option<CorsManifest>,
    /// Whether API Gateway requires an API key.
    #[serde(default)]
    pub api_key_required: bool,
    /// The name of the route's authorizer (one of [`Manifest::authorizers`]).
    #[serde(default)]
    pub authorizer: Option<String>,
    /// The OAuth scopes the route's authorizer requires (Cognito, custom).
    #[serde(default)]
    pub authorization_scopes: Vec<String>,
    /// API Gateway's `authorizationType`, when set directly.
    #[serde(default)]
    pub authorization_type: Option<String>,
    /// The id of an authorizer defined outside the app.
    #[serde(default)]
    pub authorizer_id: Option<String>,
}

/// A CORS configuration, as the API Gateway definition needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CorsManifest {
    /// `Access-Control-Allow-Origin`.
    pub allow_origin: String,
    /// `Access-Control-Allow-Headers`, sorted, the required ones included.
    pub allow_headers: Vec<String>,
    /// `Access-Control-Expose-Headers`.
    #[serde(default)]
    pub expose_headers: Vec<String>,
    /// `Access-Control-Max-Age`.
    #[serde(default)]
    pub max_age: Option<u32>,
    /// `Access-Control-Allow-Credentials: true`.
    #[serde(default)]
    pub allow_credentials: bool,
}

impl CorsManifest {
    /// The headers the route's responses carry, in Chalice's order (the preflight adds
    /// `Access-Control-Allow-Methods`).
    pub fn access_control_headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            ("Access-Control-Allow-Origin", self.allow_origin.clone()),
            ("Access-Control-Allow-Headers", self.allow_headers.join(",")),
        ];
        if !self.expose_headers.is_empty() {
            headers.push((
                "Access-Control-Expose-Headers",
                self.expose_headers.join(","),
            ));
        }
        if let Some(max_age) = self.max_age {
            headers.push(("Access-Control-Max-Age", max_age.to_string()));
        }
        if self.allow_credentials {
            headers.push(("Access-Control-Allow-Credentials", "true".to_owned()));
        }
        headers
    }
}

impl From<&CorsConfig> for CorsManifest {
    fn from(config: &CorsConfig) -> Self {
        let (allow_origin, allow_headers, expose_headers, max_age, allow_credentials) =
            config.parts();
        CorsManifest {
            allow_origin,
            allow_headers,
            expose_headers,
            max_age,
            allow_credentials,
        }
    }
}

/// An authorizer, as the API Gateway definition needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AuthorizerManifest {
    /// The name routes use to refer to it.
    pub name: String,
    /// What kind of authorizer it is, and its settings.
    #[serde(flatten)]
    pub kind: AuthorizerKind,
}

/// The kinds of authorizer, with the settings API Gateway needs for each (Chalice's
/// `ChaliceAuthorizer`, `CognitoUserPoolAuthorizer`, `IAMAuthorizer`, `CustomAuthorizer`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuthorizerKind {
    /// A function of the app (the same binary, deployed as its own Lambda function with
    /// `CHALICE_AUTHORIZER` naming it), API Gateway `TOKEN` authorizer.
    Builtin {
        /// The request header holding the token.
        header: String,
        /// How long API Gateway caches a decision.
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
        /// How long API Gateway caches a decision.
        ttl_seconds: u32,
        /// The role API Gateway assumes to invoke it.
        #[serde(default)]
        invoke_role_arn: Option<String>,
    },
}

/// An event source of one of the app's functions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventSourceManifest {
    /// The handler's name.
    pub name: String,
    /// The source type (`schedule`, `sqs`, ...).
    pub source: String,
    /// The source's settings.
    #[serde(default)]
    pub options: serde_json::Map<String, serde_json::Value>,
}

impl Chalice {
    /// The app's manifest: what `app --manifest` prints for the CLI.
    pub fn manifest(&self) -> Manifest {
        Manifest {
            manifest_version: MANIFEST_VERSION,
            app_name: self.app_name().to_owned(),
            binary_types: self.api.binary_types.clone(),
            cors: self.api.cors.as_ref().map(CorsManifest::from),
            routes: self
                .routes()
                .map(|route| RouteManifest {
                    path: route.path().to_owned(),
                    method: route.method().as_str().to_owned(),
                    view_name: route.view_name().to_owned(),
                    content_types: route.content_types().to_vec(),
                    cors: route.cors().map(CorsManifest::from),
                    api_key_required: route.api_key_required(),
                    authorizer: route.authorizer().map(str::to_owned),
                    authorization_scopes: route.authorization_scopes().to_vec(),
                    authorization_type: route.authorization_type().map(str::to_owned),
                    authorizer_id: route.authorizer_id().map(str::to_owned),
                })
                .collect(),
            authorizers: self
                .authorizers
                .iter()
                .map(|decl| decl.manifest())
                .collect(),
            event_sources: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Route;

    #[test]
    fn cors_headers_match_the_config() {
        let config = CorsConfig::new()
            .allow_origin("https://a")
            .allow_headers(["X-B"])
            .max_age(5)
            .allow_credentials(true);
        assert_eq!(
            CorsManifest::from(&config).access_control_headers(),
            config.access_control_headers()
        );
        let config = CorsConfig::new();
        assert_eq!(
            CorsManifest::from(&config).access_control_headers(),
            config.access_control_headers()
        );
    }

    #[test]
    fn routes_carry_their_options() {
        let mut app = Chalice::new("m");
        app.api.binary_types = vec!["image/png".to_owned()];
        app.register(
            Route::new("/a/{id}", || "a")
                .name("a_view")
                .methods(["POST"])
                .content_types(["text/plain"])
                .api_key_required(true)
                .authorizer("auth"),
        );
        let manifest = app.manifest();
        assert_eq!(manifest.binary_types, ["image/png"]);
        let route = &manifest.routes[0];
        assert_eq!(
            (
                route.path.as_str(),
                route.method.as_str(),
                route.view_name.as_str()
            ),
            ("/a/{id}", "POST", "a_view")
        );
        assert_eq!(route.content_types, ["text/plain"]);
        assert!(route.api_key_required);
        assert_eq!(route.authorizer.as_deref(), Some("auth"));
        assert_eq!(route.cors, None);
    }

    #[test]
    fn older_manifests_without_later_fields_still_read() {
        let minimal = r#"{"manifest_version":1,"app_name":"x","binary_types":[],"routes":[
            {"path":"/","method":"GET","view_name":"index","content_types":["application/json"]}]}"#;
        let manifest: Manifest = serde_json::from_str(minimal).expect("readable");
        assert!(manifest.authorizers.is_empty() && manifest.event_sources.is_empty());
        assert!(!manifest.routes[0].api_key_required);
    }
}
