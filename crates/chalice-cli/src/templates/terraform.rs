//! The Terraform configuration of `chalice package --pkg-format terraform`
//! (`chalice.tf.json`, Chalice's `TerraformGenerator`), for the AWS provider 6
//! ([`AWS_PROVIDER`]): the stage is its own `aws_api_gateway_stage` (provider 6 removed
//! the deployment's `stage_name`), and the region is `data.aws_region.<name>.region`, the
//! attribute provider 6 added and which its plans take without a warning (`name`, the only
//! one provider 5 has, is deprecated in 6: one configuration can't serve both cleanly).
//!
//! Resource names are Chalice's (`api_handler`, `rest_api`, `default_role`; an authorizer's
//! function is named after it, see [`crate::templates::functions`]). Lambda function names are
//! `<app>-<stage>` and `<app>-<stage>-<authorizer>`, the role `<app>-<stage>`.
//!
//! Every string in a `.tf.json` file is a template: `${...}` interpolates and `%{...}` is a
//! directive, in object keys too
//! (<https://developer.hashicorp.com/terraform/language/syntax/json#expression-mapping>).
//! So every string that comes from the app or its configuration goes through
//! [`literal::terraform`],
//! which escapes them as `$${` and `%%{`, and the only unescaped `${` are the references
//! this module writes. The OpenAPI document is embedded as one JSON string (a local, so the
//! deployment can hash it), built with [`Target::Terraform`], which does the same escaping
//! inside it and refers to the functions with `${aws_lambda_function.<name>.invoke_arn}`.

use serde_json::{Map, Value, json};

use chalice_manifest::{
    DEFAULT_EVENT_BUS, EventSource, HANDLER_ENV, Manifest, WEBSOCKET_ENDPOINT_ENV,
};

use crate::config::{API_HANDLER, FunctionConfig, StageConfig};
use crate::error::UsageError;
use crate::templates::domain;
use crate::templates::functions::{
    API_HANDLER_TF, EventFunction, HANDLER, RUNTIME, builtin_authorizers, event_functions,
};
use crate::templates::literal;
use crate::templates::openapi::{Target, openapi};
use crate::templates::policy::{Policies, lambda_trust_policy, with_websocket_connections};
use crate::templates::websocket::{self, websocket_functions};

/// Stands for the WebSocket API's connections in the role's policy until the policy is
/// Terraform text; then the reference takes its place.
const CONNECTIONS_PLACEHOLDER: &str = "chalice:websocket-api-connections";

/// The versions of the AWS provider the configuration is written for (see the module's
/// documentation).
pub const AWS_PROVIDER: &str = ">= 6.0, < 7.0";

/// Lambda's limit on function names, and IAM's on role names.
const NAME_LIMIT: usize = 64;

fn literal(text: &str) -> String {
    literal::terraform(text)
}

fn literals(texts: &[String]) -> Value {
    texts
        .iter()
        .map(|text| Value::String(literal(text)))
        .collect()
}

fn literal_map<'a>(entries: impl IntoIterator<Item = (&'a String, &'a String)>) -> Value {
    entries
        .into_iter()
        .map(|(key, value)| (literal(key), Value::String(literal(value))))
        .collect::<Map<_, _>>()
        .into()
}

