//! The IAM documents of the role chalice manages for the app's functions.
//!
//! Chalice generates the role's policy by reading the app's Python source for boto3 calls;
//! a Rust binary can't be read that way, so the default policy grants what every chalice
//! function needs and nothing more: its logs, plus X-Ray when tracing is on and network
//! interfaces when it runs in a VPC, and reading the queues and streams its event handlers
//! take ([`with_event_sources`]). An app that calls other AWS services names its policy
//! with `iam_policy_file` (the CLI reads that file and uses it instead of this one), or
//! `manage_iam_role: false` with its own role, as in Chalice.

use std::path::Path;

use chalice_manifest::{EventSource, Manifest};
use serde_json::{Value, json};

use crate::config::{EndpointType, FunctionConfig, StageConfig};
use crate::error::UsageError;

/// The trust policy that lets Lambda assume the role (Chalice's `LAMBDA_TRUST_POLICY`).
pub fn lambda_trust_policy() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "",
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }],
    })
}

/// The policy of the role the `functions` share: Chalice's `CLOUDWATCH_LOGS` statement, its
/// `XRAY_POLICY` when one of them has `xray` on, and its `VPC_ATTACH_POLICY` when one runs in
/// a VPC.
///
/// The VPC statement carries the actions of AWS's `AWSLambdaVPCAccessExecutionRole`
/// (<https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html>):
/// Lambda creates and deletes the function's network interfaces with the function's own
/// role, and Chalice's older list lacks the two IP-address actions Lambda now uses.
/// Inline rather than attached by ARN, so one document describes the role in both SAM and
/// Terraform, and `chalice gen-policy` can print it.
pub fn default_policy(functions: &[FunctionConfig]) -> Value {
    let mut statements = vec![json!({
        "Effect": "Allow",
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": "arn:*:logs:*:*:*",
    })];
    if functions.iter().any(|function| function.xray) {
        statements.push(json!({
            "Effect": "Allow",
            "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            "Resource": "*",
        }));
    }
    if functions
        .iter()
        .any(|function| !function.subnet_ids.is_empty())
    {
        statements.push(json!({
            "Effect": "Allow",
            "Action": [
                "ec2:CreateNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSubnets",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            // DescribeNetworkInterfaces only works on all resources (Lambda's VPC guide).
            "Resource": "*",
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// `policy` with what the app's event sources need the role to do: read and delete SQS
/// messages, read Kinesis and DynamoDB streams (the actions of AWS's managed
/// `AWSLambda*ExecutionRole` policies for those sources, which SAM adds only to roles it
/// creates itself). Schedules, EventBridge, S3 and SNS invoke the function through its
/// resource policy and need nothing here.
///
/// ```
/// use chalice_cli::templates::policy::with_event_sources;
/// use chalice_manifest::{EventSource, FunctionManifest, Manifest};
/// use serde_json::json;
///
/// let mut manifest = Manifest::new("a");
/// manifest.functions.push(FunctionManifest::new("worker", EventSource::sqs_queue("jobs")));
/// let policy = with_event_sources(json!({"Version": "2012-10-17", "Statement": []}), &manifest);
/// assert_eq!(policy["Statement"][0]["Action"][0], "sqs:ReceiveMessage");
/// ```
pub fn with_event_sources(mut policy: Value, manifest: &Manifest) -> Value {
    let uses = |kind: fn(&EventSource) -> bool| manifest.functions.iter().any(|f| kind(&f.source));
    let mut statements = Vec::new();
    if uses(|s| matches!(s, EventSource::Sqs { .. })) {
        statements.push(json!({
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            "Resource": "*",
        }));
    }
    if uses(|s| matches!(s, EventSource::Kinesis { .. })) {
        statements.push(json!({
            "Effect": "Allow",
            "Action": [
                "kinesis:DescribeStream",
                "kinesis:DescribeStreamSummary",
                "kinesis:GetRecords",
                "kinesis:GetShardIterator",
                "kinesis:ListShards",
                "kinesis:ListStreams",
                "kinesis:SubscribeToShard",
            ],
            "Resource": "*",
        }));
    }
    if uses(|s| matches!(s, EventSource::Dynamodb { .. })) {
        statements.push(json!({
            "Effect": "Allow",
            "Action": [
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            ],
            "Resource": "*",
        }));
    }
    if let Some(list) = policy.get_mut("Statement").and_then(Value::as_array_mut) {
        list.extend(statements);
    }
    policy
}

/// `policy` with leave to post to, close and read the connections of the app's WebSocket
/// API (`execute-api:ManageConnections` on `connections`, that API's
/// `arn:...:execute-api:{region}:{account}:{api-id}/*` as each template or the deployer
/// spells it), when the app has one; `policy` unchanged otherwise.
///
/// Added to the stage's `iam_policy_file` too: that file can't name an API whose id exists
/// only once it is deployed, and without this `websocket_api().send` fails with 403.
///
/// ```
/// use chalice_cli::templates::policy::with_websocket_connections;
/// use chalice_manifest::{Manifest, WebsocketManifest, WebsocketRouteManifest};
/// use serde_json::json;
///
/// let mut manifest = Manifest::new("chat");
/// let policy = json!({"Version": "2012-10-17", "Statement": []});
/// let arn = json!("arn:aws:execute-api:us-east-1:123456789012:abc123/*");
/// assert_eq!(with_websocket_connections(policy.clone(), &manifest, &arn), policy);
/// let mut api = WebsocketManifest::default();
/// api.routes.push(WebsocketRouteManifest::new("$default", "websocket_message"));
/// manifest.websocket = Some(api);
/// let policy = with_websocket_connections(policy, &manifest, &arn);
/// assert_eq!(policy["Statement"][0]["Action"], json!(["execute-api:ManageConnections"]));
/// assert_eq!(policy["Statement"][0]["Resource"], arn);
/// ```
pub fn with_websocket_connections(
    mut policy: Value,
    manifest: &Manifest,
    connections: &Value,
) -> Value {
    if manifest
        .websocket
        .as_ref()
        .is_none_or(|api| api.routes.is_empty())
    {
        return policy;
    }
    let statement = json!({
        "Effect": "Allow",
        "Action": ["execute-api:ManageConnections"],
        "Resource": connections,
    });
    match policy.get_mut("Statement") {
        Some(Value::Array(list)) => list.push(statement),
        // A policy file may hold its one statement as an object.
        Some(single) => *single = json!([single.take(), statement]),
        None => {
            if let Value::Object(fields) = &mut policy {
                fields.insert("Statement".to_owned(), json!([statement]));
            }
        }
    }
    policy
}

/// The managed role's policy when no `iam_policy_file` replaces it, as `chalice package`
/// writes it and `chalice deploy` puts it: [`default_policy`] for every function of the app
/// (`functions`, the API's, and each event or WebSocket handler's settings from `config`), with what its
/// event sources need ([`with_event_sources`]).
pub fn app_policy(
    config: &StageConfig,
    manifest: &Manifest,
    functions: &[FunctionConfig],
) -> Value {
    let mut all = functions.to_vec();
    let names = manifest
        .functions
        .iter()
        .map(|function| &function.name)
        .chain(
            manifest
                .websocket
                .iter()
                .flat_map(|api| api.routes.iter().map(|r| &r.handler)),
        );
    for name in names {
        if !all.iter().any(|known| known.name == *name) {
            all.push(config.function(name));
        }
    }
    with_event_sources(default_policy(&all), manifest)
}

/// The `Resource` of the role's `execute-api:ManageConnections` statement before the app's
/// WebSocket API exists (and so has an id): the connections of any WebSocket API of any
/// account. `chalice gen-policy` prints it for a stage not deployed yet; a deploy narrows it
/// to the app's API.
pub const ANY_WEBSOCKET_CONNECTIONS: &str = "arn:*:execute-api:*:*:*/*/*/@connections/*";

/// The managed role's policy as `chalice deploy` puts it and `chalice gen-policy` prints
/// it: the stage's `iam_policy_file` (`file`, read with [`stage_policy_file`]) or else
/// [`app_policy`], and `execute-api:ManageConnections` on `connections` when the app has
/// WebSocket handlers ([`with_websocket_connections`]).
pub fn role_policy(
    file: Option<Value>,
    config: &StageConfig,
    manifest: &Manifest,
    functions: &[FunctionConfig],
    connections: &Value,
) -> Value {
    let policy = file.unwrap_or_else(|| app_policy(config, manifest, functions));
    with_websocket_connections(policy, manifest, connections)
}

/// The resource policy of a `PRIVATE` API: calls from the stage's VPC endpoints only
/// (Chalice's `_get_default_private_api_policy`). `None` for other endpoint types, which
/// need none. The stage's `api_gateway_policy_file` replaces it.
pub fn private_api_policy(config: &StageConfig) -> Option<Value> {
    if config.api_gateway_endpoint_type != EndpointType::Private {
        return None;
    }
    Some(json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": "*",
            "Action": "execute-api:Invoke",
            "Resource": "arn:*:execute-api:*:*:*",
            "Condition": {"StringEquals": {"aws:SourceVpce": config.api_gateway_endpoint_vpce}},
        }],
    }))
}

/// The policies a deployment attaches: the role's that the app's functions share, and the
/// REST API's resource policy, if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policies {
    /// The managed role's policy (unused when the role is not managed).
    pub role: Value,
    /// The REST API's resource policy (`x-amazon-apigateway-policy`).
    pub api: Option<Value>,
}

impl Policies {
    /// chalice's defaults: [`default_policy`] for `functions`, [`private_api_policy`] for a
    /// private API.
    pub fn defaults(config: &StageConfig, functions: &[FunctionConfig]) -> Self {
        Policies {
            role: default_policy(functions),
            api: private_api_policy(config),
        }
    }
}

/// The REST API's resource policy: the stage's `api_gateway_policy_file`, else a private
/// API's default (Chalice's order).
pub fn api_policy(project: &Path, config: &StageConfig) -> Result<Option<Value>, UsageError> {
    match &config.api_gateway_policy_file {
        Some(file) => policy_file(project, "api_gateway_policy_file", file).map(Some),
        None => Ok(private_api_policy(config)),
    }
}

/// The stage's `iam_policy_file`, read, when the CLI manages the role and the stage names
/// one; `None` means the role gets the default policy (or, with `manage_iam_role: false`, no
/// policy from us at all).
pub fn stage_policy_file(project: &Path, stage: &StageConfig) -> Result<Option<Value>, UsageError> {
    let handler = stage.api_handler();
    match (&handler.iam_policy_file, handler.manage_iam_role) {
        (Some(file), true) => policy_file(project, "iam_policy_file", file).map(Some),
        _ => Ok(None),
    }
}

/// The policy document in `.chalice/<file>`, which `key` (`iam_policy_file` or
/// `api_gateway_policy_file`) of the configuration names.
pub fn policy_file(project: &Path, key: &str, file: &str) -> Result<Value, UsageError> {
    let path = project.join(".chalice").join(file);
    let text = std::fs::read_to_string(&path).map_err(|error| {
        UsageError(format!(
            "{}: cannot be read ({error}); {key} in .chalice/config.json names a file in the \
             .chalice directory",
            path.display()
        ))
    })?;
    let policy: Value = serde_json::from_str(&text)
        .map_err(|error| UsageError(format!("{}: is not valid JSON: {error}", path.display())))?;
    if !policy
        .get("Statement")
        .is_some_and(|s| s.is_array() || s.is_object())
    {
        return Err(UsageError(format!(
            "{}: is not an IAM policy document: it needs a \"Statement\" (a list of statements)",
            path.display()
        )));
    }
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn actions(config_json: &str) -> Vec<String> {
        let config = Config::parse(".chalice/config.json".into(), config_json)
            .and_then(|c| c.stage("dev"))
            .expect("a valid config");
        let policy = default_policy(&[config.api_handler(), config.function("auth")]);
        policy["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s["Action"].as_array().cloned().unwrap_or_default())
            .filter_map(|a| a.as_str().map(str::to_owned))
            .collect()
    }

    #[test]
    fn the_policy_grants_what_the_stage_uses() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            (
                r#"{"app_name": "a"}"#,
                &["logs:PutLogEvents"],
                &["xray:PutTraceSegments", "ec2:CreateNetworkInterface"],
            ),
            (
                r#"{"app_name": "a", "xray": true}"#,
                &["logs:PutLogEvents", "xray:PutTraceSegments"],
                &["ec2:CreateNetworkInterface"],
            ),
            (
                r#"{"app_name": "a", "subnet_ids": ["s"], "security_group_ids": ["g"]}"#,
                &["ec2:CreateNetworkInterface", "ec2:AssignPrivateIpAddresses"],
                &["xray:PutTraceSegments"],
            ),
            // One function's needs are the shared role's.
            (
                r#"{"app_name": "a", "lambda_functions": {"auth": {"xray": true}}}"#,
                &["logs:PutLogEvents", "xray:PutTraceSegments"],
                &["ec2:CreateNetworkInterface"],
            ),
        ];
        for (config, present, absent) in cases {
            let actions = actions(config);
            for action in *present {
                assert!(actions.iter().any(|a| a == action), "{config}: {action}");
            }
            for action in *absent {
                assert!(!actions.iter().any(|a| a == action), "{config}: {action}");
            }
        }
    }

    #[test]
    fn a_policy_file_must_be_a_policy() {
        let dir = std::env::temp_dir().join(format!("chalice-policy-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".chalice")).expect("temp dir");
        let cases = [
            (r#"{"Version": "2012-10-17", "Statement": []}"#, None),
            (
                "{not json",
                Some("policy.json: is not valid JSON: key must be a string"),
            ),
            (
                r#"{"Version": "2012-10-17"}"#,
                Some("policy.json: is not an IAM policy document"),
            ),
        ];
        for (text, expected) in cases {
            std::fs::write(dir.join(".chalice/policy.json"), text).expect("write");
            match (
                policy_file(&dir, "iam_policy_file", "policy.json"),
                expected,
            ) {
                (Ok(policy), None) => assert_eq!(policy["Statement"], json!([])),
                (Err(error), Some(expected)) => {
                    assert!(error.0.contains(expected), "{text}: {}", error.0);
                }
                (result, _) => panic!("{text}: {result:?}"),
            }
        }
        let error = policy_file(&dir, "api_gateway_policy_file", "missing.json")
            .expect_err("no such file")
            .0;
        assert!(error.contains("missing.json: cannot be read"), "{error}");
        assert!(
            error.ends_with(
                "api_gateway_policy_file in .chalice/config.json names a file in the .chalice directory"
            ),
            "{error}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
