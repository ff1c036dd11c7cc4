//! The SAM template of `chalice package` (Chalice's `SAMTemplateGenerator`): the app's
//! functions, their role, the REST API with its OpenAPI definition, and the permissions
//! that let API Gateway invoke the functions.
//!
//! Logical ids are Chalice's, so templates merged with `--merge-template` and stacks
//! updated from Chalice-shaped templates keep working: `DefaultRole`, `APIHandler`,
//! `RestAPI`, `APIHandlerInvokePermission`, `ApiHandlerLogGroup`, and for each built-in
//! authorizer its CamelCase name, `<Name>InvokePermission` and `<Name>LogGroup`
//! (see [`crate::templates::functions`]). Functions carry no `FunctionName`: CloudFormation names
//! them after the stack, so two stages never collide.

use serde_json::{Map, Value, json};

use chalice_manifest::{DEFAULT_EVENT_BUS, EventSource, HANDLER_ENV, Manifest};

use crate::config::{FunctionConfig, StageConfig};
use crate::error::UsageError;
use crate::templates::domain;
use crate::templates::functions::{
    API_HANDLER_CFN, EventFunction, HANDLER, INVOKE_PERMISSION_SUFFIX, LOG_GROUP_SUFFIX, RUNTIME,
    builtin_authorizers, event_functions,
};
use crate::templates::literal;
use crate::templates::openapi::{OPENAPI_VERSION, Target, openapi};
use crate::templates::policy::{Policies, lambda_trust_policy, with_websocket_connections};
use crate::templates::websocket::{self, websocket_functions};

/// The SAM template for `manifest` under `config`, with the deployment package at
/// `code_uri` (relative to the template) and `policies` for the managed role and the API.
pub fn sam_template(
    manifest: &Manifest,
    config: &StageConfig,
    code_uri: &str,
    policies: &Policies,
) -> Result<Value, UsageError> {
    let authorizers = builtin_authorizers(manifest)?;
    // One role for every function: the API handler's settings say which.
    let handler = config.api_handler();
    let role = if handler.manage_iam_role {
        json!({"Fn::GetAtt": ["DefaultRole", "Arn"]})
    } else {
        match &handler.iam_role_arn {
            Some(arn) => json!(arn),
            None => {
                return Err(UsageError(
                    "iam_role_arn is required when manage_iam_role is false".to_owned(),
                ));
            }
        }
    };
    let mut resources = Map::new();
    if handler.manage_iam_role {
        let role_policy = with_websocket_connections(
            policies.role.clone(),
            manifest,
            &websocket::sam_connections_arn(),
        );
        resources.insert(
            "DefaultRole".into(),
            json!({
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": lambda_trust_policy(),
                    "Policies": [{"PolicyDocument": role_policy, "PolicyName": "DefaultRolePolicy"}],
                },
            }),
        );
    }
    let architecture = config.lambda_architecture.as_str();
    let function = |settings: &FunctionConfig, authorizer: Option<&str>| {
        json!({
            "Type": "AWS::Serverless::Function",
            "Properties": function_properties(settings, architecture, code_uri, &role, authorizer),
        })
    };
    // The API handler and the REST API exist only for an app with routes (an app of event
    // or WebSocket handlers alone has neither, as in Chalice).
    let rest_api = !manifest.routes.is_empty();
    if rest_api {
        resources.insert(API_HANDLER_CFN.into(), function(&handler, None));
    }
    if let Some(days) = handler.log_retention_in_days.filter(|_| rest_api) {
        resources.insert(
            format!("ApiHandler{LOG_GROUP_SUFFIX}"),
            log_group(API_HANDLER_CFN, days),
        );
    }
    let mut outputs = Map::new();
    if rest_api {
        rest_api_resources(manifest, config, policies, &mut resources, &mut outputs)?;
    }
    for authorizer in &authorizers {
        let id = &authorizer.cfn_id;
        let settings = config.function(authorizer.name);
        resources.insert(id.clone(), function(&settings, Some(authorizer.name)));
        if let Some(days) = settings.log_retention_in_days {
            resources.insert(format!("{id}{LOG_GROUP_SUFFIX}"), log_group(id, days));
        }
        resources.insert(
            format!("{id}{INVOKE_PERMISSION_SUFFIX}"),
            invoke_permission(&json!({"Fn::GetAtt": [id, "Arn"]})),
        );
    }
    let events = event_functions(manifest, &authorizers)?;
    for event_function in &events {
        let id = &event_function.cfn_id;
        let settings = config.function(event_function.name);
        let mut resource = function(&settings, Some(event_function.name));
        if let Some(event) = sam_event(event_function)? {
            resource["Properties"]["Events"] = json!({ event_function.event_cfn_id(): event });
        }
        resources.insert(id.clone(), resource);
        if let Some(days) = settings.log_retention_in_days {
            resources.insert(format!("{id}{LOG_GROUP_SUFFIX}"), log_group(id, days));
        }
    }
    if let Some(api) = &manifest.websocket {
        let handlers = websocket_functions(manifest, &authorizers, &events)?;
        for handler in &handlers {
            let id = &handler.cfn_id;
            let settings = config.function(handler.name);
            resources.insert(id.clone(), function(&settings, Some(handler.name)));
            if let Some(days) = settings.log_retention_in_days {
                resources.insert(format!("{id}{LOG_GROUP_SUFFIX}"), log_group(id, days));
            }
        }
        websocket::sam_resources(api, &handlers, config, &mut resources, &mut outputs);
        if let Some(domain) = &config.websocket_api_custom_domain {
            domain::sam_websocket_domain(
                domain,
                websocket::WEBSOCKET_API_CFN,
                websocket::WEBSOCKET_STAGE_CFN,
                &mut resources,
                &mut outputs,
            );
        }
    }
    Ok(json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": resources,
        "Outputs": outputs,
    }))
}