/// The Terraform configuration for `manifest` under `config`, with the deployment package
/// at `zip_file` (relative to the configuration's directory) and `policies` for the managed
/// role and the API.
pub fn terraform(
    manifest: &Manifest,
    config: &StageConfig,
    zip_file: &str,
    policies: &Policies,
) -> Result<Value, UsageError> {
    // The file name goes inside an HCL string in an expression; a plain relative path
    // needs no escaping there.
    if zip_file.is_empty()
        || !zip_file
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
    {
        return Err(UsageError(format!(
            "the deployment package's name {zip_file:?} must be a relative path of letters, \
             digits, '.', '_', '-' and '/'"
        )));
    }
    let base_name = format!("{}-{}", config.app_name, config.stage);
    check_name("IAM role", &base_name, |c| {
        c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
    })?;
    let authorizers = builtin_authorizers(manifest)?;
    // The API handler and the REST API exist only for an app with routes (an app of event
    // or WebSocket handlers alone has neither, as in Chalice).
    let rest_api = !manifest.routes.is_empty();
    let body = if rest_api {
        let document = openapi(manifest, policies.api.as_ref(), Target::Terraform)?;
        Some(serde_json::to_string(&document).expect("a JSON value always serializes"))
    } else {
        None
    };

    let mut resources = Map::new();
    let mut add = |kind: &str, name: &str, resource: Value| {
        let group = resources
            .entry(kind.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        group[name] = resource;
    };
    // One role for every function: the API handler's settings say which.
    let handler = config.api_handler();
    let role = if handler.manage_iam_role {
        add(
            "aws_iam_role",
            "default_role",
            json!({
                "name": literal(&base_name),
                "assume_role_policy": to_json_literal(&lambda_trust_policy()),
            }),
        );
        add(
            "aws_iam_role_policy",
            "default_role",
            json!({
                "name": "DefaultRolePolicy",
                "role": "${aws_iam_role.default_role.id}",
                // IAM policy variables (`${aws:username}`) stay IAM's: escaped; the
                // WebSocket API's ARN is the one reference.
                "policy": to_json_literal(&with_websocket_connections(
                    policies.role.clone(),
                    manifest,
                    &json!(CONNECTIONS_PLACEHOLDER),
                ))
                .replace(CONNECTIONS_PLACEHOLDER, &websocket::tf_connections_arn()),
            }),
        );
        "${aws_iam_role.default_role.arn}".to_owned()
    } else {
        match &handler.iam_role_arn {
            Some(arn) => literal(arn),
            None => {
                return Err(UsageError(
                    "iam_role_arn is required when manage_iam_role is false".to_owned(),
                ));
            }
        }
    };

    let mut functions = Vec::new();
    if rest_api {
        functions.push((
            API_HANDLER_TF.to_owned(),
            base_name.clone(),
            config.function(API_HANDLER),
            None,
        ));
    }
    for authorizer in &authorizers {
        let function_name = format!("{base_name}-{}", authorizer.name);
        functions.push((
            authorizer.tf_name.clone(),
            function_name,
            config.function(authorizer.name),
            Some(authorizer.name),
        ));
    }
    let event_functions = event_functions(manifest, &authorizers)?;
    // The API's functions: API Gateway invokes them.
    let api_functions = functions.len();
    for event_function in &event_functions {
        functions.push((
            event_function.tf_name.clone(),
            format!("{base_name}-{}", event_function.name),
            config.function(event_function.name),
            Some(event_function.name),
        ));
    }
    let websocket_functions = websocket_functions(manifest, &authorizers, &event_functions)?;
    for handler in &websocket_functions {
        functions.push((
            handler.tf_name.clone(),
            format!("{base_name}-{}", handler.name),
            config.function(handler.name),
            Some(handler.name),
        ));
    }
    let architecture = config.lambda_architecture.as_str();
    for (i, (tf_name, function_name, settings, authorizer)) in functions.iter().enumerate() {
        check_name("Lambda function", function_name, |c| {
            c.is_ascii_alphanumeric() || c == '_' || c == '-'
        })?;
        let mut function = function(
            settings,
            architecture,
            zip_file,
            &role,
            function_name,
            *authorizer,
        );
        let mut depends_on = Vec::new();
        if handler.manage_iam_role {
            // The policy must be in place before the first invocation writes logs.
            depends_on.push("aws_iam_role_policy.default_role".to_owned());
        }
        if let Some(days) = settings.log_retention_in_days {
            // Created before the function, or Lambda creates it first, without retention.
            add(
                "aws_cloudwatch_log_group",
                tf_name,
                json!({"name": format!("/aws/lambda/{function_name}"), "retention_in_days": days}),
            );
            depends_on.push(format!("aws_cloudwatch_log_group.{tf_name}"));
        }
        if !depends_on.is_empty() {
            function["depends_on"] = json!(depends_on);
        }
        if manifest.websocket.is_some() {
            function["environment"]["variables"][WEBSOCKET_ENDPOINT_ENV] =
                json!(websocket::tf_endpoint(config));
        }
        add("aws_lambda_function", tf_name, function);
        if i >= api_functions {
            continue;
        }
        add(
            "aws_lambda_permission",
            &format!("{tf_name}_invoke"),
            json!({
                "function_name": format!("${{aws_lambda_function.{tf_name}.function_name}}"),
                "action": "lambda:InvokeFunction",
                "principal": "apigateway.amazonaws.com",
                "source_arn": "${aws_api_gateway_rest_api.rest_api.execution_arn}/*",
            }),
        );
    }

    let mut buckets: Vec<(&str, Vec<Value>, Vec<String>)> = Vec::new();
    for event_function in &event_functions {
        let function_name = format!("{base_name}-{}", event_function.name);
        for (kind, name, resource) in triggers(event_function, &function_name, &mut buckets) {
            add(kind, &name, resource);
        }
    }
    for (bucket, notifications, permissions) in buckets {
        let name = literal::terraform(bucket);
        let mut notification = json!({"bucket": name, "lambda_function": notifications});
        // S3 checks that it may invoke each function when the notification is put.
        notification["depends_on"] = json!(permissions);
        add(
            "aws_s3_bucket_notification",
            &crate::templates::functions::tf_resource_name(&format!("{bucket}_notify")),
            notification,
        );
    }
    let data = if event_functions.is_empty() && manifest.websocket.is_none() {
        Value::Null
    } else {
        json!({
            "aws_partition": {"chalice": {}},
            "aws_region": {"chalice": {}},
            "aws_caller_identity": {"chalice": {}},
        })
    };

    let mut outputs = Map::new();
    if rest_api {
        let mut api = json!({
            "name": literal(&config.app_name),
            "body": "${local.chalice_api_openapi}",
            // Set in the body too; repeated so Terraform does not see a difference to undo
            // (Chalice's comment on the same lines).
            "binary_media_types": literals(&manifest.binary_types),
            "endpoint_configuration": {"types": [config.api_gateway_endpoint_type.as_str()]},
        });
        if let Some(size) = config.minimum_compression_size {
            // A string since the AWS provider 5 (its upgrade guide).
            api["minimum_compression_size"] = json!(size.to_string());
        }
        add("aws_api_gateway_rest_api", "rest_api", api);
        add(
            "aws_api_gateway_deployment",
            "rest_api",
            json!({
                "rest_api_id": "${aws_api_gateway_rest_api.rest_api.id}",
                // A new deployment whenever the API's definition changes.
                "triggers": {"redeployment": "${sha1(local.chalice_api_openapi)}"},
                "lifecycle": {"create_before_destroy": true},
            }),
        );
        let mut stage = json!({
            "stage_name": literal(&config.api_gateway_stage),
            "rest_api_id": "${aws_api_gateway_rest_api.rest_api.id}",
            "deployment_id": "${aws_api_gateway_deployment.rest_api.id}",
        });
        if handler.xray {
            stage["xray_tracing_enabled"] = json!(true);
        }
        add("aws_api_gateway_stage", "rest_api", stage);
        outputs.insert(
            "EndpointURL".into(),
            json!({"value": "${aws_api_gateway_stage.rest_api.invoke_url}/"}),
        );
        outputs.insert(
            "RestAPIId".into(),
            json!({"value": "${aws_api_gateway_rest_api.rest_api.id}"}),
        );
        outputs.insert(
            "APIHandlerName".into(),
            json!({"value": "${aws_lambda_function.api_handler.function_name}"}),
        );
        outputs.insert(
            "APIHandlerArn".into(),
            json!({"value": "${aws_lambda_function.api_handler.arn}"}),
        );
        if let Some(custom) = domain::rest_domain(config)? {
            for (kind, name, resource) in
                domain::terraform_rest_domain(custom, config, &mut outputs)
            {
                add(kind, &name, resource);
            }
        }
    }
    if let Some(api) = &manifest.websocket {
        let (websocket, websocket_outputs) =
            websocket::terraform_resources(api, &websocket_functions, config);
        for (kind, name, resource) in websocket {
            add(kind, &name, resource);
        }
        outputs.extend(websocket_outputs);
        if let Some(custom) = &config.websocket_api_custom_domain {
            let resources = domain::terraform_websocket_domain(
                custom,
                websocket::WEBSOCKET_API_TF,
                websocket::WEBSOCKET_STAGE_TF,
                &mut outputs,
            );
            for (kind, name, resource) in resources {
                add(kind, &name, resource);
            }
        }
    }

    let mut configuration = json!({
        "terraform": {
            "required_version": ">= 1.0",
            "required_providers": {"aws": {"source": "hashicorp/aws", "version": AWS_PROVIDER}},
        },
    });
    if let Some(body) = body {
        configuration["locals"] = json!({"chalice_api_openapi": body});
    }
    configuration["resource"] = Value::Object(resources);
    configuration["output"] = Value::Object(outputs);
    if !data.is_null() {
        configuration["data"] = data;
    }
    Ok(configuration)
}

/// An ARN in the account and region Terraform deploys to.
fn arn_here(service: &str, resource: &str) -> String {
    format!(
        "arn:${{data.aws_partition.chalice.partition}}:{service}:${{data.aws_region.chalice.region}}:\
         ${{data.aws_caller_identity.chalice.account_id}}:{}",
        literal::terraform(resource)
    )
}

/// The resources that trigger `function` (Chalice's names: the rule `<function>-event`,
/// mappings and subscriptions after the function), as (kind, name, resource). S3
/// notifications are gathered per bucket into `buckets`: a bucket has one notification
/// configuration.
fn triggers<'m>(
    function: &EventFunction<'m>,
    function_name: &str,
    buckets: &mut Vec<(&'m str, Vec<Value>, Vec<String>)>,
) -> Vec<(&'static str, String, Value)> {
    let tf = &function.tf_name;
    let arn = format!("${{aws_lambda_function.{tf}.arn}}");
    let permission = |principal: &str, source_arn: String| {
        json!({
            "function_name": format!("${{aws_lambda_function.{tf}.function_name}}"),
            "action": "lambda:InvokeFunction",
            "principal": principal,
            "source_arn": source_arn,
        })
    };
    let mapping = |source_arn: String, batch_size: u32, window: u32, position: Option<&str>| {
        let mut mapping = json!({
            "event_source_arn": source_arn,
            "function_name": arn,
            "batch_size": batch_size,
        });
        if window > 0 {
            mapping["maximum_batching_window_in_seconds"] = json!(window);
        }
        if let Some(position) = position {
            mapping["starting_position"] = json!(position);
        }
        if function.source.reports_batch_item_failures() {
            mapping["function_response_types"] = json!(["ReportBatchItemFailures"]);
        }
        mapping
    };
    let rule = |mut rule: Value| {
        rule["name"] = json!(literal::terraform(&format!("{function_name}-event")));
        let target = json!({
            "rule": format!("${{aws_cloudwatch_event_rule.{tf}.name}}"),
            "event_bus_name": format!("${{aws_cloudwatch_event_rule.{tf}.event_bus_name}}"),
            "target_id": literal::terraform(&format!("{}-event", function.name)),
            "arn": arn,
        });
        vec![
            ("aws_cloudwatch_event_rule", tf.clone(), rule),
            ("aws_cloudwatch_event_target", tf.clone(), target),
            (
                "aws_lambda_permission",
                format!("{tf}_event"),
                permission(
                    "events.amazonaws.com",
                    format!("${{aws_cloudwatch_event_rule.{tf}.arn}}"),
                ),
            ),
        ]
    };
    match function.source {
        EventSource::LambdaFunction => Vec::new(),
        EventSource::Schedule {
            expression,
            description,
        } => rule(json!({
            "schedule_expression": literal::terraform(expression),
            "description": literal::terraform(description),
        })),
        EventSource::CwEvent {
            event_pattern,
            event_bus,
        } => {
            let mut pattern = json!({"event_pattern": to_json_literal(event_pattern)});
            if event_bus != DEFAULT_EVENT_BUS {
                pattern["event_bus_name"] = json!(literal::terraform(event_bus));
            }
            rule(pattern)
        }
        EventSource::S3 {
            bucket,
            events,
            prefix,
            suffix,
        } => {
            let permission_name = format!("{tf}_s3");
            let mut notification = json!({
                "lambda_function_arn": arn,
                "events": literals(events),
            });
            if let Some(prefix) = prefix {
                notification["filter_prefix"] = json!(literal::terraform(prefix));
            }
            if let Some(suffix) = suffix {
                notification["filter_suffix"] = json!(literal::terraform(suffix));
            }
            let dependency = format!("aws_lambda_permission.{permission_name}");
            match buckets
                .iter_mut()
                .find(|(name, ..)| *name == bucket.as_str())
            {
                Some((_, notifications, permissions)) => {
                    notifications.push(notification);
                    permissions.push(dependency);
                }
                None => buckets.push((bucket, vec![notification], vec![dependency])),
            }
            vec![(
                "aws_lambda_permission",
                permission_name,
                permission(
                    "s3.amazonaws.com",
                    format!(
                        "arn:${{data.aws_partition.chalice.partition}}:s3:::{}",
                        literal::terraform(bucket)
                    ),
                ),
            )]
        }
        EventSource::Sns { topic } => {
            let topic_arn = if topic.starts_with("arn:") {
                literal::terraform(topic)
            } else {
                arn_here("sns", topic)
            };
            vec![
                (
                    "aws_sns_topic_subscription",
                    tf.clone(),
                    json!({"topic_arn": topic_arn, "protocol": "lambda", "endpoint": arn}),
                ),
                (
                    "aws_lambda_permission",
                    format!("{tf}_sns"),
                    permission("sns.amazonaws.com", topic_arn.clone()),
                ),
            ]
        }
        EventSource::Sqs {
            queue,
            queue_arn,
            batch_size,
            maximum_batching_window_in_seconds,
            maximum_concurrency,
            ..
        } => {
            let source_arn = match (queue_arn, queue) {
                (Some(arn), _) => literal::terraform(arn),
                (None, name) => arn_here("sqs", name.as_deref().unwrap_or_default()),
            };
            let mut mapping = mapping(
                source_arn,
                *batch_size,
                *maximum_batching_window_in_seconds,
                None,
            );
            if let Some(limit) = maximum_concurrency {
                mapping["scaling_config"] = json!({"maximum_concurrency": limit});
            }
            vec![("aws_lambda_event_source_mapping", tf.clone(), mapping)]
        }
        EventSource::Kinesis {
            stream,
            batch_size,
            starting_position,
            maximum_batching_window_in_seconds,
            ..
        } => vec![(
            "aws_lambda_event_source_mapping",
            tf.clone(),
            mapping(
                arn_here("kinesis", &format!("stream/{stream}")),
                *batch_size,
                *maximum_batching_window_in_seconds,
                Some(starting_position.as_str()),
            ),
        )],
        EventSource::Dynamodb {
            stream_arn,
            batch_size,
            starting_position,
            maximum_batching_window_in_seconds,
            ..
        } => vec![(
            "aws_lambda_event_source_mapping",
            tf.clone(),
            mapping(
                literal::terraform(stream_arn),
                *batch_size,
                *maximum_batching_window_in_seconds,
                Some(starting_position.as_str()),
            ),
        )],
    }
}

/// `value` as a JSON string Terraform passes on unchanged.
fn to_json_literal(value: &Value) -> String {
    literal(&serde_json::to_string(value).expect("a JSON value always serializes"))
}

fn check_name(what: &str, name: &str, allowed: impl Fn(char) -> bool) -> Result<(), UsageError> {
    if name.chars().all(allowed) && name.len() <= NAME_LIMIT {
        Ok(())
    } else {
        Err(UsageError(format!(
            "the {what} name {name:?} (from app_name, the stage and the authorizer's name) must \
             be at most {NAME_LIMIT} characters of the ones AWS allows; shorten or rename them"
        )))
    }
}

/// A function of the app: the API handler, or a built-in authorizer.
fn function(
    config: &FunctionConfig,
    architecture: &str,
    zip_file: &str,
    role: &str,
    function_name: &str,
    authorizer: Option<&str>,
) -> Value {
    let mut function = json!({
        "function_name": function_name,
        "runtime": RUNTIME,
        "handler": HANDLER,
        "filename": format!("${{path.module}}/{zip_file}"),
        "source_code_hash": format!("${{filebase64sha256(\"${{path.module}}/{zip_file}\")}}"),
        "architectures": [architecture],
        "memory_size": config.lambda_memory_size,
        "timeout": config.lambda_timeout,
        "role": role,
        "tags": literal_map(&config.tags),
    });
    let mut variables = config.environment_variables.clone();
    if let Some(name) = authorizer {
        variables.insert(HANDLER_ENV.to_owned(), name.to_owned());
    }
    if !variables.is_empty() {
        function["environment"] = json!({ "variables": literal_map(&variables) });
    }
    if !config.subnet_ids.is_empty() {
        function["vpc_config"] = json!({
            "subnet_ids": literals(&config.subnet_ids),
            "security_group_ids": literals(&config.security_group_ids),
        });
    }
    if let Some(reserved) = config.reserved_concurrency {
        function["reserved_concurrent_executions"] = json!(reserved);
    }
    if !config.layers.is_empty() {
        function["layers"] = literals(&config.layers);
    }
    if config.xray {
        function["tracing_config"] = json!({"mode": "Active"});
    }
    function
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use chalice_manifest::{EventSource, RouteManifest};
    use serde_json::json;

    #[test]
    fn s3_handlers_of_one_bucket_share_its_notification() {
        let config = Config::parse(".chalice/config.json".into(), r#"{"app_name": "a"}"#)
            .and_then(|config| config.stage("dev"))
            .expect("a valid config");
        let mut manifest = Manifest::new("a");
        manifest
            .routes
            .push(RouteManifest::new("/", "GET", "index"));
        let mut csv = EventSource::s3("uploads");
        if let EventSource::S3 { suffix, .. } = &mut csv {
            *suffix = Some(".csv".to_owned());
        }
        for (name, source) in [
            ("on_csv", csv),
            ("on_any", EventSource::s3("uploads")),
            ("on_logs", EventSource::s3("logs")),
        ] {
            manifest
                .functions
                .push(chalice_manifest::FunctionManifest::new(name, source));
        }
        let policies = Policies {
            role: json!({}),
            api: None,
        };
        let tf = terraform(&manifest, &config, "deployment.zip", &policies).expect("valid");
        let notifications = &tf["resource"]["aws_s3_bucket_notification"];
        assert_eq!(
            notifications["uploads_notify"],
            json!({
                "bucket": "uploads",
                "lambda_function": [
                    {"lambda_function_arn": "${aws_lambda_function.on_csv.arn}",
                     "events": ["s3:ObjectCreated:*"], "filter_suffix": ".csv"},
                    {"lambda_function_arn": "${aws_lambda_function.on_any.arn}",
                     "events": ["s3:ObjectCreated:*"]},
                ],
                "depends_on": ["aws_lambda_permission.on_csv_s3", "aws_lambda_permission.on_any_s3"],
            })
        );
        assert_eq!(
            notifications["logs_notify"]["lambda_function"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        assert_eq!(
            tf["resource"]["aws_lambda_permission"]["on_logs_s3"]["source_arn"],
            "arn:${data.aws_partition.chalice.partition}:s3:::logs"
        );
        // Event functions are not API Gateway's to invoke.
        assert!(
            tf["resource"]["aws_lambda_permission"]
                .get("on_csv_invoke")
                .is_none()
        );
    }

    #[test]
    fn the_api_takes_the_stages_settings() {
        let config = Config::parse(
            ".chalice/config.json".into(),
            r#"{"app_name": "a", "minimum_compression_size": 1024}"#,
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
        let configuration =
            terraform(&manifest, &config, "deployment.zip", &policies).expect("a configuration");
        let rest_api = &configuration["resource"]["aws_api_gateway_rest_api"]["rest_api"];
        assert_eq!(rest_api["minimum_compression_size"], "1024");
        let body: Value = serde_json::from_str(
            configuration["locals"]["chalice_api_openapi"]
                .as_str()
                .expect("the body is a string"),
        )
        .expect("the body is JSON");
        assert_eq!(body["x-amazon-apigateway-policy"], policy);
    }
}
