//! The WebSocket API through the graph and the planner, as `chalice deploy` builds them.

use chalice_manifest::{Manifest, WEBSOCKET_ENDPOINT_ENV};

use super::plan::{resolve, resolve_role};
use super::record::{CONNECTIONS_PLACEHOLDER, WEBSOCKET_API_KEY, WebsocketApiRecord};
use crate::config::Config;
use crate::deploy::graph::{Code, Graph, Inputs, Resource};
use crate::deploy::plan::plan;
use crate::deploy::state::{DeployedState, FunctionRecord, Record, RestApiRecord, RoleRecord};
use crate::deploy::url::websocket_url;
use crate::templates::openapi::{Target, openapi};
use crate::templates::policy::{default_policy, with_websocket_connections};

fn manifest(name: &str) -> Manifest {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/manifests/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// The graph `chalice deploy` builds (commands/deploy.rs gathers the same inputs).
fn graph(manifest: &Manifest) -> Graph {
    let stage = Config::parse(".chalice/config.json".into(), r#"{"app_name": "chat"}"#)
        .and_then(|config| config.stage("dev"))
        .expect("a valid config");
    let functions = [stage.api_handler()];
    let policy = with_websocket_connections(
        default_policy(&functions),
        manifest,
        &serde_json::Value::String(CONNECTIONS_PLACEHOLDER.to_owned()),
    );
    Graph::build(&Inputs {
        manifest,
        stage: &stage,
        functions: &functions,
        code: Code::of(b"zip"),
        api_document: openapi(manifest, None, Target::Templated).unwrap_or_default(),
        policy,
    })
    .expect("a graph")
}

/// What the executor records for `graph`, step by step (placeholders filled in from
/// what is recorded before, as it does).
fn deployed(graph: &Graph) -> DeployedState {
    let mut state = DeployedState::default();
    for resource in &graph.resources {
        let record = match &*resolve(resource, &state) {
            Resource::Role(role) => {
                state.put(Record::IamRole(RoleRecord {
                    name: role.key.clone(),
                    role_name: role.role_name.clone(),
                    role_arn: format!("arn:aws:iam::123456789012:role/{}", role.role_name),
                    policy_hash: String::new(),
                }));
                let role = resolve_role(role, &state).expect("the API and role are known");
                let Some(Record::IamRole(mut record)) = state.get(&role.key).cloned() else {
                    unreachable!("just recorded");
                };
                record.policy_hash = role.policy_hash();
                Record::IamRole(record)
            }
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
                rest_api_url: String::new(),
                stage: api.stage.clone(),
                api_hash: api.api_hash(),
                invoke_permissions: api.invokes.keys().cloned().collect(),
            }),
            Resource::WebsocketApi(api) => Record::WebsocketApi(WebsocketApiRecord {
                name: api.key.clone(),
                websocket_api_id: "ws1".to_owned(),
                websocket_api_url: String::new(),
                region: "us-east-1".to_owned(),
                stage: String::new(),
                api_hash: api.api_hash(),
                routes_hash: String::new(),
                invoke_permissions: Vec::new(),
            }),
            Resource::WebsocketRoutes(routes) => {
                let mut api = state.websocket_api(&routes.api).cloned().expect("first");
                api.stage = routes.stage.clone();
                api.routes_hash = routes.routes_hash();
                api.invoke_permissions = routes.invokes.keys().cloned().collect();
                Record::WebsocketApi(api)
            }
            Resource::HttpApi(_) | Resource::EventSource(_) => {
                unreachable!("a REST API stage, no event handlers")
            }
        };
        state.put(record);
    }
    state
}

