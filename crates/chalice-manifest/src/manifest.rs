//! The manifest: what an app binary tells the `chalice` CLI about itself.

use serde::{Deserialize, Serialize};

use crate::authorizer::AuthorizerManifest;
use crate::cors::CorsManifest;
use crate::function::FunctionManifest;
use crate::websocket::WebsocketManifest;
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
    /// The app's other functions: event handlers (schedules, queues, ...) and pure
    /// functions, in declaration order.
    #[serde(default)]
    pub functions: Vec<FunctionManifest>,
    /// The app's WebSocket API, when it declares WebSocket handlers.
    #[serde(default)]
    pub websocket: Option<WebsocketManifest>,
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
            functions: Vec::new(),
            websocket: None,
        }
    }

    /// The authorizer named `name`.
    pub fn authorizer(&self, name: &str) -> Option<&AuthorizerManifest> {
        self.authorizers
            .iter()
            .find(|authorizer| authorizer.name == name)
    }

    /// The function (event handler or pure function) named `name`.
    pub fn function(&self, name: &str) -> Option<&FunctionManifest> {
        self.functions.iter().find(|function| function.name == name)
    }

    /// Every value [`HANDLER_ENV`](crate::HANDLER_ENV) may take for this app: the built-in
    /// authorizers' names, then the functions', then the WebSocket handlers', each the name
    /// of one Lambda function besides the API handler's.
    ///
    /// ```
    /// use chalice_manifest::{AuthorizerKind, AuthorizerManifest, EventSource, FunctionManifest, Manifest};
    ///
    /// let mut manifest = Manifest::new("app");
    /// manifest.authorizers.push(AuthorizerManifest::new("auth", AuthorizerKind::builtin()));
    /// manifest.authorizers.push(AuthorizerManifest::new("iam", AuthorizerKind::Iam));
    /// manifest.functions.push(FunctionManifest::new("nightly", EventSource::schedule("rate(1 day)")));
    /// assert_eq!(manifest.handler_names().collect::<Vec<_>>(), ["auth", "nightly"]);
    /// ```
    pub fn handler_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.authorizers
            .iter()
            .filter(|authorizer| matches!(authorizer.kind, crate::AuthorizerKind::Builtin { .. }))
            .map(|authorizer| authorizer.name.as_str())
            .chain(self.functions.iter().map(|function| function.name.as_str()))
            .chain(
                self.websocket
                    .iter()
                    .flat_map(|api| api.routes.iter().map(|route| route.handler.as_str())),
            )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_manifests_without_later_fields_still_read() {
        let minimal = r#"{"manifest_version":1,"app_name":"x","binary_types":[],"routes":[
            {"path":"/","method":"GET","view_name":"index","content_types":["application/json"]}]}"#;
        let manifest: Manifest = serde_json::from_str(minimal).expect("readable");
        assert!(manifest.authorizers.is_empty() && manifest.functions.is_empty());
        assert_eq!(manifest.websocket, None);
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
                r#"{"manifest_version":3,"app_name":"a","binary_types":["image/png"],"cors":null,"#,
                r#""routes":[{"path":"/","method":"GET","view_name":"index","#,
                r#""content_types":["application/json"],"cors":null,"api_key_required":false,"#,
                r#""authorizer":null,"authorization_scopes":[],"authorization_type":null,"#,
                r#""authorizer_id":null}],"authorizers":[],"functions":[],"websocket":null}"#
            ))
        );
    }
}
