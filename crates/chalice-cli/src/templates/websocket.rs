//! The app's WebSocket API in the templates: the API (`WEBSOCKET`, with the app's route
//! selection expression), and per handler its function, an `AWS_PROXY` integration, a
//! route, and the permission that lets API Gateway invoke it; then a deployment of those
//! routes and the stage.
//!
//! Names are Chalice's where Chalice has them, so a Chalice user finds the same logical ids
//! and outputs: `WebsocketAPI`, `WebsocketAPIStage`, and for a handler whose CloudFormation
//! id is `WebsocketConnect` (Chalice's `websocket_connect`), `WebsocketConnectAPIIntegration`,
//! `WebsocketConnectInvokePermission` and `WebsocketConnectRoute`; in Terraform
//! `websocket_api`, `websocket_api_stage`, `<handler>_api_integration`,
//! `<handler>_invoke_permission` and `<handler>_route`. Custom route keys (`join`, say)
//! follow the same pattern, named after their handler.
//!
//! Two things differ from Chalice's templates, on purpose:
//! - the deployment's id carries a hash of the routes (`WebsocketAPIDeployment1a2b3c4d5e`;
//!   in Terraform a `triggers` hash). CloudFormation only makes a new deployment when the
//!   resource is new, so with Chalice's fixed `WebsocketAPIDeployment` a stack update that
//!   adds a route never makes it live (the stage keeps serving the old deployment).
//! - every function of the app, not only the WebSocket handlers, gets
//!   [`WEBSOCKET_ENDPOINT_ENV`] (the `https://` management endpoint), and the shared role may
//!   `execute-api:ManageConnections` on this API: `websocket_api().send` works from an HTTP
//!   view or an SQS worker too (aws/chalice#1991).

use std::collections::BTreeSet;

use chalice_manifest::{Manifest, WEBSOCKET_ENDPOINT_ENV, WebsocketManifest};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::config::StageConfig;
use crate::error::UsageError;
use crate::templates::functions::{
    AuthorizerFunction, EventFunction, INVOKE_PERMISSION_SUFFIX, LOG_GROUP_SUFFIX,
    RESERVED_CFN_IDS, cfn_resource_name, tf_resource_name,
};
use crate::templates::literal;

/// The WebSocket API's CloudFormation logical id.
pub const WEBSOCKET_API_CFN: &str = "WebsocketAPI";
/// Its stage's CloudFormation logical id.
pub const WEBSOCKET_STAGE_CFN: &str = "WebsocketAPIStage";
/// The prefix of its deployment's CloudFormation logical id (a hash of the routes follows).
pub const WEBSOCKET_DEPLOYMENT_CFN: &str = "WebsocketAPIDeployment";
/// The WebSocket API's Terraform resource name.
pub const WEBSOCKET_API_TF: &str = "websocket_api";
/// Its stage's (and deployment's) Terraform resource name.
pub const WEBSOCKET_STAGE_TF: &str = "websocket_api_stage";

/// The suffix of a handler's integration's CloudFormation id (Chalice's).
const INTEGRATION_SUFFIX: &str = "APIIntegration";
/// The suffix of a handler's route's CloudFormation id (Chalice's, for the built-in routes).
const ROUTE_SUFFIX: &str = "Route";

/// A WebSocket handler, deployed as its own Lambda function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebsocketFunction<'m> {
    /// The handler's name (what `CHALICE_HANDLER` carries).
    pub name: &'m str,
    /// The route it answers (`$connect`, `$default`, `$disconnect`, or a custom key).
    pub route_key: &'m str,
    /// The CloudFormation logical id of its function.
    pub cfn_id: String,
    /// The Terraform resource name of its function.
    pub tf_name: String,
}

/// The name chalice gives the WebSocket API of a stage (Chalice's).
pub fn api_name(config: &StageConfig) -> String {
    format!("{}-{}-websocket-api", config.app_name, config.stage)
}

