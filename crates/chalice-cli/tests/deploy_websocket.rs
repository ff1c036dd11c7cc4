//! `chalice deploy` of an app with a WebSocket API, end to end: the real `chalice` binary
//! against moto's server (from PyPI, on 127.0.0.1). A chat app (a page route, and
//! `on_ws_connect`, `on_ws_message`, `on_ws_disconnect` and a custom `leave` route) is
//! deployed: the API, its routes, integrations, stage and permissions exist, every function
//! knows the management endpoint and the role may manage the API's connections (the policy
//! `gen-policy` prints, before and after); `url --websocket` prints the `wss://` URL; a redeploy makes no changing call; a route added,
//! one removed and one given another handler change exactly those (the untouched routes
//! keep their ids: no delete-and-recreate as in Chalice); `delete` removes it all.
//!
//! What moto can't do, and so is not checked here: it runs no integration, so no message
//! reaches a handler (the runtime's own tests cover the handlers' side).
//!
//! A separate file from `deploy.rs` (the REST API's journey), so each builds its own app.

// Shared with deploy.rs, which uses all of it (Lambda results queued for `invoke`).
#[allow(dead_code)]
mod support;

use std::path::Path;
use std::process::{Output, Stdio};

use serde_json::{Value, json};

use support::moto::{Moto, Recorded, actions};
use support::project::{Artifacts, WorkDir, new_project};

const REGION: &str = "us-east-1";

