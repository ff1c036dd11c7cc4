//! Plans, snapshotted: for each case (an app, a stage, what the state file records) the plan
//! must equal the reviewed file under `tests/fixtures/plans/<case>.json`, and its lines for
//! people the ones in the table. `UPDATE_SNAPSHOTS=1 cargo test -p chalice-cli` rewrites the
//! files; review the diff before committing it.

use std::path::{Path, PathBuf};

use chalice_core::Manifest;
use serde_json::Value;

use super::graph::{Code, Graph, Inputs, Resource};
use super::plan::{Plan, plan};
use super::state::{DeployedState, FunctionRecord, Record, RestApiRecord, RoleRecord};
use crate::config::{Config, StageConfig};
use crate::policy::{default_policy, private_api_policy};
use crate::swagger::{Target, swagger};

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
    let document = swagger(
        manifest,
        private_api_policy(stage).as_ref(),
        Target::Templated,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    Graph::build(&Inputs {
        manifest,
        stage,
        code: Code::of(zip),
        api_document: super::openapi3::from_swagger2(&document),
        policy: default_policy(stage),
    })
    .unwrap_or_else(|e| panic!("{e}"))
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
        });
    }
    state
}

const CONFIG: &str = r#"{"app_name": "authz", "stages": {"dev": {}}}"#;
const CONFIG_MORE_MEMORY: &str =
    r#"{"app_name": "authz", "stages": {"dev": {"lambda_memory_size": 512}}}"#;

/// A plan's steps with the bulky values (documents, policies) replaced by their hash, so
/// the snapshot shows what the plan does, and still changes when they do.
fn snapshot(plan: &Plan) -> String {
    fn shrink(value: &mut Value) {
        if let Value::Object(fields) = value {
            for key in ["document", "policy", "trust_policy"] {
                if let Some(bulky) = fields.get_mut(key) {
                    *bulky = Value::String(format!("sha256:{}", super::graph::hash(bulky)));
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
                if let Some(mut api) = state.any_rest_api().cloned() {
                    api.invoke_permissions.retain(|key| key != "jwt_auth");
                    state.put(Record::RestApi(api));
                }
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
    ];

    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    let dir = fixtures().join("plans");
    for (name, graph, state, lines) in cases {
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