/// The app's WebSocket handlers, in the manifest's order, their names checked for
/// collisions with every other resource of the templates (the API's, the authorizers' and
/// the event functions'). Empty when the app has no WebSocket API.
pub fn websocket_functions<'m>(
    manifest: &'m Manifest,
    authorizers: &[AuthorizerFunction<'_>],
    events: &[EventFunction<'_>],
) -> Result<Vec<WebsocketFunction<'m>>, UsageError> {
    let Some(api) = &manifest.websocket else {
        return Ok(Vec::new());
    };
    let mut cfn_ids: BTreeSet<String> = RESERVED_CFN_IDS.iter().map(|&id| id.into()).collect();
    cfn_ids.extend([WEBSOCKET_API_CFN, WEBSOCKET_STAGE_CFN].map(str::to_owned));
    let mut tf_names: BTreeSet<String> =
        BTreeSet::from([crate::templates::functions::API_HANDLER_TF.to_owned()]);
    for authorizer in authorizers {
        let id = &authorizer.cfn_id;
        cfn_ids.extend([
            id.clone(),
            format!("{id}{INVOKE_PERMISSION_SUFFIX}"),
            format!("{id}{LOG_GROUP_SUFFIX}"),
        ]);
        tf_names.insert(authorizer.tf_name.clone());
    }
    for event in events {
        let id = &event.cfn_id;
        cfn_ids.extend([
            id.clone(),
            event.event_cfn_id(),
            format!("{id}{LOG_GROUP_SUFFIX}"),
        ]);
        tf_names.insert(event.tf_name.clone());
    }
    let mut functions = Vec::new();
    for route in &api.routes {
        let name = route.handler.as_str();
        let cfn_id = cfn_resource_name(name).ok_or_else(|| {
            UsageError(format!(
                "WebSocket handler {name:?}: its name has no ASCII letter or digit, so it \
                 can't name a CloudFormation resource; rename it"
            ))
        })?;
        for id in [
            cfn_id.clone(),
            format!("{cfn_id}{INTEGRATION_SUFFIX}"),
            format!("{cfn_id}{INVOKE_PERMISSION_SUFFIX}"),
            format!("{cfn_id}{ROUTE_SUFFIX}"),
            format!("{cfn_id}{LOG_GROUP_SUFFIX}"),
        ] {
            if !cfn_ids.insert(id.clone()) || id.starts_with(WEBSOCKET_DEPLOYMENT_CFN) {
                return Err(UsageError(format!(
                    "WebSocket handler {name:?}: its CloudFormation resource {id} would \
                     collide with another resource of the template; rename the handler"
                )));
            }
        }
        let tf_name = tf_resource_name(name);
        if !tf_names.insert(tf_name.clone()) {
            return Err(UsageError(format!(
                "WebSocket handler {name:?}: its Terraform resource name {tf_name} would \
                 collide with another function's; rename the handler"
            )));
        }
        functions.push(WebsocketFunction {
            name,
            route_key: &route.route_key,
            cfn_id,
            tf_name,
        });
    }
    Ok(functions)
}

/// A short hash of what a deployment of the API carries: its selection expression and
/// its routes (each route key and handler). A new value means a new deployment.
pub fn routes_hash(api: &WebsocketManifest) -> String {
    let text = serde_json::to_vec(api).expect("a manifest always serializes");
    Sha256::digest(&text)
        .iter()
        .take(5)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The `Resource` of the role's `execute-api:ManageConnections` statement in a SAM
/// template: this stack's WebSocket API's connections.
pub fn sam_connections_arn() -> Value {
    json!({"Fn::Sub": format!(
        "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{WEBSOCKET_API_CFN}}}/*"
    )})
}

/// The SAM resources of the WebSocket API, inserted into `resources` (which already holds
/// the handlers' functions, under their [`WebsocketFunction::cfn_id`]), and its outputs
/// into `outputs`; every function of `resources` gets [`WEBSOCKET_ENDPOINT_ENV`].
pub fn sam_resources(
    api: &WebsocketManifest,
    functions: &[WebsocketFunction<'_>],
    config: &StageConfig,
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) {
    let api_ref = json!({"Ref": WEBSOCKET_API_CFN});
    let stage = literal::fn_sub(&config.api_gateway_stage);
    let endpoint = json!({"Fn::Sub": format!(
        "https://${{{WEBSOCKET_API_CFN}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{stage}"
    )});
    for resource in resources.values_mut() {
        if resource["Type"] == "AWS::Serverless::Function" {
            let properties = &mut resource["Properties"];
            if properties.get("Environment").is_none() {
                properties["Environment"] = json!({"Variables": {}});
            }
            properties["Environment"]["Variables"][WEBSOCKET_ENDPOINT_ENV] = endpoint.clone();
        }
    }
    resources.insert(
        WEBSOCKET_API_CFN.into(),
        json!({
            "Type": "AWS::ApiGatewayV2::Api",
            "Properties": {
                "Name": api_name(config),
                "ProtocolType": "WEBSOCKET",
                "RouteSelectionExpression": api.route_selection_expression,
            },
        }),
    );
    let mut routes = Vec::new();
    for function in functions {
        let id = &function.cfn_id;
        let integration = format!("{id}{INTEGRATION_SUFFIX}");
        resources.insert(
            integration.clone(),
            json!({
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {
                    "ApiId": api_ref,
                    "ConnectionType": "INTERNET",
                    // Binary frames reach the function base64-encoded, as Chalice has them.
                    "ContentHandlingStrategy": "CONVERT_TO_TEXT",
                    "IntegrationType": "AWS_PROXY",
                    "IntegrationUri": {"Fn::Sub": [
                        "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Function}/invocations",
                        {"Function": {"Fn::GetAtt": [id, "Arn"]}},
                    ]},
                },
            }),
        );
        resources.insert(
            format!("{id}{INVOKE_PERMISSION_SUFFIX}"),
            json!({
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": {"Ref": id},
                    "Action": "lambda:InvokeFunction",
                    "Principal": "apigateway.amazonaws.com",
                    "SourceArn": {"Fn::Sub": [
                        "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebsocketAPIId}/*",
                        {"WebsocketAPIId": api_ref},
                    ]},
                },
            }),
        );
        let route = format!("{id}{ROUTE_SUFFIX}");
        resources.insert(
            route.clone(),
            json!({
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": api_ref,
                    "RouteKey": function.route_key,
                    "Target": {"Fn::Join": ["/", ["integrations", {"Ref": integration}]]},
                },
            }),
        );
        routes.push(route);
        outputs.insert(
            format!("{id}HandlerArn"),
            json!({"Value": {"Fn::GetAtt": [id, "Arn"]}}),
        );
        outputs.insert(format!("{id}HandlerName"), json!({"Value": {"Ref": id}}));
    }
    let deployment = format!("{WEBSOCKET_DEPLOYMENT_CFN}{}", routes_hash(api));
    resources.insert(
        deployment.clone(),
        json!({
            "Type": "AWS::ApiGatewayV2::Deployment",
            "DependsOn": routes,
            "Properties": {"ApiId": api_ref},
        }),
    );
    resources.insert(
        WEBSOCKET_STAGE_CFN.into(),
        json!({
            "Type": "AWS::ApiGatewayV2::Stage",
            "Properties": {
                "ApiId": api_ref,
                "DeploymentId": {"Ref": deployment},
                "StageName": config.api_gateway_stage,
            },
        }),
    );
    outputs.insert("WebsocketAPIId".into(), json!({"Value": api_ref}));
    outputs.insert(
        "WebsocketConnectEndpointURL".into(),
        json!({"Value": {"Fn::Sub": format!(
            "wss://${{{WEBSOCKET_API_CFN}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{stage}/"
        )}}),
    );
}