/// Runs `chalice args` and answers its stdout; fails the test, with its stderr, otherwise.
fn run(project: &Path, moto: &Moto, args: &[&str]) -> (String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = moto
        .chalice(project, REGION)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("chalice runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    );
    assert!(
        status.success(),
        "chalice {args:?} failed:\n{stderr}\n{stdout}"
    );
    (stdout, stderr)
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// The changing requests moto received, as `METHOD /path` or the operation's name, with
/// the ids in the paths of apigatewayv2 calls replaced by `*`.
fn changes(recorded: &[Recorded]) -> Vec<String> {
    let mut changes: Vec<String> = recorded
        .iter()
        .filter(|request| request.changes())
        .map(|request| {
            let operation = request.operation();
            match operation.split_once(" /v2/apis") {
                Some((method, path)) => {
                    let parts: Vec<&str> = path
                        .split('/')
                        .enumerate()
                        .map(|(i, part)| if i % 2 == 0 { part } else { "*" })
                        .collect();
                    format!("{method} /v2/apis{}", parts.join("/"))
                }
                None if operation.contains("/functions/") => {
                    // Lambda's REST paths: keep the verb and the last word.
                    let (method, path) = operation.split_once(' ').unwrap_or((&operation, ""));
                    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
                    format!("{method} lambda {last}")
                }
                None => operation,
            }
        })
        .collect();
    changes.sort();
    changes
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// AWS clients of the test's own, pointed at moto.
struct Aws {
    runtime: tokio::runtime::Runtime,
    iam: aws_sdk_iam::Client,
    lambda: aws_sdk_lambda::Client,
    v2: aws_sdk_apigatewayv2::Client,
}

impl Aws {
    fn new(moto: &Moto) -> Aws {
        let (runtime, config) = moto.sdk_config(REGION);
        Aws {
            runtime,
            iam: aws_sdk_iam::Client::new(&config),
            lambda: aws_sdk_lambda::Client::new(&config),
            v2: aws_sdk_apigatewayv2::Client::new(&config),
        }
    }

    /// (route key, route id, the URI of the integration it targets), sorted.
    fn routes(&self, api: &str) -> Vec<(String, String, String)> {
        let integrations = self
            .runtime
            .block_on(self.v2.get_integrations().api_id(api).send())
            .expect("GetIntegrations");
        let uri_of = |target: &str| {
            let id = target.strip_prefix("integrations/").unwrap_or(target);
            integrations
                .items()
                .iter()
                .find(|i| i.integration_id() == Some(id))
                .and_then(|i| i.integration_uri())
                .unwrap_or("<no integration>")
                .to_owned()
        };
        let routes = self
            .runtime
            .block_on(self.v2.get_routes().api_id(api).send())
            .expect("GetRoutes");
        let mut found: Vec<(String, String, String)> = routes
            .items()
            .iter()
            .map(|route| {
                (
                    route.route_key().unwrap_or_default().to_owned(),
                    route.route_id().unwrap_or_default().to_owned(),
                    uri_of(route.target().unwrap_or_default()),
                )
            })
            .collect();
        found.sort();
        found
    }

    fn integration_count(&self, api: &str) -> usize {
        self.runtime
            .block_on(self.v2.get_integrations().api_id(api).send())
            .expect("GetIntegrations")
            .items()
            .len()
    }

    fn environment(&self, function: &str) -> Value {
        let configuration = self
            .runtime
            .block_on(
                self.lambda
                    .get_function_configuration()
                    .function_name(function)
                    .send(),
            )
            .unwrap_or_else(|e| panic!("function {function}: {e:?}"));
        json!(
            configuration
                .environment()
                .and_then(|e| e.variables())
                .cloned()
                .unwrap_or_default()
        )
    }

    fn function_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .runtime
            .block_on(self.lambda.list_functions().send())
            .expect("ListFunctions")
            .functions()
            .iter()
            .filter_map(|f| f.function_name().map(str::to_owned))
            .collect();
        names.sort();
        names
    }

    fn api_ids(&self) -> Vec<String> {
        self.runtime
            .block_on(self.v2.get_apis().send())
            .expect("GetApis")
            .items()
            .iter()
            .filter_map(|api| api.api_id().map(str::to_owned))
            .collect()
    }
}

#[test]
fn websocket_api_deploy_against_moto() {
    let name = format!("ws{}", std::process::id());
    let _artifacts = Artifacts(name.clone());
    let work = WorkDir::new("deploy-websocket");
    let Some(moto) = Moto::start(&work) else {
        return;
    };
    let aws = Aws::new(&moto);
    let project = new_project(&work, &name);
    // The app is in src/lib.rs (src/main.rs runs it).
    let app = project.join("src/lib.rs");
    edit(
        &app,
        "app.route(\"/\", index);",
        "app.route(\"/\", index);\n    \
         app.on_ws_connect(|_: chalice::WebsocketEvent| {});\n    \
         app.on_ws_message(|_: chalice::WebsocketEvent| {});\n    \
         app.on_ws_disconnect(|_: chalice::WebsocketEvent| {});\n    \
         app.on_ws_route(\"leave\", |_: chalice::WebsocketEvent| {}).name(\"leave_room\");",
    );
    let base = format!("{name}-dev");
    let function = |handler: &str| format!("{base}-{handler}");

    // The plan: the API before the role and the functions (they name it), its routes after.
    let (dry, _) = run(&project, &moto, &["deploy", "--dry-run", "--json"]);
    assert_eq!(
        actions(&json(&dry)),
        [
            "create_websocket_api",
            "create_role",
            "create_function",
            "create_function",
            "create_function",
            "create_function",
            "create_function",
            "create_rest_api",
            "add_invoke_permission",
            "deploy_rest_api",
            "sync_websocket_routes",
            "add_invoke_permission",
            "add_invoke_permission",
            "add_invoke_permission",
            "add_invoke_permission",
        ]
    );

    // `gen-policy` builds the app as the deploy does: the role may manage the connections
    // (of any WebSocket API, before this one has an id).
    let (before, _) = run(&project, &moto, &["gen-policy"]);
    let before = json(&before);
    let manage = |document: &Value| -> Vec<Value> {
        document["Statement"]
            .as_array()
            .expect("statements")
            .iter()
            .filter(|s| s["Action"] == json!(["execute-api:ManageConnections"]))
            .map(|s| s["Resource"].clone())
            .collect()
    };
    assert_eq!(
        manage(&before),
        [json!("arn:*:execute-api:*:*:*/*/*/@connections/*")],
        "{before}"
    );

    let (deployed, stderr) = run(&project, &moto, &["deploy", "--json"]);
    let result = json(&deployed);
    assert!(
        stderr.contains(&format!("Creating WebSocket API {base}-websocket-api")),
        "{stderr}"
    );
    let state =
        json(&std::fs::read_to_string(project.join(".chalice/deployed/dev.json")).expect("state"));
    let record = state["resources"]
        .as_array()
        .expect("records")
        .iter()
        .find(|r| r["resource_type"] == "websocket_api")
        .expect("a websocket_api record")
        .clone();
    assert_eq!(record["name"], "websocket_api");
    let api = record["websocket_api_id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let wss = format!("wss://{api}.execute-api.{REGION}.amazonaws.com/api/");
    assert_eq!(record["websocket_api_url"], wss.as_str());
    assert_eq!(result["websocket_url"], wss.as_str());

    // The API, its routes (each to its handler's function), its self-deploying stage.
    let got = aws
        .runtime
        .block_on(aws.v2.get_api().api_id(&api).send())
        .expect("GetApi");
    assert_eq!(got.protocol_type().map(|p| p.as_str()), Some("WEBSOCKET"));
    assert_eq!(
        got.route_selection_expression(),
        Some("$request.body.action")
    );
    let arn = |handler: &str| {
        format!(
            "arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:{REGION}:123456789012:function:{}/invocations",
            function(handler)
        )
    };
    let routes = aws.routes(&api);
    let keys_and_uris = |routes: &[(String, String, String)]| -> Vec<(String, String)> {
        routes
            .iter()
            .map(|(key, _, uri)| (key.clone(), uri.clone()))
            .collect()
    };
    assert_eq!(
        keys_and_uris(&routes),
        [
            ("$connect".to_owned(), arn("websocket_connect")),
            ("$default".to_owned(), arn("websocket_message")),
            ("$disconnect".to_owned(), arn("websocket_disconnect")),
            ("leave".to_owned(), arn("leave_room")),
        ]
    );
    let stage = aws
        .runtime
        .block_on(aws.v2.get_stage().api_id(&api).stage_name("api").send())
        .expect("GetStage");
    assert_eq!(stage.auto_deploy(), Some(true));

    // Every function can reach the API's connections: the endpoint, and the role's leave.
    let endpoint = format!("https://{api}.execute-api.{REGION}.amazonaws.com/api");
    for (function, handler) in [
        (base.clone(), None),
        (function("websocket_connect"), Some("websocket_connect")),
        (function("websocket_message"), Some("websocket_message")),
        (
            function("websocket_disconnect"),
            Some("websocket_disconnect"),
        ),
        (function("leave_room"), Some("leave_room")),
    ] {
        let environment = aws.environment(&function);
        assert_eq!(
            environment["CHALICE_WEBSOCKET_ENDPOINT"], endpoint,
            "{function}"
        );
        assert_eq!(
            environment.get("CHALICE_HANDLER").and_then(Value::as_str),
            handler,
            "{function}"
        );
    }
    let policy = aws
        .runtime
        .block_on(
            aws.iam
                .get_role_policy()
                .role_name(&base)
                .policy_name(&base)
                .send(),
        )
        .expect("the role's policy");
    let document =
        percent_encoding::percent_decode_str(policy.policy_document()).decode_utf8_lossy();
    let document = json(&document);
    let statements = document["Statement"].as_array().expect("statements");
    assert!(
        statements.contains(&json!({
            "Effect": "Allow",
            "Action": ["execute-api:ManageConnections"],
            "Resource": format!("arn:aws:execute-api:{REGION}:123456789012:{api}/*"),
        })),
        "{document}"
    );
    // Once deployed, `gen-policy` prints the policy the role has.
    let (after, _) = run(&project, &moto, &["gen-policy"]);
    assert_eq!(json(&after), document);
    let permission = aws
        .runtime
        .block_on(
            aws.lambda
                .get_policy()
                .function_name(function("websocket_message"))
                .send(),
        )
        .expect("GetPolicy");
    assert!(
        permission.policy().is_some_and(|p| p.contains(&format!(
            "arn:aws:execute-api:{REGION}:123456789012:{api}/*"
        )) && p.contains("apigateway.amazonaws.com")),
        "{permission:?}"
    );

    // `url` prints the REST API's, `url --websocket` the WebSocket API's.
    let (rest, _) = run(&project, &moto, &["url"]);
    assert_eq!(rest.trim(), result["url"].as_str().expect("a REST URL"));
    let (url, _) = run(&project, &moto, &["url", "--websocket"]);
    assert_eq!(url, format!("{wss}\n"));

    // Nothing changed: nothing is called that changes anything.
    moto.start_recording();
    let (again, _) = run(&project, &moto, &["deploy", "--json"]);
    assert_eq!(changes(&moto.stop_recording()), Vec::<String>::new());
    assert_eq!(json(&again)["up_to_date"], true);

    // A route added (`join`), one removed (`$disconnect`), one given another handler
    // (`leave`): exactly those change; `$connect` and `$default` keep their routes and
    // integrations. (The code changed too: each remaining function gets it.)
    edit(
        &app,
        "app.on_ws_disconnect(|_: chalice::WebsocketEvent| {});",
        "app.on_ws_route(\"join\", |_: chalice::WebsocketEvent| {}).name(\"join_room\");",
    );
    edit(&app, "name(\"leave_room\")", "name(\"exit_room\")");
    moto.start_recording();
    let (changed, _) = run(&project, &moto, &["deploy", "--json"]);
    let calls = changes(&moto.stop_recording());
    let mut planned = actions(&json(&changed));
    planned.sort();
    assert_eq!(
        planned,
        [
            "add_invoke_permission",
            "add_invoke_permission",
            "create_function",
            "create_function",
            "delete_function",
            "delete_function",
            "sync_websocket_routes",
            "update_function_code",
            "update_function_code",
            "update_function_code",
        ]
    );
    let v2: Vec<&str> = calls
        .iter()
        .filter(|c| c.contains("/v2/apis"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        v2,
        [
            "DELETE /v2/apis/*/integrations/*",
            "DELETE /v2/apis/*/integrations/*",
            "DELETE /v2/apis/*/routes/*",
            "PATCH /v2/apis/*/routes/*",
            "POST /v2/apis/*/integrations",
            "POST /v2/apis/*/integrations",
            "POST /v2/apis/*/routes",
        ],
        "{calls:?}"
    );
    let after = aws.routes(&api);
    assert_eq!(
        keys_and_uris(&after),
        [
            ("$connect".to_owned(), arn("websocket_connect")),
            ("$default".to_owned(), arn("websocket_message")),
            ("join".to_owned(), arn("join_room")),
            ("leave".to_owned(), arn("exit_room")),
        ]
    );
    assert_eq!(after[0].1, routes[0].1, "$connect kept its route");
    assert_eq!(after[1].1, routes[1].1, "$default kept its route");
    assert_eq!(
        after[3].1, routes[3].1,
        "leave was re-pointed, not recreated"
    );
    assert_eq!(aws.integration_count(&api), 4, "no integration left behind");
    assert_eq!(
        aws.function_names(),
        [
            base.clone(),
            function("exit_room"),
            function("join_room"),
            function("websocket_connect"),
            function("websocket_message"),
        ]
    );

    // `delete` removes the API with the rest.
    let (_, stderr) = run(&project, &moto, &["delete"]);
    assert!(
        stderr.contains(&format!("Deleting WebSocket API {api}")),
        "{stderr}"
    );
    assert_eq!(aws.api_ids(), Vec::<String>::new());
    assert_eq!(aws.function_names(), Vec::<String>::new());
    assert!(!project.join(".chalice/deployed/dev.json").exists());
}
