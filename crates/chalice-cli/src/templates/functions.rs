//! The Lambda functions an app deploys, and what each is called in every template.
//!
//! One binary serves them all: the API handler, one function per built-in authorizer the
//! routes use, and one per event handler or pure function (the binary reads `CHALICE_HANDLER`
//! to know which it is). Names
//! follow Chalice's, so a user who knows its templates finds the same logical ids:
//!
//! | function | CloudFormation id | Terraform name | Lambda function name (Terraform) |
//! |---|---|---|---|
//! | API handler | `APIHandler` | `api_handler` | `<app>-<stage>` |
//! | authorizer `my_auth` | `MyAuth` | `my_auth` | `<app>-<stage>-my_auth` |
//! | event handler `on_upload` | `OnUpload` (its trigger `OnUploadEvent`) | `on_upload` | `<app>-<stage>-on_upload` |
//!
//! The CloudFormation id of an authorizer is Chalice's `to_cfn_resource_name`: split the
//! name at `-` and `_`, upper-case the first letter of each part, join, and drop anything
//! that is not an ASCII letter or digit. Its invoke permission is `<Id>InvokePermission`
//! and its log group `<Id>LogGroup`. Names that would collide (two authorizers, or an
//! authorizer and the API handler's resources) are refused here, before any template is
//! written, because CloudFormation and Terraform would silently keep only one of them.

use std::collections::BTreeSet;

use chalice_manifest::{AuthorizerKind, AuthorizerManifest, EventSource, Manifest};

use crate::config::{FunctionConfig, StageConfig};
use crate::error::UsageError;

/// The custom runtime a Rust `bootstrap` runs on.
pub const RUNTIME: &str = "provided.al2023";
/// The executable Lambda starts in a `provided` runtime.
pub const HANDLER: &str = "bootstrap";

/// The API handler's CloudFormation logical id.
pub const API_HANDLER_CFN: &str = "APIHandler";
/// The API handler's Terraform resource name.
pub const API_HANDLER_TF: &str = "api_handler";

/// The logical ids the SAM template uses for things that are not authorizers (and the
/// resources SAM itself derives from `RestAPI`), which an authorizer's ids must not take.
pub(crate) const RESERVED_CFN_IDS: [&str; 5] = [
    "DefaultRole",
    API_HANDLER_CFN,
    "RestAPI",
    "APIHandlerInvokePermission",
    "ApiHandlerLogGroup",
];

/// The suffix of a function's invoke permission's CloudFormation id.
pub const INVOKE_PERMISSION_SUFFIX: &str = "InvokePermission";
/// The suffix of a function's log group's CloudFormation id.
pub const LOG_GROUP_SUFFIX: &str = "LogGroup";

/// A built-in authorizer deployed as its own Lambda function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizerFunction<'m> {
    /// The authorizer's name, as routes refer to it (and `CHALICE_HANDLER` carries it).
    pub name: &'m str,
    /// The CloudFormation logical id of its function.
    pub cfn_id: String,
    /// The Terraform resource name of its function.
    pub tf_name: String,
}

/// The settings of the functions of the API: the API handler's and each built-in
/// authorizer's, as `chalice deploy` builds them (event and WebSocket handlers are added by
/// [`app_policy`](crate::templates::policy::app_policy) where the policy needs them).
pub fn api_functions(
    config: &StageConfig,
    manifest: &Manifest,
) -> Result<Vec<FunctionConfig>, UsageError> {
    Ok(std::iter::once(config.api_handler())
        .chain(
            builtin_authorizers(manifest)?
                .iter()
                .map(|authorizer| config.function(authorizer.name)),
        )
        .collect())
}