/// The `Resource` of the role's `execute-api:ManageConnections` statement in Terraform.
pub fn tf_connections_arn() -> String {
    format!("${{aws_apigatewayv2_api.{WEBSOCKET_API_TF}.execution_arn}}/*")
}

/// The management endpoint every function of a Terraform configuration gets as
/// [`WEBSOCKET_ENDPOINT_ENV`]. Built from the API's id rather than read from the stage:
/// the stage depends (through its deployment, routes and integrations) on the functions.
pub fn tf_endpoint(config: &StageConfig) -> String {
    format!(
        "https://${{aws_apigatewayv2_api.{WEBSOCKET_API_TF}.id}}.execute-api.\
         ${{data.aws_region.chalice.region}}.${{data.aws_partition.chalice.dns_suffix}}/{}",
        literal::terraform(&config.api_gateway_stage)
    )
}

/// The Terraform resources of the WebSocket API (its handlers' functions aside), as
/// (kind, name, resource), and its outputs.
pub fn terraform_resources(
    api: &WebsocketManifest,
    functions: &[WebsocketFunction<'_>],
    config: &StageConfig,
) -> (Vec<(&'static str, String, Value)>, Map<String, Value>) {
    let api_id = format!("${{aws_apigatewayv2_api.{WEBSOCKET_API_TF}.id}}");
    let mut resources = vec![(
        "aws_apigatewayv2_api",
        WEBSOCKET_API_TF.to_owned(),
        json!({
            "name": literal::terraform(&api_name(config)),
            "protocol_type": "WEBSOCKET",
            "route_selection_expression": literal::terraform(&api.route_selection_expression),
        }),
    )];
    let mut outputs = Map::new();
    let mut routes = Vec::new();
    for function in functions {
        let tf = &function.tf_name;
        let integration = format!("{tf}_api_integration");
        resources.push((
            "aws_apigatewayv2_integration",
            integration.clone(),
            json!({
                "api_id": api_id,
                "connection_type": "INTERNET",
                "content_handling_strategy": "CONVERT_TO_TEXT",
                "integration_type": "AWS_PROXY",
                "integration_uri": format!("${{aws_lambda_function.{tf}.invoke_arn}}"),
            }),
        ));
        resources.push((
            "aws_lambda_permission",
            format!("{tf}_invoke_permission"),
            json!({
                "function_name": format!("${{aws_lambda_function.{tf}.function_name}}"),
                "action": "lambda:InvokeFunction",
                "principal": "apigateway.amazonaws.com",
                "source_arn": tf_connections_arn(),
            }),
        ));
        let route = format!("{tf}_route");
        resources.push((
            "aws_apigatewayv2_route",
            route.clone(),
            json!({
                "api_id": api_id,
                "route_key": literal::terraform(function.route_key),
                "target": format!("integrations/${{aws_apigatewayv2_integration.{integration}.id}}"),
            }),
        ));
        routes.push(format!("aws_apigatewayv2_route.{route}"));
        let camel = cfn_resource_name(function.name).unwrap_or_else(|| tf.clone());
        outputs.insert(
            format!("{camel}HandlerArn"),
            json!({"value": format!("${{aws_lambda_function.{tf}.arn}}")}),
        );
        outputs.insert(
            format!("{camel}HandlerName"),
            json!({"value": format!("${{aws_lambda_function.{tf}.function_name}}")}),
        );
    }
    resources.push((
        "aws_apigatewayv2_deployment",
        WEBSOCKET_STAGE_TF.to_owned(),
        json!({
            "api_id": api_id,
            // A new deployment whenever the routes change.
            "triggers": {"redeployment": routes_hash(api)},
            "lifecycle": {"create_before_destroy": true},
            "depends_on": routes,
        }),
    ));
    resources.push((
        "aws_apigatewayv2_stage",
        WEBSOCKET_STAGE_TF.to_owned(),
        json!({
            "api_id": api_id,
            "deployment_id": format!("${{aws_apigatewayv2_deployment.{WEBSOCKET_STAGE_TF}.id}}"),
            "name": literal::terraform(&config.api_gateway_stage),
        }),
    ));
    outputs.insert("WebsocketAPIId".into(), json!({ "value": api_id }));
    outputs.insert(
        "WebsocketConnectEndpointURL".into(),
        json!({"value": format!("${{aws_apigatewayv2_stage.{WEBSOCKET_STAGE_TF}.invoke_url}}/")}),
    );
    (resources, outputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chalice_manifest::WebsocketRouteManifest;

    fn manifest(handlers: &[(&str, &str)]) -> Manifest {
        let mut manifest = Manifest::new("chat");
        let mut api = WebsocketManifest::default();
        for (route_key, handler) in handlers {
            api.routes
                .push(WebsocketRouteManifest::new(*route_key, *handler));
        }
        manifest.websocket = Some(api);
        manifest
    }

    #[test]
    fn handler_names_are_chalices_and_collisions_are_refused() {
        let cases: &[(&[(&str, &str)], Result<&[&str], &str>)] = &[
            (
                &[
                    ("$connect", "websocket_connect"),
                    ("$default", "websocket_message"),
                    ("join", "join_room"),
                ],
                Ok(&["WebsocketConnect", "WebsocketMessage", "JoinRoom"]),
            ),
            (
                &[("$connect", "WebsocketAPI")],
                Err("CloudFormation resource WebsocketAPI would collide"),
            ),
            (
                &[("$connect", "api_handler")],
                Err("CloudFormation resource ApiHandlerLogGroup would collide"),
            ),
            (
                &[("a", "join"), ("b", "join_route")],
                Err("CloudFormation resource JoinRoute would collide"),
            ),
            (
                &[("a", "WebsocketAPIDeploymentX")],
                Err("WebsocketAPIDeploymentX would collide"),
            ),
            (
                &[("a", "a.b"), ("b", "a_b")],
                Err("Terraform resource name a_b"),
            ),
            (&[("a", "__")], Err("no ASCII letter or digit")),
        ];
        for (handlers, expected) in cases {
            let manifest = manifest(handlers);
            let result = websocket_functions(&manifest, &[], &[]);
            match (result, expected) {
                (Ok(functions), Ok(ids)) => {
                    let found: Vec<&str> = functions.iter().map(|f| f.cfn_id.as_str()).collect();
                    assert_eq!(found, *ids, "{handlers:?}");
                }
                (Err(error), Err(message)) => {
                    assert!(error.0.contains(message), "{handlers:?}: {}", error.0);
                }
                (result, _) => panic!("{handlers:?}: {result:?}"),
            }
        }
    }

    #[test]
    fn a_change_of_routes_is_a_new_deployment() {
        let one = manifest(&[("$connect", "c")]);
        let two = manifest(&[("$connect", "c"), ("$default", "m")]);
        let hash = |m: &Manifest| routes_hash(m.websocket.as_ref().expect("an API"));
        assert_eq!(hash(&one), hash(&one.clone()));
        assert_ne!(hash(&one), hash(&two));
        assert_eq!(hash(&one).len(), 10);
    }
}
