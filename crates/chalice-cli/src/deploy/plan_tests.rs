//! Plans, snapshotted: for each case (an app, a stage, what the state file records) the plan
//! must equal the reviewed file under `tests/fixtures/plans/<case>.json`, and its lines for
//! people the ones in the table. `UPDATE_SNAPSHOTS=1 cargo test -p chalice-cli` rewrites the
//! files; review the diff before committing it.

use std::path::{Path, PathBuf};

use chalice_manifest::{EventSource, FunctionManifest, Manifest, StartingPosition};
use serde_json::Value;

use super::events::spec::{Place, Trigger};
use super::graph::{Code, Graph, Inputs, Resource};
use super::plan::{Plan, plan};
use super::state::{
    DeployedState, FunctionRecord, HttpApiRecord, Record, RestApiRecord, RoleRecord, RuleRecord,
    S3EventRecord, SnsEventRecord,
};
use crate::config::{Config, FunctionConfig, StageConfig};
use crate::templates::functions::builtin_authorizers;
use crate::templates::openapi::{Target, openapi};
use crate::templates::policy::{default_policy, private_api_policy};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn manifest(name: &str) -> Manifest {
    let path = fixtures().join("manifests").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn stage(config: &str) -> StageConfig {
    Config::parse(PathBuf::from(".chalice/config.json"), config)
        .and_then(|config| config.stage("dev"))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The graph `chalice deploy` builds for this app, stage and package.
fn graph(manifest: &Manifest, stage: &StageConfig, zip: &[u8]) -> Graph {
    try_graph(manifest, stage, zip).unwrap_or_else(|e| panic!("{e}"))
}

fn try_graph(
    manifest: &Manifest,
    stage: &StageConfig,
    zip: &[u8],
) -> Result<Graph, crate::UsageError> {
    let document = openapi(
        manifest,
        private_api_policy(stage).as_ref(),
        Target::Templated,
    )?;
    let functions: Vec<FunctionConfig> = std::iter::once(stage.api_handler())
        .chain(
            builtin_authorizers(manifest)?
                .iter()
                .map(|authorizer| stage.function(authorizer.name)),
        )
        .collect();
    Graph::build(&Inputs {
        manifest,
        stage,
        functions: &functions,
        code: Code::of(zip),
        api_document: document,
        policy: default_policy(&functions),
    })
}

/// The state a successful deploy of `graph` records (with made-up ARNs and ids).
fn deployed(graph: &Graph) -> DeployedState {
    let mut state = DeployedState::default();
    for resource in &graph.resources {
        state.put(match resource {
            Resource::Role(role) => Record::IamRole(RoleRecord {
                name: role.key.clone(),
                role_name: role.role_name.clone(),
                role_arn: format!("arn:aws:iam::123456789012:role/{}", role.role_name),
                policy_hash: role.policy_hash(),
            }),
            Resource::Function(function) => Record::LambdaFunction(FunctionRecord {
                name: function.key.clone(),
                lambda_arn: format!(
                    "arn:aws:lambda:us-east-1:123456789012:function:{}",
                    function.function_name
                ),
                function_name: function.function_name.clone(),
                code_sha256: function.code.sha256.clone(),
                config_hash: function.config_hash(),
            }),
            Resource::RestApi(api) => Record::RestApi(RestApiRecord {
                name: api.key.clone(),
                rest_api_id: "abc123".to_owned(),
                rest_api_url: format!(
                    "https://abc123.execute-api.us-east-1.amazonaws.com/{}/",
                    api.stage
                ),
                stage: api.stage.clone(),
                api_hash: api.api_hash(),
                invoke_permissions: api.invokes.keys().cloned().collect(),
            }),
            Resource::EventSource(source) => {
                let lambda_arn = format!(
                    "arn:aws:lambda:us-east-1:123456789012:function:{}",
                    source.function_name
                );
                let place = Place::of(&lambda_arn).expect("a function ARN");
                match &source.trigger {
                    Trigger::Rule(rule) => Record::CloudwatchEvent(RuleRecord {
                        name: source.key.clone(),
                        rule_name: rule.rule_name.clone(),
                        event_bus: rule.event_bus.clone(),
                        lambda_arn,
                        config_hash: source.config_hash(),
                    }),
                    Trigger::S3(s3) => Record::S3Event(S3EventRecord {
                        name: source.key.clone(),
                        bucket: s3.bucket.clone(),
                        lambda_arn,
                        config_hash: source.config_hash(),
                    }),
                    Trigger::Sns(sns) => {
                        let topic_arn = place.arn("sns", &sns.topic);
                        Record::SnsEvent(SnsEventRecord {
                            name: source.key.clone(),
                            topic: sns.topic.clone(),
                            subscription_arn: format!("{topic_arn}:0123"),
                            topic_arn,
                            lambda_arn,
                            config_hash: source.config_hash(),
                        })
                    }
                    Trigger::Mapping(mapping) => mapping.record(
                        source,
                        format!("uuid-{}", source.function),
                        mapping.source_arn(place),
                        &lambda_arn,
                    ),
                }
            }
            Resource::HttpApi(api) => Record::HttpApi(HttpApiRecord {
                name: api.key.clone(),
                api_id: "xyz789".to_owned(),
                api_url: format!(
                    "https://xyz789.execute-api.us-east-1.amazonaws.com/{}/",
                    api.stage
                ),
                integration_id: "int1".to_owned(),
                api_hash: api.api_hash(),
                invoke_permissions: api.invokes.keys().cloned().collect(),
            }),
            Resource::WebsocketApi(api) => {
                Record::WebsocketApi(super::websocket::record::WebsocketApiRecord {
                    name: api.key.clone(),
                    websocket_api_id: "ws1".to_owned(),
                    websocket_api_url: String::new(),
                    region: "us-east-1".to_owned(),
                    stage: String::new(),
                    api_hash: api.api_hash(),
                    routes_hash: String::new(),
                    invoke_permissions: Vec::new(),
                })
            }
            Resource::WebsocketRoutes(routes) => {
                let Some(Record::WebsocketApi(mut api)) = state.get(&routes.api).cloned() else {
                    panic!("the routes come after their API");
                };
                api.stage = routes.stage.clone();
                api.websocket_api_url = format!(
                    "wss://ws1.execute-api.us-east-1.amazonaws.com/{}/",
                    routes.stage
                );
                api.routes_hash = routes.routes_hash();
                api.invoke_permissions = routes.invokes.keys().cloned().collect();
                Record::WebsocketApi(api)
            }
        });
    }
    state
}

const CONFIG: &str = r#"{"app_name": "authz", "stages": {"dev": {}}}"#;
const HTTP_CONFIG: &str =
    r#"{"app_name": "todo", "stages": {"dev": {"api_gateway_type": "http"}}}"#;
const CONFIG_MORE_MEMORY: &str =
    r#"{"app_name": "authz", "stages": {"dev": {"lambda_memory_size": 512}}}"#;

/// A plan's steps with the bulky values (documents, policies) replaced by their hash, so
/// the snapshot shows what the plan does, and still changes when they do.
fn snapshot(plan: &Plan) -> String {
    fn shrink(value: &mut Value) {
        if let Value::Object(fields) = value {
            for key in ["document", "policy", "trust_policy"] {
                if let Some(bulky) = fields.get_mut(key) {
                    *bulky = Value::String(format!("sha256:{}", super::hash::hash(bulky)));
                }
            }
            for item in fields.values_mut() {
                shrink(item);
            }
        } else if let Value::Array(items) = value {
            items.iter_mut().for_each(shrink);
        }
    }
    let mut value = serde_json::to_value(plan).expect("a plan serializes");
    shrink(&mut value);
    let mut text = serde_json::to_string_pretty(&value).expect("a JSON value serializes");
    text.push('\n');
    text
}

#[test]
fn plans_match_their_snapshots() {
    let authorizers = manifest("authorizers");
    let mut without_jwt = authorizers.clone();
    without_jwt
        .routes
        .retain(|route| route.authorizer.as_deref() != Some("jwt_auth"));
    let dev = stage(CONFIG);
    let deployed_v1 = deployed(&graph(&authorizers, &dev, b"zip v1"));
    let todo = manifest("todo");
    let http = stage(HTTP_CONFIG);
    let mut todo_fewer = todo.clone();
    todo_fewer.routes.retain(|route| route.method != "DELETE");

    let cases: &[(&str, Graph, DeployedState, &[&str])] = &[
        (
            "new",
            graph(&authorizers, &dev, b"zip v1"),
            DeployedState::default(),
            &[
                "+ create IAM role authz-dev with its inline policy",
                "+ create function authz-dev (x86_64, 128 MB, 60 s, code 6 B)",
                "+ create function authz-dev-jwt_auth (x86_64, 128 MB, 60 s, code 6 B)",
                "+ create REST API authz (EDGE)",
                "+ allow API Gateway to invoke function api_handler",
                "+ allow API Gateway to invoke function jwt_auth",
                "+ deploy the API to stage api",
            ],
        ),
        (
            "unchanged",
            graph(&authorizers, &dev, b"zip v1"),
            deployed_v1.clone(),
            &["authz, stage dev: up to date"],
        ),
        (
            "changed-code",
            graph(&authorizers, &dev, b"zip v2"),
            deployed_v1.clone(),
            &[
                "~ update the code of function authz-dev (6 B)",
                "~ update the code of function authz-dev-jwt_auth (6 B)",
            ],
        ),
        (
            "changed-config",
            graph(&authorizers, &stage(CONFIG_MORE_MEMORY), b"zip v1"),
            deployed_v1.clone(),
            &[
                "~ update the configuration of function authz-dev",
                "~ update the configuration of function authz-dev-jwt_auth",
            ],
        ),
        (
            "removed-resource",
            graph(&without_jwt, &dev, b"zip v1"),
            deployed_v1.clone(),
            &[
                "~ update REST API authz",
                "+ deploy the API to stage api",
                "- delete function authz-dev-jwt_auth",
            ],
        ),
        (
            "function-deleted-behind-our-back",
            graph(&authorizers, &dev, b"zip v1"),
            {
                let mut state = deployed_v1.clone();
                state.forget("jwt_auth");
                state.forget_invoke_permission("jwt_auth");
                state
            },
            &[
                "+ create function authz-dev-jwt_auth (x86_64, 128 MB, 60 s, code 6 B)",
                "+ allow API Gateway to invoke function jwt_auth",
            ],
        ),
        (
            "renamed-app",
            graph(
                &authorizers,
                &stage(r#"{"app_name": "authz2", "stages": {"dev": {}}}"#),
                b"zip v1",
            ),
            deployed_v1.clone(),
            &[
                "- delete function authz-dev-jwt_auth",
                "- delete function authz-dev",
                "- delete IAM role authz-dev",
                "+ create IAM role authz2-dev with its inline policy",
                "+ create function authz2-dev (x86_64, 128 MB, 60 s, code 6 B)",
                "+ create function authz2-dev-jwt_auth (x86_64, 128 MB, 60 s, code 6 B)",
                "~ update REST API authz2",
                "+ allow API Gateway to invoke function api_handler",
                "+ allow API Gateway to invoke function jwt_auth",
                "+ deploy the API to stage api",
            ],
        ),
        (
            "http-new",
            graph(&todo, &http, b"zip v1"),
            DeployedState::default(),
            &[
                "+ create IAM role todo-dev with its inline policy",
                "+ create function todo-dev (x86_64, 128 MB, 60 s, code 6 B)",
                "+ create HTTP API todo (5 routes, stage api)",
                "+ allow API Gateway to invoke function api_handler",
            ],
        ),
        (
            "http-unchanged",
            graph(&todo, &http, b"zip v1"),
            deployed(&graph(&todo, &http, b"zip v1")),
            &["todo, stage dev: up to date"],
        ),
        (
            "http-route-removed",
            graph(&todo_fewer, &http, b"zip v2"),
            deployed(&graph(&todo, &http, b"zip v1")),
            &[
                "~ update the code of function todo-dev (6 B)",
                "~ update HTTP API todo",
            ],
        ),
        (
            "rest-to-http",
            graph(&todo, &http, b"zip v1"),
            deployed(&graph(&todo, &stage(r#"{"app_name": "todo"}"#), b"zip v1")),
            &[
                "+ create HTTP API todo (5 routes, stage api)",
                "+ allow API Gateway to invoke function api_handler",
                "- delete REST API abc123",
            ],
        ),
    ];

    // Event sources: every kind, an S3 hook among them.
    let mut events = manifest("events");
    events.functions.push(FunctionManifest::new(
        "on_upload",
        EventSource::s3("uploads"),
    ));
    let events_config = stage(r#"{"app_name": "jobs", "stages": {"dev": {}}}"#);
    let events_v1 = deployed(&graph(&events, &events_config, b"zip v1"));
    let mut bigger_batches = events.clone();
    let mut moved = events.clone();
    let mut fewer = events.clone();
    for function in &mut bigger_batches.functions {
        if let EventSource::Sqs { batch_size, .. } = &mut function.source {
            *batch_size = 5;
        }
    }
    for function in &mut moved.functions {
        if let EventSource::S3 { bucket, .. } = &mut function.source {
            *bucket = "uploads-2".to_owned();
        }
    }
    fewer
        .functions
        .retain(|function| !["tick", "worker"].contains(&function.name.as_str()));
    let mut events_only = events.clone();
    events_only.routes.clear();
    // Lambda can't move an existing mapping's starting position: a new one replaces it.
    let mut restarted = events.clone();
    for function in &mut restarted.functions {
        match &mut function.source {
            EventSource::Kinesis {
                starting_position,
                batch_size,
                ..
            } => {
                *starting_position = StartingPosition::Latest;
                *batch_size = 50;
            }
            EventSource::Dynamodb {
                starting_position, ..
            } => *starting_position = StartingPosition::TrimHorizon,
            _ => {}
        }
    }
    // A record that does not know its position (Chalice's): taken as it is.
    let mut positions_unknown = events_v1.clone();
    for name in ["clicks-kinesis-event-source", "audit-dynamodb-event-source"] {
        if let Some(Record::KinesisEvent(mapping) | Record::DynamodbEvent(mapping)) =
            positions_unknown.get(name).cloned().as_mut()
        {
            mapping.starting_position = None;
            let record = if name.starts_with("clicks") {
                Record::KinesisEvent(mapping.clone())
            } else {
                Record::DynamodbEvent(mapping.clone())
            };
            positions_unknown.put(record);
        }
    }
    let event_cases: &[(&str, Graph, DeployedState, &[&str])] = &[
        (
            "events-new",
            graph(&events, &events_config, b"zip v1"),
            DeployedState::default(),
            &[
                "+ create IAM role jobs-dev with its inline policy",
                "+ create function jobs-dev (x86_64, 128 MB, 60 s, code 6 B)",
                "+ create function jobs-dev-tick (x86_64, 128 MB, 60 s, code 6 B)",
                "+ create schedule rule jobs-dev-tick-event for function jobs-dev-tick",
                "+ create function jobs-dev-on_commit (x86_64, 128 MB, 60 s, code 6 B)",
                "+ create EventBridge rule jobs-dev-on_commit-event for function jobs-dev-on_commit",
                "+ create function jobs-dev-on_alert (x86_64, 128 MB, 60 s, code 6 B)",
                "+ create SNS subscription to topic alerts for function jobs-dev-on_alert",
                "+ create function jobs-dev-on_foreign_alert (x86_64, 128 MB, 60 s, code 6 B)",
                "+ create SNS subscription to topic arn:aws:sns:eu-west-1:123456789012:other-account for function jobs-dev-on_foreign_alert",
                "+ create function jobs-dev-worker (x86_64, 128 MB, 60 s, code 6 B)",
                "+ create SQS event source mapping from jobs (batch size 100) for function jobs-dev-worker",
                "+ create function jobs-dev-plain_worker (x86_64, 128 MB, 60 s, code 6 B)",
                "+ create SQS event source mapping from arn:aws:sqs:us-east-1:123456789012:shared-jobs (batch size 1) for function jobs-dev-plain_worker",
                "+ create function jobs-dev-clicks (x86_64, 128 MB, 60 s, code 6 B)",
                "+ create Kinesis event source mapping from clicks (batch size 100, starting at TRIM_HORIZON) for function jobs-dev-clicks",
                "+ create function jobs-dev-audit (x86_64, 128 MB, 60 s, code 6 B)",
                "+ create DynamoDB event source mapping from arn:aws:dynamodb:us-east-1:123456789012:table/Users/stream/2024-01-01T00:00:00.000 (batch size 10, starting at LATEST) for function jobs-dev-audit",
                "+ create function jobs-dev-add (x86_64, 128 MB, 60 s, code 6 B)",
                "+ create function jobs-dev-on_upload (x86_64, 128 MB, 60 s, code 6 B)",
                "+ create S3 notification of bucket uploads for function jobs-dev-on_upload",
                "+ create REST API jobs (EDGE)",
                "+ allow API Gateway to invoke function api_handler",
                "+ deploy the API to stage api",
            ],
        ),
        (
            "events-unchanged",
            graph(&events, &events_config, b"zip v1"),
            events_v1.clone(),
            &["jobs, stage dev: up to date"],
        ),
        (
            "events-batch-size",
            graph(&bigger_batches, &events_config, b"zip v1"),
            events_v1.clone(),
            &[
                "~ update SQS event source mapping from jobs (batch size 5) for function jobs-dev-worker",
                "~ update SQS event source mapping from arn:aws:sqs:us-east-1:123456789012:shared-jobs (batch size 5) for function jobs-dev-plain_worker",
            ],
        ),
        (
            "events-bucket-moved",
            graph(&moved, &events_config, b"zip v1"),
            events_v1.clone(),
            &[
                "- delete S3 notification of bucket uploads",
                "+ create S3 notification of bucket uploads-2 for function jobs-dev-on_upload",
            ],
        ),
        (
            "events-functions-removed",
            graph(&fewer, &events_config, b"zip v1"),
            events_v1.clone(),
            &[
                "- delete event source mapping uuid-worker",
                "- delete function jobs-dev-worker",
                "- delete rule jobs-dev-tick-event",
                "- delete function jobs-dev-tick",
            ],
        ),
        (
            "events-function-recreated",
            graph(&events, &events_config, b"zip v1"),
            {
                let mut state = events_v1.clone();
                state.forget("on_upload");
                state
            },
            &[
                "+ create function jobs-dev-on_upload (x86_64, 128 MB, 60 s, code 6 B)",
                "~ update S3 notification of bucket uploads for function jobs-dev-on_upload",
            ],
        ),
        (
            "events-function-settings",
            graph(
                &events,
                &stage(
                    r#"{"app_name": "jobs", "environment_variables": {"STAGE_WIDE": "1"},
                        "stages": {"dev": {"lambda_functions": {"worker": {
                            "lambda_memory_size": 512, "lambda_timeout": 900,
                            "reserved_concurrency": 5, "tags": {"team": "jobs"},
                            "environment_variables": {"QUEUE": "jobs"}}}}}}"#,
                ),
                b"zip v1",
            ),
            events_v1.clone(),
            &[
                "~ update the configuration of function jobs-dev",
                "~ update the configuration of function jobs-dev-tick",
                "~ update the configuration of function jobs-dev-on_commit",
                "~ update the configuration of function jobs-dev-on_alert",
                "~ update the configuration of function jobs-dev-on_foreign_alert",
                "~ update the configuration of function jobs-dev-worker",
                "~ update the configuration of function jobs-dev-plain_worker",
                "~ update the configuration of function jobs-dev-clicks",
                "~ update the configuration of function jobs-dev-audit",
                "~ update the configuration of function jobs-dev-add",
                "~ update the configuration of function jobs-dev-on_upload",
            ],
        ),
        (
            "events-starting-position",
            graph(&restarted, &events_config, b"zip v1"),
            events_v1.clone(),
            &[
                "- delete event source mapping uuid-audit",
                "- delete event source mapping uuid-clicks",
                "+ create Kinesis event source mapping from clicks (batch size 50, starting at LATEST) for function jobs-dev-clicks",
                "+ create DynamoDB event source mapping from arn:aws:dynamodb:us-east-1:123456789012:table/Users/stream/2024-01-01T00:00:00.000 (batch size 10, starting at TRIM_HORIZON) for function jobs-dev-audit",
            ],
        ),
        (
            "events-starting-position-unknown",
            graph(&restarted, &events_config, b"zip v1"),
            positions_unknown,
            &[
                "~ update Kinesis event source mapping from clicks (batch size 50, starting at LATEST) for function jobs-dev-clicks",
                "~ update DynamoDB event source mapping from arn:aws:dynamodb:us-east-1:123456789012:table/Users/stream/2024-01-01T00:00:00.000 (batch size 10, starting at TRIM_HORIZON) for function jobs-dev-audit",
            ],
        ),
        (
            "events-only",
            graph(&events_only, &events_config, b"zip v1"),
            events_v1.clone(),
            &["- delete REST API abc123", "- delete function jobs-dev"],
        ),
    ];

    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    let dir = fixtures().join("plans");
    for (name, graph, state, lines) in cases.iter().chain(event_cases) {
        let plan = plan(graph, state);
        let human: Vec<String> = plan.to_string().lines().map(str::to_owned).collect();
        assert_eq!(human, *lines, "{name}: the plan for people");
        let path = dir.join(format!("{name}.json"));
        let text = snapshot(&plan);
        if update {
            std::fs::create_dir_all(&dir).expect("create the snapshot folder");
            std::fs::write(&path, &text).expect("write the snapshot");
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            expected == text,
            "{name}: the plan differs from {} (UPDATE_SNAPSHOTS=1 rewrites it):\n{text}",
            path.display()
        );
    }
}

#[test]
fn http_apis_refuse_what_they_cannot_serve() {
    let http = stage(r#"{"app_name": "a", "stages": {"dev": {"api_gateway_type": "http"}}}"#);
    let mut cors_differs = manifest("todo");
    for route in &mut cors_differs.routes {
        if let (Some(cors), true) = (route.cors.as_mut(), route.path == "/todos/{id}") {
            cors.allow_origin = "https://example.com".to_owned();
        }
    }
    let cases = [
        (
            manifest("authorizers"),
            "route GET /keyed: api_key_required, but HTTP APIs (api_gateway_type \"http\") have \
             no API keys; deploy a REST API (\"rest\") for this app",
        ),
        (
            manifest("auth-blueprint"),
            "route GET /whoami: authorizers are not supported on HTTP APIs (api_gateway_type \
             \"http\") yet; deploy a REST API (\"rest\") for this app",
        ),
        (
            cors_differs,
            "route GET /todos/{id}: its CORS configuration differs from another route's, and an \
             HTTP API has one for all routes; use one CorsConfig, or a REST API",
        ),
    ];
    for (manifest, expected) in cases {
        let error = try_graph(&manifest, &http, b"zip").expect_err(expected);
        assert_eq!(error.0, expected);
    }
}

/// A state file as Chalice writes it for event sources (its records have fewer fields than
/// ours): read, and deleted in the reverse order, each trigger before its function.
#[test]
fn chalice_event_records_are_read_and_deleted_in_reverse() {
    let text = r#"{"resources": [
        {"name": "default-role", "resource_type": "iam_role",
         "role_arn": "arn:aws:iam::123456789012:role/jobs-dev", "role_name": "jobs-dev"},
        {"name": "tick", "resource_type": "lambda_function",
         "lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:jobs-dev-tick"},
        {"name": "tick-event", "resource_type": "cloudwatch_event", "rule_name": "jobs-dev-tick-event"},
        {"name": "up", "resource_type": "lambda_function",
         "lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:jobs-dev-up"},
        {"name": "up-s3event", "resource_type": "s3_event", "bucket": "uploads",
         "lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:jobs-dev-up"},
        {"name": "alert", "resource_type": "lambda_function",
         "lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:jobs-dev-alert"},
        {"name": "alert-sns-subscription", "resource_type": "sns_event", "topic": "alerts",
         "lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:jobs-dev-alert",
         "subscription_arn": "arn:aws:sns:us-east-1:123456789012:alerts:1234",
         "topic_arn": "arn:aws:sns:us-east-1:123456789012:alerts"},
        {"name": "work", "resource_type": "lambda_function",
         "lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:jobs-dev-work"},
        {"name": "work-sqs-event-source", "resource_type": "sqs_event",
         "queue_arn": "arn:aws:sqs:us-east-1:123456789012:jobs", "event_uuid": "u-1",
         "queue": "jobs", "lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:jobs-dev-work"},
        {"name": "clicks-kinesis-event-source", "resource_type": "kinesis_event",
         "stream_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/clicks", "event_uuid": "u-2",
         "stream": "clicks", "lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:jobs-dev-work"},
        {"name": "audit-dynamodb-event-source", "resource_type": "dynamodb_event",
         "stream_arn": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x", "event_uuid": "u-3",
         "lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:jobs-dev-work"}
      ], "schema_version": "2.0", "backend": "api"}"#;
    let state: DeployedState = serde_json::from_str(text).expect("Chalice's records");
    let plan = super::plan::deletion("jobs", "dev", &state);
    let lines: Vec<String> = plan.to_string().lines().map(str::to_owned).collect();
    assert_eq!(
        lines,
        [
            "- delete event source mapping u-3",
            "- delete event source mapping u-2",
            "- delete event source mapping u-1",
            "- delete function jobs-dev-work",
            "- delete SNS subscription to topic alerts",
            "- delete function jobs-dev-alert",
            "- delete S3 notification of bucket uploads",
            "- delete function jobs-dev-up",
            "- delete rule jobs-dev-tick-event",
            "- delete function jobs-dev-tick",
            "- delete IAM role jobs-dev",
        ]
    );
    // Written back as read, with our fields added.
    let again: DeployedState =
        serde_json::from_str(&serde_json::to_string(&state).expect("serializes")).expect("reads");
    assert_eq!(again, state);
}