/// The built-in authorizers that at least one route uses, in the manifest's order, with
/// their names checked for collisions. An authorizer no route uses is not deployed, as in
/// Chalice (which only learns of authorizers through routes).
pub fn builtin_authorizers(manifest: &Manifest) -> Result<Vec<AuthorizerFunction<'_>>, UsageError> {
    let used = |authorizer: &AuthorizerManifest| {
        manifest
            .routes
            .iter()
            .any(|route| route.authorizer.as_deref() == Some(authorizer.name.as_str()))
    };
    let mut cfn_ids: BTreeSet<String> = RESERVED_CFN_IDS.iter().map(|&id| id.into()).collect();
    let mut tf_names: BTreeSet<String> = BTreeSet::from([API_HANDLER_TF.to_owned()]);
    let mut functions = Vec::new();
    for authorizer in &manifest.authorizers {
        if !matches!(authorizer.kind, AuthorizerKind::Builtin { .. }) || !used(authorizer) {
            continue;
        }
        let name = authorizer.name.as_str();
        let cfn_id = cfn_resource_name(name).ok_or_else(|| {
            UsageError(format!(
                "authorizer {name:?}: its name has no ASCII letter or digit, so it can't name \
                 a CloudFormation resource; rename it"
            ))
        })?;
        for id in [
            cfn_id.clone(),
            format!("{cfn_id}{INVOKE_PERMISSION_SUFFIX}"),
            format!("{cfn_id}{LOG_GROUP_SUFFIX}"),
        ] {
            if !cfn_ids.insert(id.clone()) {
                return Err(UsageError(format!(
                    "authorizer {name:?}: its CloudFormation resource {id} would collide with \
                     another resource of the template; rename the authorizer"
                )));
            }
        }
        let tf_name = tf_resource_name(name);
        if !tf_names.insert(tf_name.clone()) {
            return Err(UsageError(format!(
                "authorizer {name:?}: its Terraform resource name {tf_name} would collide with \
                 another function's; rename the authorizer"
            )));
        }
        functions.push(AuthorizerFunction {
            name,
            cfn_id,
            tf_name,
        });
    }
    Ok(functions)
}

/// One of the app's event handlers or pure functions, deployed as its own Lambda function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFunction<'m> {
    /// The function's name (what `CHALICE_HANDLER` carries).
    pub name: &'m str,
    /// What invokes it.
    pub source: &'m EventSource,
    /// The CloudFormation logical id of its function.
    pub cfn_id: String,
    /// The Terraform resource name of its function.
    pub tf_name: String,
}

impl EventFunction<'_> {
    /// The CloudFormation id of its trigger (Chalice's `<Name>Event`, the resource name
    /// `<name>-event` in CamelCase).
    pub fn event_cfn_id(&self) -> String {
        format!("{}Event", self.cfn_id)
    }
}

/// The app's event handlers and pure functions, in the manifest's order, their names
/// checked for collisions with each other, with `authorizers` and with the API's resources.
pub fn event_functions<'m>(
    manifest: &'m Manifest,
    authorizers: &[AuthorizerFunction<'_>],
) -> Result<Vec<EventFunction<'m>>, UsageError> {
    let mut cfn_ids: BTreeSet<String> = RESERVED_CFN_IDS.iter().map(|&id| id.into()).collect();
    let mut tf_names: BTreeSet<String> = BTreeSet::from([API_HANDLER_TF.to_owned()]);
    for authorizer in authorizers {
        cfn_ids.insert(authorizer.cfn_id.clone());
        cfn_ids.insert(format!("{}{INVOKE_PERMISSION_SUFFIX}", authorizer.cfn_id));
        cfn_ids.insert(format!("{}{LOG_GROUP_SUFFIX}", authorizer.cfn_id));
        tf_names.insert(authorizer.tf_name.clone());
    }
    let mut functions = Vec::new();
    for function in &manifest.functions {
        let name = function.name.as_str();
        let cfn_id = cfn_resource_name(name).ok_or_else(|| {
            UsageError(format!(
                "function {name:?}: its name has no ASCII letter or digit, so it can't name a \
                 CloudFormation resource; rename it"
            ))
        })?;
        for id in [
            cfn_id.clone(),
            format!("{cfn_id}Event"),
            format!("{cfn_id}{LOG_GROUP_SUFFIX}"),
        ] {
            if !cfn_ids.insert(id.clone()) {
                return Err(UsageError(format!(
                    "function {name:?}: its CloudFormation resource {id} would collide with \
                     another resource of the template; rename the function"
                )));
            }
        }
        let tf_name = tf_resource_name(name);
        if !tf_names.insert(tf_name.clone()) {
            return Err(UsageError(format!(
                "function {name:?}: its Terraform resource name {tf_name} would collide with \
                 another function's; rename the function"
            )));
        }
        functions.push(EventFunction {
            name,
            source: &function.source,
            cfn_id,
            tf_name,
        });
    }
    Ok(functions)
}