/// The REST API, its handler's invoke permission, and Chalice's outputs for them.
fn rest_api_resources(
    manifest: &Manifest,
    config: &StageConfig,
    policies: &Policies,
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) -> Result<(), UsageError> {
    let handler = config.api_handler();
    let mut api = json!({
        "Type": "AWS::Serverless::Api",
        "Properties": {
            "EndpointConfiguration": {"Type": config.api_gateway_endpoint_type.as_str()},
            "StageName": config.api_gateway_stage,
            // Says which OpenAPI the definition is, and stops SAM from adding a stage named
            // `Stage` beside ours (AWS::Serverless::Api's OpenApiVersion).
            "OpenApiVersion": OPENAPI_VERSION,
            "DefinitionBody": openapi(manifest, policies.api.as_ref(), Target::CloudFormation)?,
        },
    });
    if let Some(size) = config.minimum_compression_size {
        api["Properties"]["MinimumCompressionSize"] = json!(size);
    }
    if handler.xray {
        api["Properties"]["TracingEnabled"] = json!(true);
    }
    resources.insert("RestAPI".into(), api);
    resources.insert(
        format!("{API_HANDLER_CFN}{INVOKE_PERMISSION_SUFFIX}"),
        invoke_permission(&json!({"Ref": API_HANDLER_CFN})),
    );
    // Chalice's output names, which its users' scripts read.
    outputs.insert("RestAPIId".into(), json!({"Value": {"Ref": "RestAPI"}}));
    outputs.insert(
        "APIHandlerName".into(),
        json!({"Value": {"Ref": API_HANDLER_CFN}}),
    );
    outputs.insert(
        "APIHandlerArn".into(),
        json!({"Value": {"Fn::GetAtt": [API_HANDLER_CFN, "Arn"]}}),
    );
    outputs.insert(
        "EndpointURL".into(),
        json!({"Value": {"Fn::Sub": format!(
            "https://${{RestAPI}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{}/",
            literal::fn_sub(&config.api_gateway_stage)
        )}}),
    );
    if let Some(custom) = domain::rest_domain(config)? {
        domain::sam_rest_domain(custom, config, resources, outputs);
    }
    Ok(())
}

/// The ARN of an SNS topic, SQS queue or Kinesis stream given by name, in the stack's
/// account and region.
fn arn_in_stack(service: &str, resource: &str) -> Value {
    json!({"Fn::Sub": format!(
        "arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{}",
        literal::fn_sub(resource)
    )})
}

