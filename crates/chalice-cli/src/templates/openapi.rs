//! The API as an OpenAPI 3.0 document with API Gateway's extensions: what `RestAPI`'s
//! `DefinitionBody` (SAM), `aws_api_gateway_rest_api.body` (Terraform) and
//! `chalice generate-models` carry.
//!
//! OpenAPI 3.0 rather than Chalice's Swagger 2.0: API Gateway imports both with the same
//! `x-amazon-apigateway-*` extensions
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/import-edge-optimized-api.html>),
//! 3.0 is what current tools read, and some read nothing else (moto's API Gateway accepts
//! only 3.x). The content is Chalice's `SwaggerGenerator`'s:
//!
//! - every (path, method) is an `aws_proxy` integration with the API handler (API Gateway
//!   always calls Lambda with `POST`, whatever the client's method:
//!   <https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html>);
//!   the route's content types become its `requestBody` where HTTP gives a body a meaning
//!   (`POST`, `PUT`, `PATCH`);
//! - a path whose routes use CORS gets a `mock` `OPTIONS` operation answering the preflight
//!   with static headers, as Chalice's `_add_preflight_request` does, unless the app
//!   defines `OPTIONS` on that path itself (then its view answers, as the local server does);
//! - `api_key_required` and authorizers become `security` requirements with
//!   `components.securitySchemes` (Chalice's `to_swagger` for each authorizer kind);
//! - paths come in the manifest's (registration) order, and methods within a path too, as
//!   Chalice's `app.routes` dict keeps them.
//!
//! Routes that set API Gateway's `authorization_type` directly: `NONE` and `AWS_IAM` become
//! the operation's `x-amazon-apigateway-auth`, the only types that extension takes
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-auth.html>).
//! An `authorizer_id` (an authorizer created outside the app) can't be expressed: an
//! imported definition can only point at authorizers its own security schemes define.
//! Such routes are refused rather than deployed unprotected.

use serde_json::{Map, Value, json};

use chalice_manifest::{AuthorizerKind, AuthorizerManifest, Manifest, RouteManifest};

use crate::error::UsageError;
use crate::templates::functions::{
    API_HANDLER_CFN, API_HANDLER_TF, AuthorizerFunction, builtin_authorizers,
};
use crate::templates::literal;

/// How the document refers to the app's Lambda functions, which the document can't name
/// before they exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// SAM / CloudFormation: `Fn::Sub` of the functions' `Arn` attributes.
    CloudFormation,
    /// Terraform: `${aws_lambda_function.<name>.invoke_arn}` interpolations, and every
    /// other string escaped so Terraform takes it literally (the document is embedded in a
    /// Terraform string, where `${` and `%{` start templates).
    Terraform,
    /// `chalice generate-models`: Chalice's `TemplatedSwaggerGenerator` placeholders,
    /// `{partition}`, `{region_name}`, `{api_handler_lambda_arn}` and
    /// `{<authorizer>_lambda_arn}`, for a reader or a later step to fill in.
    Templated,
}

/// The path of Lambda's Invoke API under API Gateway's service ARN.
const INVOKE_PATH: &str = "lambda:path/2015-03-31/functions/";

impl Target {
    /// The integration URI of the function with these names.
    fn invoke_uri(self, cfn_id: &str, tf_name: &str, templated_var: &str) -> Value {
        match self {
            Target::CloudFormation => json!({
                "Fn::Sub": format!(
                    "arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:{INVOKE_PATH}${{{cfn_id}.Arn}}/invocations"
                )
            }),
            Target::Terraform => json!(format!("${{aws_lambda_function.{tf_name}.invoke_arn}}")),
            Target::Templated => json!(format!(
                "arn:{{partition}}:apigateway:{{region_name}}:{INVOKE_PATH}{{{templated_var}}}/invocations"
            )),
        }
    }

    fn api_handler_uri(self) -> Value {
        self.invoke_uri(API_HANDLER_CFN, API_HANDLER_TF, "api_handler_lambda_arn")
    }

    fn authorizer_uri(self, function: &AuthorizerFunction<'_>) -> Value {
        self.invoke_uri(
            &function.cfn_id,
            &function.tf_name,
            &format!("{}_lambda_arn", function.name),
        )
    }

    /// `text` as this target reads it literally.
    fn text(self, text: &str) -> String {
        match self {
            Target::Terraform => literal::terraform(text),
            Target::CloudFormation | Target::Templated => text.to_owned(),
        }
    }

    /// `value` with every string in it (keys too) as this target reads it literally.
    fn value(self, value: &Value) -> Value {
        match value {
            Value::String(text) => Value::String(self.text(text)),
            Value::Array(items) => items.iter().map(|item| self.value(item)).collect(),
            Value::Object(map) => map
                .iter()
                .map(|(key, item)| (self.text(key), self.value(item)))
                .collect::<Map<_, _>>()
                .into(),
            other => other.clone(),
        }
    }