fn actions(plan: &crate::deploy::plan::Plan) -> Vec<String> {
    plan.steps
        .iter()
        .map(|step| {
            let value = serde_json::to_value(step).expect("a step serializes");
            value["action"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

#[test]
fn plans_create_the_api_first_and_bring_it_up_to_date_by_difference() {
    let chat = graph(&manifest("chat"));
    let chat_deployed = deployed(&chat);
    let mut renamed = manifest("chat");
    if let Some(api) = &mut renamed.websocket {
        api.route_selection_expression = "$request.body.type".to_owned();
    }
    let mut fewer = manifest("chat");
    if let Some(api) = &mut fewer.websocket {
        api.routes.retain(|route| route.route_key != "join");
    }
    let mut recreated = chat_deployed.clone();
    recreated.forget(WEBSOCKET_API_KEY);
    let functions = [
        "create_function",
        "create_function",
        "create_function",
        "create_function",
        "create_function",
    ];
    let permissions = [
        "add_invoke_permission",
        "add_invoke_permission",
        "add_invoke_permission",
        "add_invoke_permission",
    ];
    let cases: Vec<(&str, Graph, DeployedState, Vec<&str>)> = vec![
        (
            "new: the API before the role and functions, which name it",
            chat.clone(),
            DeployedState::default(),
            [&["create_websocket_api", "create_role"][..], &functions]
                .concat()
                .into_iter()
                .chain([
                    "create_rest_api",
                    "add_invoke_permission",
                    "deploy_rest_api",
                ])
                .chain(["sync_websocket_routes"])
                .chain(permissions)
                .collect(),
        ),
        ("unchanged", chat.clone(), chat_deployed.clone(), vec![]),
        (
            "another selection expression",
            graph(&renamed),
            chat_deployed.clone(),
            vec!["update_websocket_api"],
        ),
        (
            "a route removed: its function after the routes no longer use it",
            graph(&fewer),
            chat_deployed.clone(),
            vec!["sync_websocket_routes", "delete_function"],
        ),
        (
            "the API deleted behind chalice's back: what named it follows the new one",
            chat.clone(),
            recreated,
            [
                &["create_websocket_api", "update_role_policy"][..],
                &[
                    "update_function_configuration",
                    "update_function_configuration",
                    "update_function_configuration",
                    "update_function_configuration",
                    "update_function_configuration",
                ],
                &["sync_websocket_routes"],
                &permissions,
            ]
            .concat(),
        ),
    ];
    for (case, graph, state, expected) in cases {
        assert_eq!(actions(&plan(&graph, &state)), expected, "{case}");
    }
}

#[test]
fn placeholders_take_the_recorded_apis_values() {
    let chat = graph(&manifest("chat"));
    let state = deployed(&chat);
    for resource in &chat.resources {
        match &*resolve(resource, &state) {
            Resource::Function(function) => assert_eq!(
                function.environment[WEBSOCKET_ENDPOINT_ENV],
                "https://ws1.execute-api.us-east-1.amazonaws.com/api",
                "{}",
                function.key
            ),
            Resource::Role(role) => {
                let statements = role.policy["Statement"].as_array().expect("statements");
                assert_eq!(
                    statements.last().map(|s| &s["Resource"]),
                    Some(&serde_json::json!(
                        "arn:aws:execute-api:us-east-1:123456789012:ws1/*"
                    ))
                );
            }
            _ => {}
        }
    }
    // Nothing recorded yet: the placeholders stay, for the executor to fill in.
    let Resource::Function(first) = &*resolve(&chat.resources[2], &DeployedState::default()) else {
        panic!(
            "the API, the role, then the functions: {:?}",
            chat.resources[2]
        );
    };
    assert_eq!(
        first.environment[WEBSOCKET_ENDPOINT_ENV],
        "https://{websocket_api_host}/api"
    );
}

#[test]
fn an_app_of_websocket_handlers_alone_has_no_api_handler() {
    let keys: Vec<String> = graph(&manifest("websocket-only"))
        .resources
        .iter()
        .map(|resource| resource.key().to_owned())
        .collect();
    assert_eq!(
        keys,
        [
            "websocket_api",
            "default-role",
            "websocket_message",
            "websocket_api.routes"
        ]
    );
}

#[test]
fn urls_and_hosts_are_api_gateways() {
    assert_eq!(
        websocket_url("abc", "eu-west-1", "api"),
        "wss://abc.execute-api.eu-west-1.amazonaws.com/api/"
    );
    let record = |id: &str, region: &str| WebsocketApiRecord {
        name: WEBSOCKET_API_KEY.to_owned(),
        websocket_api_id: id.to_owned(),
        websocket_api_url: String::new(),
        region: region.to_owned(),
        stage: String::new(),
        api_hash: String::new(),
        routes_hash: String::new(),
        invoke_permissions: Vec::new(),
    };
    let cases = [
        (
            "abc",
            "us-east-1",
            Some("abc.execute-api.us-east-1.amazonaws.com"),
        ),
        (
            "abc",
            "cn-north-1",
            Some("abc.execute-api.cn-north-1.amazonaws.com.cn"),
        ),
        ("", "us-east-1", None),
        ("abc", "", None),
    ];
    let mut chalices = record("abc", "");
    chalices.websocket_api_url = "wss://abc.execute-api.eu-west-1.amazonaws.com/api/".into();
    assert_eq!(
        chalices.host().as_deref(),
        Some("abc.execute-api.eu-west-1.amazonaws.com"),
        "the region of a record without one is its URL's"
    );
    for (id, region, host) in cases {
        assert_eq!(record(id, region).host().as_deref(), host, "{id} {region}");
    }
}

/// A `websocket_api` record as Chalice 1.34 writes it: ours reads it.
#[test]
fn chalices_record_is_read() {
    let record: Record = serde_json::from_str(
        r#"{"name": "websocket_api", "resource_type": "websocket_api",
            "websocket_api_id": "abc123",
            "websocket_api_url": "wss://abc123.execute-api.us-east-1.amazonaws.com/api/"}"#,
    )
    .expect("Chalice's record");
    let Record::WebsocketApi(api) = record else {
        panic!("not a WebSocket API record: {record:?}");
    };
    assert_eq!(api.websocket_api_id, "abc123");
    assert_eq!(api.routes_hash, "", "ours are optional");
}