/// The SAM event source of a function's trigger (Chalice's), or `None` for a pure function.
fn sam_event(function: &EventFunction<'_>) -> Result<Option<Value>, UsageError> {
    let report = |properties: &mut Value| {
        if function.source.reports_batch_item_failures() {
            properties["FunctionResponseTypes"] = json!(["ReportBatchItemFailures"]);
        }
    };
    let window = |properties: &mut Value, seconds: u32| {
        if seconds > 0 {
            properties["MaximumBatchingWindowInSeconds"] = json!(seconds);
        }
    };
    let event = match function.source {
        EventSource::LambdaFunction => return Ok(None),
        EventSource::Schedule {
            expression,
            description,
        } => {
            let mut properties = json!({"Schedule": expression});
            if !description.is_empty() {
                properties["Description"] = json!(description);
            }
            json!({"Type": "Schedule", "Properties": properties})
        }
        EventSource::CwEvent {
            event_pattern,
            event_bus,
        } => {
            let mut properties = json!({"Pattern": event_pattern});
            if event_bus != DEFAULT_EVENT_BUS {
                properties["EventBusName"] = json!(event_bus);
            }
            json!({"Type": "CloudWatchEvent", "Properties": properties})
        }
        // Chalice's refusal (its SAM generator), for the same reason.
        EventSource::S3 { .. } => {
            return Err(UsageError(format!(
                "function {:?}: Unable to package chalice apps that use the on_s3_event \
                 decorator. CloudFormation does not support modifying the event notifications \
                 of existing buckets; package the app for Terraform instead, once it supports \
                 event handlers",
                function.name
            )));
        }
        EventSource::Sns { topic } => {
            let topic = if topic.starts_with("arn:") {
                json!(topic)
            } else {
                arn_in_stack("sns", topic)
            };
            json!({"Type": "SNS", "Properties": {"Topic": topic}})
        }
        EventSource::Sqs {
            queue,
            queue_arn,
            batch_size,
            maximum_batching_window_in_seconds,
            maximum_concurrency,
            ..
        } => {
            let queue = match (queue_arn, queue) {
                (Some(arn), _) => json!(arn),
                (None, Some(name)) => arn_in_stack("sqs", name),
                (None, None) => {
                    return Err(UsageError(format!(
                        "function {:?}: its SQS source names no queue",
                        function.name
                    )));
                }
            };
            let mut properties = json!({"Queue": queue, "BatchSize": batch_size});
            window(&mut properties, *maximum_batching_window_in_seconds);
            if let Some(limit) = maximum_concurrency {
                properties["ScalingConfig"] = json!({"MaximumConcurrency": limit});
            }
            report(&mut properties);
            json!({"Type": "SQS", "Properties": properties})
        }
        EventSource::Kinesis {
            stream,
            batch_size,
            starting_position,
            maximum_batching_window_in_seconds,
            ..
        } => {
            let mut properties = json!({
                "Stream": arn_in_stack("kinesis", &format!("stream/{stream}")),
                "BatchSize": batch_size,
                "StartingPosition": starting_position.as_str(),
            });
            window(&mut properties, *maximum_batching_window_in_seconds);
            report(&mut properties);
            json!({"Type": "Kinesis", "Properties": properties})
        }
        EventSource::Dynamodb {
            stream_arn,
            batch_size,
            starting_position,
            maximum_batching_window_in_seconds,
            ..
        } => {
            let mut properties = json!({
                "Stream": stream_arn,
                "BatchSize": batch_size,
                "StartingPosition": starting_position.as_str(),
            });
            window(&mut properties, *maximum_batching_window_in_seconds);
            report(&mut properties);
            json!({"Type": "DynamoDB", "Properties": properties})
        }
    };
    Ok(Some(event))
}