    fn texts(self, texts: &[String]) -> Value {
        texts
            .iter()
            .map(|text| Value::String(self.text(text)))
            .collect()
    }
}

/// The OpenAPI version of the documents: the 3.0 release API Gateway's own exports name.
pub const OPENAPI_VERSION: &str = "3.0.1";

/// The OpenAPI 3.0 document of the app's API.
///
/// Fails, naming the route, when the manifest asks for something API Gateway's import
/// can't express or that would deploy differently from what the app says (an unknown
/// authorizer, an `authorizer_id`, differing CORS configurations on one path, ...).
///
/// `resource_policy` becomes the API's `x-amazon-apigateway-policy` (a private API's, which
/// says which VPC endpoints may call it, or the stage's `api_gateway_policy_file`).
pub fn openapi(
    manifest: &Manifest,
    resource_policy: Option<&Value>,
    target: Target,
) -> Result<Value, UsageError> {
    let functions = builtin_authorizers(manifest)?;
    let mut security_schemes = Map::new();
    let mut paths = Map::new();
    for (path, routes) in routes_by_path(manifest) {
        let mut item = Map::new();
        for route in &routes {
            let key = method_key(route)?;
            if item.contains_key(&key) {
                return Err(UsageError(format!(
                    "{}: the method is registered twice on this path",
                    describe(route)
                )));
            }
            let operation = operation(manifest, route, &functions, target, &mut security_schemes)?;
            item.insert(key, operation);
        }
        if let Some(options) = preflight(path, &routes, target)? {
            item.insert("options".to_owned(), options);
        }
        paths.insert(target.text(path), Value::Object(item));
    }
    let mut components = json!({
        "schemas": {"Empty": {"type": "object", "title": "Empty Schema"}},
    });
    if !security_schemes.is_empty() {
        components["securitySchemes"] = Value::Object(security_schemes);
    }
    let mut document = json!({
        "openapi": OPENAPI_VERSION,
        // A description is optional in OpenAPI, but becomes the REST API's on import, and
        // moto's import (5.2.5) fails without one.
        "info": {
            "version": "1.0",
            "title": target.text(&manifest.app_name),
            "description": target.text(&format!("{} (chalice for Rust)", manifest.app_name)),
        },
        "paths": paths,
        "components": components,
        "x-amazon-apigateway-binary-media-types": target.texts(&manifest.binary_types),
    });
    if let Some(policy) = resource_policy {
        document["x-amazon-apigateway-policy"] = target.value(policy);
    }
    Ok(document)
}

/// The routes grouped by path, paths in order of first registration.
pub fn routes_by_path(manifest: &Manifest) -> Vec<(&str, Vec<&RouteManifest>)> {
    let mut groups: Vec<(&str, Vec<&RouteManifest>)> = Vec::new();
    for route in &manifest.routes {
        match groups.iter_mut().find(|(path, _)| *path == route.path) {
            Some((_, routes)) => routes.push(route),
            None => groups.push((&route.path, vec![route])),
        }
    }
    groups
}

fn describe(route: &RouteManifest) -> String {
    format!(
        "route {} {} (view {})",
        route.method, route.path, route.view_name
    )
}

/// The path item key of the route's method (OpenAPI's operation names, and API Gateway's
/// extension for `ANY`).
pub fn method_key(route: &RouteManifest) -> Result<String, UsageError> {
    let method = route.method.to_ascii_uppercase();
    match method.as_str() {
        "GET" | "PUT" | "POST" | "DELETE" | "OPTIONS" | "HEAD" | "PATCH" => {
            Ok(method.to_ascii_lowercase())
        }
        "ANY" => Ok("x-amazon-apigateway-any-method".to_owned()),
        _ => Err(UsageError(format!(
            "{}: API Gateway has no {} method (GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH or ANY)",
            describe(route),
            route.method
        ))),
    }
}

/// The one schema of the document: the integrations pass bodies through unchecked.
const EMPTY: &str = "#/components/schemas/Empty";

/// Chalice's one canned response: the integration passes Lambda's response through.
fn responses() -> Value {
    json!({"200": {
        "description": "200 response",
        "content": {"application/json": {"schema": {"$ref": EMPTY}}},
    }})
}

