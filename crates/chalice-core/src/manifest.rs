//! The app's [`Manifest`]: its declarations converted into the wire types of
//! `chalice-manifest`, which the app prints for the CLI (`app --manifest`).

use chalice_manifest::{CorsManifest, Manifest, RouteManifest};

use crate::app::Chalice;

impl Chalice {
    /// The app's manifest: what `app --manifest` prints for the CLI.
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
    /// ```
    pub fn manifest(&self) -> Manifest {
        let mut manifest = Manifest::new(self.app_name());
        manifest.binary_types = self.api.binary_types.clone();
        manifest.cors = self.api.cors.as_ref().map(CorsManifest::from);
        manifest.routes = self
            .routes()
            .map(|route| {
                let mut entry =
                    RouteManifest::new(route.path(), route.method().as_str(), route.view_name());
                entry.content_types = route.content_types().to_vec();
                entry.cors = route.cors().map(CorsManifest::from);
                entry.api_key_required = route.api_key_required();
                entry.authorizer = route.authorizer().map(str::to_owned);
                entry.authorization_scopes = route.authorization_scopes().to_vec();
                entry.authorization_type = route.authorization_type().map(str::to_owned);
                entry.authorizer_id = route.authorizer_id().map(str::to_owned);
                entry
            })
            .collect();
        manifest.authorizers = self
            .authorizers
            .iter()
            .map(|decl| decl.manifest())
            .collect();
        manifest.functions = self
            .functions
            .decls
            .iter()
            .map(|decl| decl.manifest())
            .collect();
        manifest.websocket = self.functions.websockets.manifest();
        manifest
    }
}

#[cfg(test)]
mod tests {
    use chalice_manifest::{AuthorizerKind, AuthorizerManifest};

    use super::*;
    use crate::{CognitoUserPoolAuthorizer, CorsConfig, Route};

    #[test]
    fn routes_carry_their_options() {
        let mut app = Chalice::new("m");
        app.api.binary_types = vec!["image/png".to_owned()];
        let pool = CognitoUserPoolAuthorizer::new("pool", ["arn:pool"]).header("X-Token");
        app.register(
            Route::new("/a/{id}", || "a")
                .name("a_view")
                .methods(["POST"])
                .content_types(["text/plain"])
                .api_key_required(true)
                .cors_config(CorsConfig::new().max_age(5))
                .authorizer(pool.with_scopes(["read"])),
        );
        let manifest = app.manifest();
        assert_eq!(manifest.binary_types, ["image/png"]);
        let mut expected = RouteManifest::new("/a/{id}", "POST", "a_view");
        expected.content_types = vec!["text/plain".to_owned()];
        expected.api_key_required = true;
        expected.authorizer = Some("pool".to_owned());
        expected.authorization_scopes = vec!["read".to_owned()];
        let mut cors = CorsManifest::default();
        cors.max_age = Some(5);
        expected.cors = Some(cors);
        assert_eq!(manifest.routes, [expected]);
        assert_eq!(
            manifest.authorizers,
            [AuthorizerManifest::new(
                "pool",
                AuthorizerKind::CognitoUserPools {
                    provider_arns: vec!["arn:pool".to_owned()],
                    header: "X-Token".to_owned(),
                }
            )]
        );
    }
}