/// A function's properties: its settings (the stage's, and its own under
/// `lambda_functions.<name>`), plus `CHALICE_HANDLER` for an authorizer's.
fn function_properties(
    config: &FunctionConfig,
    architecture: &str,
    code_uri: &str,
    role: &Value,
    authorizer: Option<&str>,
) -> Value {
    let mut properties = json!({
        "Runtime": RUNTIME,
        "Handler": HANDLER,
        "CodeUri": code_uri,
        "Architectures": [architecture],
        "MemorySize": config.lambda_memory_size,
        "Timeout": config.lambda_timeout,
        "Tracing": if config.xray { "Active" } else { "PassThrough" },
        "Tags": config.tags,
    });
    let mut variables = config.environment_variables.clone();
    if let Some(name) = authorizer {
        variables.insert(HANDLER_ENV.to_owned(), name.to_owned());
    }
    if !variables.is_empty() {
        properties["Environment"] = json!({ "Variables": variables });
    }
    if !config.subnet_ids.is_empty() {
        properties["VpcConfig"] = json!({
            "SecurityGroupIds": config.security_group_ids,
            "SubnetIds": config.subnet_ids,
        });
    }
    if let Some(reserved) = config.reserved_concurrency {
        properties["ReservedConcurrentExecutions"] = json!(reserved);
    }
    if !config.layers.is_empty() {
        properties["Layers"] = json!(config.layers);
    }
    properties["Role"] = role.clone();
    properties
}

/// The function's log group, created ahead of Lambda so its retention applies (Chalice's
/// `log_retention_in_days`). Lambda writes to `/aws/lambda/<function name>`.
fn log_group(function_id: &str, days: u32) -> Value {
    json!({
        "Type": "AWS::Logs::LogGroup",
        "Properties": {
            "LogGroupName": {"Fn::Sub": format!("/aws/lambda/${{{function_id}}}")},
            "RetentionInDays": days,
        },
    })
}