fn operation(
    manifest: &Manifest,
    route: &RouteManifest,
    functions: &[AuthorizerFunction<'_>],
    target: Target,
    security_schemes: &mut Map<String, Value>,
) -> Result<Value, UsageError> {
    let mut operation = Map::new();
    if let Some(parameters) = path_parameters(&route.path, target) {
        operation.insert("parameters".into(), parameters);
    }
    // OpenAPI 3.0 defines a request body only where HTTP gives it a meaning.
    let has_body = matches!(
        route.method.to_ascii_uppercase().as_str(),
        "POST" | "PUT" | "PATCH"
    );
    if has_body && !route.content_types.is_empty() {
        let content: Map<String, Value> = route
            .content_types
            .iter()
            .map(|media_type| (target.text(media_type), json!({"schema": {"$ref": EMPTY}})))
            .collect();
        operation.insert("requestBody".into(), json!({ "content": content }));
    }
    operation.insert("responses".into(), responses());
    operation.insert(
        "x-amazon-apigateway-integration".into(),
        json!({
            "responses": {"default": {"statusCode": "200"}},
            "uri": target.api_handler_uri(),
            "passthroughBehavior": "when_no_match",
            "httpMethod": "POST",
            // Binary request bodies reach Lambda base64-encoded (`isBase64Encoded`).
            "contentHandling": "CONVERT_TO_TEXT",
            "type": "aws_proxy",
        }),
    );
    let mut security = Vec::new();
    if route.api_key_required {
        security.push(json!({"api_key": []}));
        security_schemes.insert(
            "api_key".into(),
            json!({"type": "apiKey", "name": "x-api-key", "in": "header"}),
        );
    }
    match route_auth(manifest, route)? {
        RouteAuth::Open => {}
        RouteAuth::Authorizer(authorizer) => {
            let name = target.text(&authorizer.name);
            security.push(json!({ name.clone(): target.texts(&route.authorization_scopes) }));
            if !security_schemes.contains_key(&name) {
                let scheme = security_scheme(authorizer, functions, target);
                security_schemes.insert(name, scheme);
            }
        }
        RouteAuth::Type(kind) => {
            operation.insert("x-amazon-apigateway-auth".into(), json!({ "type": kind }));
        }
    }
    if !security.is_empty() {
        operation.insert("security".into(), Value::Array(security));
    }
    Ok(Value::Object(operation))
}

/// How API Gateway authorizes a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteAuth<'m> {
    /// Anyone may call it.
    Open,
    /// One of the app's authorizers guards it.
    Authorizer(&'m AuthorizerManifest),
    /// `x-amazon-apigateway-auth`'s type: `NONE` or `AWS_IAM`.
    Type(&'static str),
}

/// How API Gateway authorizes `route`, or why the route's settings can't be deployed.
pub fn route_auth<'m>(
    manifest: &'m Manifest,
    route: &RouteManifest,
) -> Result<RouteAuth<'m>, UsageError> {
    let kind = route
        .authorization_type
        .as_deref()
        .map(str::to_ascii_uppercase);
    if let Some(name) = &route.authorizer {
        let authorizer = manifest.authorizer(name).ok_or_else(|| {
            UsageError(format!(
                "{}: uses authorizer {name:?}, which the app does not define",
                describe(route)
            ))
        })?;
        if route.authorizer_id.is_some() {
            return Err(UsageError(format!(
                "{}: sets both an authorizer and an authorizer_id; keep one",
                describe(route)
            )));
        }
        let expected = authorizer.kind.authorization_type();
        return match kind {
            Some(kind) if kind != expected => Err(UsageError(format!(
                "{}: authorization_type {kind} contradicts its authorizer {name:?} ({expected})",
                describe(route)
            ))),
            _ => Ok(RouteAuth::Authorizer(authorizer)),
        };
    }
    if let Some(id) = &route.authorizer_id {
        return Err(UsageError(format!(
            "{}: authorizer_id {id:?} refers to an authorizer outside the app, which an API \
             Gateway definition can't point at (it only knows the authorizers it defines); \
             declare the authorizer in the app instead (a custom authorizer takes its \
             invocation URI)",
            describe(route)
        )));
    }
    match kind.as_deref() {
        None => Ok(RouteAuth::Open),
        Some("NONE") => Ok(RouteAuth::Type("NONE")),
        Some("AWS_IAM") => Ok(RouteAuth::Type("AWS_IAM")),
        Some(other) => Err(UsageError(format!(
            "{}: authorization_type {other} needs an authorizer; declare it in the app and \
             name it with the route's authorizer (only NONE and AWS_IAM stand alone)",
            describe(route)
        ))),
    }
}

