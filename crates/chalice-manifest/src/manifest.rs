//! The manifest: what an app binary tells the `chalice` CLI about itself.

use serde::{Deserialize, Serialize};

use crate::authorizer::AuthorizerManifest;
use crate::cors::CorsManifest;
use crate::wire::MANIFEST_VERSION;

/// Everything the CLI needs to know about an app to package and deploy it.
///
/// ```
/// use chalice_manifest::{MANIFEST_VERSION, Manifest, RouteManifest};
///
/// let mut manifest = Manifest::new("todo");
/// manifest.routes.push(RouteManifest::new("/todos/{id}", "GET", "get_todo"));
/// let json = serde_json::to_string(&manifest).unwrap();
/// let read: Manifest = serde_json::from_str(&json).unwrap();
/// assert_eq!(read, manifest);
/// assert_eq!(read.manifest_version, MANIFEST_VERSION);
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

impl Manifest {
    /// The manifest of an app named `app_name` with nothing in it yet, at this crate's
    /// [`MANIFEST_VERSION`].
    pub fn new(app_name: impl Into<String>) -> Self {
        Manifest {
            manifest_version: MANIFEST_VERSION,
            app_name: app_name.into(),
            binary_types: Vec::new(),
            cors: None,
            routes: Vec::new(),
            authorizers: Vec::new(),
            event_sources: Vec::new(),
        }
    }

    /// The authorizer named `name`.
    pub fn authorizer(&self, name: &str) -> Option<&AuthorizerManifest> {
        self.authorizers
            .iter()
            .find(|authorizer| authorizer.name == name)
    }
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

impl RouteManifest {
    /// The route `method path` answered by `view_name`, accepting any content type, with no
    /// CORS, API key or authorizer.
    pub fn new(
        path: impl Into<String>,
        method: impl Into<String>,
        view_name: impl Into<String>,
    ) -> Self {
        RouteManifest {
            path: path.into(),
            method: method.into(),
            view_name: view_name.into(),
            content_types: Vec::new(),
            cors: None,
            api_key_required: false,
            authorizer: None,
            authorization_scopes: Vec::new(),
            authorization_type: None,
            authorizer_id: None,
        }
    }
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

impl EventSourceManifest {
    /// The handler `name` of events from `source`, with no settings yet.
    pub fn new(name: impl Into<String>, source: impl Into<String>) -> Self {
        EventSourceManifest {
            name: name.into(),
            source: source.into(),
            options: serde_json::Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_manifests_without_later_fields_still_read() {
        let minimal = r#"{"manifest_version":1,"app_name":"x","binary_types":[],"routes":[
            {"path":"/","method":"GET","view_name":"index","content_types":["application/json"]}]}"#;
        let manifest: Manifest = serde_json::from_str(minimal).expect("readable");
        assert!(manifest.authorizers.is_empty() && manifest.event_sources.is_empty());
        assert_eq!(manifest.cors, None);
        let route = &manifest.routes[0];
        assert!(!route.api_key_required);
        assert_eq!(
            (
                route.authorizer.as_deref(),
                route.authorization_scopes.len()
            ),
            (None, 0)
        );
    }

    #[test]
    fn the_wire_form_is_stable() {
        let mut manifest = Manifest::new("a");
        manifest.binary_types.push("image/png".to_owned());
        let mut route = RouteManifest::new("/", "GET", "index");
        route.content_types.push("application/json".to_owned());
        manifest.routes.push(route);
        assert_eq!(
            serde_json::to_string(&manifest).ok().as_deref(),
            Some(concat!(
                r#"{"manifest_version":1,"app_name":"a","binary_types":["image/png"],"cors":null,"#,
                r#""routes":[{"path":"/","method":"GET","view_name":"index","#,
                r#""content_types":["application/json"],"cors":null,"api_key_required":false,"#,
                r#""authorizer":null,"authorization_scopes":[],"authorization_type":null,"#,
                r#""authorizer_id":null}],"authorizers":[],"event_sources":[]}"#
            ))
        );
    }
}