/// Lets this REST API's methods and authorizers invoke the function.
fn invoke_permission(function: &Value) -> Value {
    json!({
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "FunctionName": function,
            "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": {
                "Fn::Sub": [
                    "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestAPIId}/*",
                    {"RestAPIId": {"Ref": "RestAPI"}},
                ]
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use chalice_manifest::{AuthorizerKind, AuthorizerManifest, RouteManifest};

    #[test]
    fn each_function_gets_its_own_settings() {
        let config = Config::parse(
            ".chalice/config.json".into(),
            r#"{"app_name": "a", "lambda_timeout": 10,
                "stages": {"dev": {"lambda_functions": {"jwt": {"lambda_memory_size": 256,
                    "environment_variables": {"ISSUER": "me"}}}}}}"#,
        )
        .and_then(|config| config.stage("dev"))
        .expect("a valid config");
        let mut manifest = Manifest::new("a");
        let mut route = RouteManifest::new("/", "GET", "index");
        route.authorizer = Some("jwt".to_owned());
        manifest.routes.push(route);
        manifest
            .authorizers
            .push(AuthorizerManifest::new("jwt", AuthorizerKind::builtin()));
        let policies = Policies {
            role: json!({}),
            api: None,
        };
        let template =
            sam_template(&manifest, &config, "./deployment.zip", &policies).expect("a template");
        let properties = |id: &str| template["Resources"][id]["Properties"].clone();
        let cases = [
            ("APIHandler", 128, 10, json!(null)),
            (
                "Jwt",
                256,
                10,
                json!({"Variables": {"CHALICE_HANDLER": "jwt", "ISSUER": "me"}}),
            ),
        ];
        for (id, memory, timeout, environment) in cases {
            let properties = properties(id);
            assert_eq!(properties["MemorySize"], memory, "{id}");
            assert_eq!(properties["Timeout"], timeout, "{id}");
            assert_eq!(properties["Environment"], environment, "{id}");
        }
    }

    #[test]
    fn s3_handlers_are_refused_as_chalice_refuses_them() {
        let config = Config::parse(".chalice/config.json".into(), r#"{"app_name": "a"}"#)
            .and_then(|config| config.stage("dev"))
            .expect("a valid config");
        let mut manifest = Manifest::new("a");
        manifest
            .routes
            .push(RouteManifest::new("/", "GET", "index"));
        manifest
            .functions
            .push(chalice_manifest::FunctionManifest::new(
                "on_upload",
                EventSource::s3("uploads"),
            ));
        let policies = Policies {
            role: json!({}),
            api: None,
        };
        let error = sam_template(&manifest, &config, "./deployment.zip", &policies)
            .expect_err("no S3 notifications in CloudFormation")
            .0;
        assert!(
            error.starts_with(
                "function \"on_upload\": Unable to package chalice apps that use the on_s3_event"
            ),
            "{error}"
        );
    }

    #[test]
    fn every_function_of_a_websocket_app_can_reach_its_connections() {
        let config = Config::parse(".chalice/config.json".into(), r#"{"app_name": "a"}"#)
            .and_then(|config| config.stage("dev"))
            .expect("a valid config");
        let policies = Policies {
            role: crate::templates::policy::default_policy(&[config.api_handler()]),
            api: None,
        };
        let mut api = chalice_manifest::WebsocketManifest::default();
        api.routes
            .push(chalice_manifest::WebsocketRouteManifest::new(
                "$default",
                "on_message",
            ));
        // (with routes, the functions' ids; without, neither handler nor REST API)
        let cases: &[(bool, &[&str])] = &[
            (true, &["APIHandler", "Worker", "OnMessage"]),
            (false, &["Worker", "OnMessage"]),
        ];
        for (with_routes, functions) in cases {
            let mut manifest = Manifest::new("a");
            if *with_routes {
                manifest
                    .routes
                    .push(RouteManifest::new("/", "GET", "index"));
            }
            manifest
                .functions
                .push(chalice_manifest::FunctionManifest::new(
                    "worker",
                    EventSource::sqs_queue("jobs"),
                ));
            manifest.websocket = Some(api.clone());
            let template = sam_template(&manifest, &config, "./deployment.zip", &policies)
                .expect("a template");
            let resources = template["Resources"].as_object().expect("resources");
            let found: Vec<&str> = resources
                .iter()
                .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
                .map(|(id, _)| id.as_str())
                .collect();
            assert_eq!(found, *functions);
            for id in *functions {
                assert_eq!(
                    resources[*id]["Properties"]["Environment"]["Variables"]["CHALICE_WEBSOCKET_ENDPOINT"]
                        ["Fn::Sub"],
                    "https://${WebsocketAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api",
                    "{id}"
                );
            }
            assert_eq!(resources.contains_key("RestAPI"), *with_routes);
            let statements = &resources["DefaultRole"]["Properties"]["Policies"][0]["PolicyDocument"]
                ["Statement"];
            assert_eq!(
                statements.as_array().and_then(|s| s.last()),
                Some(
                    &json!({"Effect": "Allow", "Action": ["execute-api:ManageConnections"],
                    "Resource": {"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebsocketAPI}/*"}})
                )
            );
        }
    }

    #[test]
    fn the_api_takes_the_stages_settings() {
        let config = Config::parse(
            ".chalice/config.json".into(),
            r#"{"app_name": "a", "stages": {"dev": {"minimum_compression_size": 0}}}"#,
        )
        .and_then(|config| config.stage("dev"))
        .expect("a valid config");
        let mut manifest = Manifest::new("a");
        manifest
            .routes
            .push(RouteManifest::new("/", "GET", "index"));
        let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny"}]});
        let policies = Policies {
            role: json!({}),
            api: Some(policy.clone()),
        };
        let template =
            sam_template(&manifest, &config, "./deployment.zip", &policies).expect("a template");
        let api = &template["Resources"]["RestAPI"]["Properties"];
        assert_eq!(api["MinimumCompressionSize"], 0);
        assert_eq!(api["DefinitionBody"]["x-amazon-apigateway-policy"], policy);
    }

    #[test]
    fn a_private_api_has_no_custom_domain() {
        let config = Config::parse(
            ".chalice/config.json".into(),
            r#"{"app_name": "a", "stages": {"dev": {"api_gateway_endpoint_type": "PRIVATE",
                "api_gateway_endpoint_vpce": "vpce-1",
                "api_gateway_custom_domain": {"domain_name": "api.example.com",
                    "certificate_arn": "arn:cert"}}}}"#,
        )
        .and_then(|config| config.stage("dev"))
        .expect("a valid config");
        let mut manifest = Manifest::new("a");
        manifest
            .routes
            .push(RouteManifest::new("/", "GET", "index"));
        let policies = Policies {
            role: json!({}),
            api: None,
        };
        let error =
            sam_template(&manifest, &config, "./deployment.zip", &policies).expect_err("refused");
        assert_eq!(
            error.0,
            "api_gateway_custom_domain (api.example.com): a PRIVATE API cannot have a public \
             custom domain; set api_gateway_endpoint_type to EDGE or REGIONAL, or remove the \
             domain"
        );
    }
}