/// The security scheme of an authorizer, as Chalice's `to_swagger` writes it (the same
/// object in OpenAPI 3.0's `components.securitySchemes`).
fn security_scheme(
    authorizer: &AuthorizerManifest,
    functions: &[AuthorizerFunction<'_>],
    target: Target,
) -> Value {
    match &authorizer.kind {
        AuthorizerKind::Builtin {
            header,
            ttl_seconds,
        } => {
            let uri = functions
                .iter()
                .find(|f| f.name == authorizer.name)
                .map(|function| target.authorizer_uri(function))
                // builtin_authorizers lists every builtin authorizer a route uses, and
                // only routes lead here.
                .expect("a used builtin authorizer has a function");
            json!({
                "in": "header",
                "type": "apiKey",
                "name": target.text(header),
                "x-amazon-apigateway-authtype": "custom",
                "x-amazon-apigateway-authorizer": {
                    "type": "token",
                    "authorizerUri": uri,
                    "authorizerResultTtlInSeconds": ttl_seconds,
                },
            })
        }
        AuthorizerKind::CognitoUserPools {
            provider_arns,
            header,
        } => json!({
            "in": "header",
            "type": "apiKey",
            "name": target.text(header),
            "x-amazon-apigateway-authtype": "cognito_user_pools",
            "x-amazon-apigateway-authorizer": {
                "type": "cognito_user_pools",
                "providerARNs": target.texts(provider_arns),
            },
        }),
        AuthorizerKind::Iam => json!({
            "in": "header",
            "type": "apiKey",
            "name": "Authorization",
            "x-amazon-apigateway-authtype": "awsSigv4",
        }),
        AuthorizerKind::Custom {
            authorizer_uri,
            header,
            ttl_seconds,
            invoke_role_arn,
        } => {
            let mut definition = json!({
                "in": "header",
                "type": "apiKey",
                "name": target.text(header),
                "x-amazon-apigateway-authtype": "custom",
                "x-amazon-apigateway-authorizer": {
                    "type": "token",
                    "authorizerUri": target.text(authorizer_uri),
                    "authorizerResultTtlInSeconds": ttl_seconds,
                },
            });
            if let Some(role) = invoke_role_arn {
                definition["x-amazon-apigateway-authorizer"]["authorizerCredentials"] =
                    json!(target.text(role));
            }
            definition
        }
    }
}

/// The `parameters` of an operation on `path`: one per capture, as OpenAPI requires of every
/// operation of a templated path (the preflight's too). `None` without captures.
fn path_parameters(path: &str, target: Target) -> Option<Value> {
    let captures = path_captures(path);
    (!captures.is_empty()).then(|| {
        captures
            .iter()
            .map(|name| {
                json!({"name": target.text(name), "in": "path", "required": true,
                       "schema": {"type": "string"}})
            })
            .collect()
    })
}

/// The capture names of a path template (`/users/{name}` → `name`). A greedy capture
/// (`{rest+}`) is named without its `+`, as API Gateway's own `{proxy+}` examples declare
/// the `proxy` parameter.
fn path_captures(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| name.strip_suffix('+').unwrap_or(name))
        .collect()
}

/// The mock `OPTIONS` operation answering CORS preflights on `path`, when a route there uses
/// CORS and the app does not answer `OPTIONS` itself.
pub fn preflight(
    path: &str,
    routes: &[&RouteManifest],
    target: Target,
) -> Result<Option<Value>, UsageError> {
    let with_cors: Vec<_> = routes.iter().filter(|r| r.cors.is_some()).collect();
    let Some(cors) = with_cors.first().and_then(|r| r.cors.as_ref()) else {
        return Ok(None);
    };
    if routes
        .iter()
        .any(|r| r.method.eq_ignore_ascii_case("OPTIONS"))
    {
        return Ok(None);
    }
    // One OPTIONS method per path can only answer with one set of headers (Chalice's
    // `_validate_cors_for_route`).
    if with_cors.iter().any(|r| r.cors.as_ref() != Some(cors)) {
        return Err(UsageError(format!(
            "route {path}: may not have multiple differing CORS configurations; make all views \
             for {path:?} that have CORS configured use the same CORS configuration"
        )));
    }
    let headers = cors.preflight_headers(with_cors.iter().map(|r| r.method.as_str()));
    let mut declared = Map::new();
    let mut parameters = Map::new();
    for (name, value) in headers {
        // API Gateway's static values are single-quoted, with no escape for a quote.
        if value.contains('\'') {
            return Err(UsageError(format!(
                "route {path}: the CORS header {name} is {value:?}; API Gateway's preflight \
                 response can't hold a value with a single quote (')"
            )));
        }
        declared.insert(target.text(name), json!({"schema": {"type": "string"}}));
        parameters.insert(
            target.text(&format!("method.response.header.{name}")),
            json!(target.text(&format!("'{value}'"))),
        );
    }
    let mut options = json!({
        "responses": {
            "200": {
                "description": "200 response",
                "headers": declared,
                "content": {"application/json": {"schema": {"$ref": EMPTY}}},
            }
        },
        "x-amazon-apigateway-integration": {
            "responses": {
                "default": {"statusCode": "200", "responseParameters": parameters}
            },
            "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
            "passthroughBehavior": "when_no_match",
            "type": "mock",
            "contentHandling": "CONVERT_TO_TEXT",
        },
    });
    if let Some(parameters) = path_parameters(path, target) {
        options["parameters"] = parameters;
    }
    Ok(Some(options))
}