/// Chalice's `to_cfn_resource_name`: CamelCase at `-` and `_`, ASCII alphanumerics only.
/// `None` when nothing is left.
pub fn cfn_resource_name(name: &str) -> Option<String> {
    let camel: String = name
        .split(['-', '_'])
        .filter(|part| !part.is_empty())
        .flat_map(|part| {
            let mut chars = part.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars)
        })
        .filter(char::is_ascii_alphanumeric)
        .collect();
    (!camel.is_empty()).then_some(camel)
}

/// A Terraform identifier for `name`: letters, digits, `_` and `-`, not starting with a
/// digit or `-` (Terraform's identifier rule); anything else becomes `_`.
pub fn tf_resource_name(name: &str) -> String {
    let mut ident: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !ident.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        ident.insert(0, '_');
    }
    ident
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cfn_names_are_chalices() {
        let cases = [
            ("my_auth", Some("MyAuth")),
            ("my-auth", Some("MyAuth")),
            ("auth", Some("Auth")),
            ("__double__under", Some("DoubleUnder")),
            ("jwt.v2", Some("Jwtv2")),
            ("camelCase", Some("CamelCase")),
            ("ünïcode_x", Some("ncodeX")), // Chalice strips what is not ASCII after capitalizing
            ("_-_", None),
            ("", None),
        ];
        for (name, expected) in cases {
            assert_eq!(cfn_resource_name(name).as_deref(), expected, "{name:?}");
        }
    }

    #[test]
    fn tf_names_are_identifiers() {
        let cases = [
            ("my_auth", "my_auth"),
            ("my-auth", "my-auth"),
            ("jwt.v2", "jwt_v2"),
            ("2fa", "_2fa"),
            ("-x", "_-x"),
            ("", "_"),
        ];
        for (name, expected) in cases {
            assert_eq!(tf_resource_name(name), expected, "{name:?}");
        }
    }

    fn manifest(authorizers: &[&str]) -> Manifest {
        let routes: Vec<_> = authorizers
            .iter()
            .map(|name| {
                serde_json::json!({"path": format!("/{}", tf_resource_name(name)), "method": "GET",
                    "view_name": "v", "content_types": [], "authorizer": name})
            })
            .collect();
        let authorizers: Vec<_> = authorizers
            .iter()
            .map(|name| {
                serde_json::json!({"name": name, "type": "builtin", "header": "Authorization",
                "ttl_seconds": 300})
            })
            .collect();
        serde_json::from_value(serde_json::json!({"manifest_version": 1, "app_name": "a",
            "binary_types": [], "routes": routes, "authorizers": authorizers}))
        .expect("a valid manifest")
    }

    #[test]
    fn colliding_names_are_refused() {
        let cases: &[(&[&str], Option<&str>)] = &[
            (&["a", "b"], None),
            (&["my_auth", "my-auth"], Some("MyAuth would collide")),
            (&["default_role"], Some("DefaultRole would collide")),
            (&["x", "x_log_group"], Some("XLogGroup would collide")),
            (&["api_handler"], Some("ApiHandlerLogGroup would collide")),
            (&["api-handler.x"], None),
            (
                &["api.handler"],
                Some("Terraform resource name api_handler"),
            ),
            (&["a.b", "a_b"], Some("Terraform resource name a_b")),
            (&["..."], Some("no ASCII letter or digit")),
        ];
        for (names, expected) in cases {
            let result = builtin_authorizers(&manifest(names)).map(|f| f.len());
            match expected {
                None => assert_eq!(result.ok(), Some(names.len()), "{names:?}"),
                Some(message) => {
                    let error = result.expect_err(message).0;
                    assert!(error.contains(message), "{names:?}: {error}");
                }
            }
        }
    }

    #[test]
    fn unused_and_non_builtin_authorizers_deploy_no_function() {
        let manifest: Manifest = serde_json::from_value(serde_json::json!({
            "manifest_version": 1, "app_name": "a", "binary_types": [],
            "routes": [{"path": "/", "method": "GET", "view_name": "v", "content_types": [],
                        "authorizer": "iam"}],
            "authorizers": [
                {"name": "unused", "type": "builtin", "header": "Authorization", "ttl_seconds": 1},
                {"name": "iam", "type": "iam"}
            ]
        }))
        .expect("a valid manifest");
        assert_eq!(builtin_authorizers(&manifest).expect("valid"), []);
    }
}
