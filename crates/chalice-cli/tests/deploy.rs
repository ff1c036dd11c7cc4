//! `chalice deploy` end to end, with the real `chalice` binary against moto's server (the AWS
//! emulator from PyPI, on 127.0.0.1): new project → dry run → deploy → the resources exist
//! with the right configuration and code hash → `url` → a redeploy with nothing changed
//! (zero changing calls, counted by moto's own request recorder) → a code change (one code
//! update) → a configuration change → a route removed → `invoke` → `logs` → a deploy killed
//! half-way, then rerun → `delete` leaves nothing behind.
//!
//! One test, because the slow parts (release builds of the app) are shared by every step.
//! What moto can't do, and so is not checked here: it runs no proxy integration (calling
//! the deployed URL does nothing useful; the Lambda side is tested through the Runtime API
//! in chalice-lambda), and its Docker-free Lambda never fails an invocation (it echoes the
//! payload, or answers results queued for it), so `invoke`'s exit status 1 on a function
//! error is not exercised.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Output, Stdio};

use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

use support::moto::{Moto, Recorded, actions};
use support::project::{Artifacts, WorkDir, new_project};

const REGION: &str = "us-east-1";

struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn of(output: Output) -> Run {
        let Output {
            status,
            stdout,
            stderr,
        } = output;
        Run {
            status: status.code(),
            stdout: String::from_utf8(stdout).unwrap_or_else(|e| panic!("stdout: {e}")),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    fn ok(self, what: &str) -> Run {
        assert_eq!(
            self.status,
            Some(0),
            "{what} failed:\n{}\n{}",
            self.stderr,
            self.stdout
        );
        self
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

fn run(project: &Path, moto: &Moto, args: &[&str]) -> Run {
    Run::of(
        moto.chalice(project, REGION)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("chalice runs"),
    )
}

/// The changing requests moto received, as `METHOD /path` or the operation's name.
fn changes(recorded: &[Recorded]) -> Vec<String> {
    recorded
        .iter()
        .filter(|request| request.changes())
        .map(Recorded::operation)
        .collect()
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// Lambda's `CodeSha256` of the package the last deploy of `stage` wrote.
fn package_hash(project: &Path, stage: &str) -> String {
    let zip = std::fs::read(project.join(format!(".chalice/deployments/{stage}.zip")))
        .expect("the deployment package");
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&zip))
}

/// AWS clients of the test's own, pointed at moto.
struct Aws {
    runtime: tokio::runtime::Runtime,
    iam: aws_sdk_iam::Client,
    lambda: aws_sdk_lambda::Client,
    apigateway: aws_sdk_apigateway::Client,
    apigatewayv2: aws_sdk_apigatewayv2::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
}

impl Aws {
    fn new(moto: &Moto) -> Aws {
        let (runtime, config) = moto.sdk_config(REGION);
        Aws {
            runtime,
            iam: aws_sdk_iam::Client::new(&config),
            lambda: aws_sdk_lambda::Client::new(&config),
            apigateway: aws_sdk_apigateway::Client::new(&config),
            apigatewayv2: aws_sdk_apigatewayv2::Client::new(&config),
            logs: aws_sdk_cloudwatchlogs::Client::new(&config),
        }
    }

    fn function(&self, name: &str) -> aws_sdk_lambda::operation::get_function::GetFunctionOutput {
        self.runtime
            .block_on(self.lambda.get_function().function_name(name).send())
            .unwrap_or_else(|e| panic!("function {name}: {e:?}"))
    }

    fn function_names(&self) -> Vec<String> {
        let listed = self
            .runtime
            .block_on(self.lambda.list_functions().send())
            .expect("ListFunctions");
        listed
            .functions()
            .iter()
            .filter_map(|f| f.function_name().map(str::to_owned))
            .collect()
    }

    fn role_names(&self) -> Vec<String> {
        let listed = self
            .runtime
            .block_on(self.iam.list_roles().send())
            .expect("ListRoles");
        listed
            .roles()
            .iter()
            .map(|r| r.role_name().to_owned())
            .collect()
    }

    /// (id, name) of every REST API.
    fn rest_apis(&self) -> Vec<(String, String)> {
        let listed = self
            .runtime
            .block_on(self.apigateway.get_rest_apis().send())
            .expect("GetRestApis");
        listed
            .items()
            .iter()
            .map(|api| {
                (
                    api.id().unwrap_or_default().to_owned(),
                    api.name().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    /// Writes `messages` to a log stream, stamped now.
    fn put_events(&self, group: &str, stream: &str, messages: &[&str]) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_millis() as i64;
        let events = messages
            .iter()
            .enumerate()
            .map(|(i, message)| {
                aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                    .timestamp(now - 1000 + i as i64)
                    .message(*message)
                    .build()
                    .expect("an event")
            })
            .collect();
        self.runtime
            .block_on(
                self.logs
                    .put_log_events()
                    .log_group_name(group)
                    .log_stream_name(stream)
                    .set_log_events(Some(events))
                    .send(),
            )
            .expect("PutLogEvents");
    }

    /// (path, methods) of an API's resources, sorted.
    fn routes(&self, id: &str) -> Vec<(String, Vec<String>)> {
        let listed = self
            .runtime
            .block_on(
                self.apigateway
                    .get_resources()
                    .rest_api_id(id)
                    .limit(500)
                    .send(),
            )
            .expect("GetResources");
        let mut routes: Vec<(String, Vec<String>)> = listed
            .items()
            .iter()
            .map(|resource| {
                let mut methods: Vec<String> = resource
                    .resource_methods()
                    .map(|methods| methods.keys().cloned().collect())
                    .unwrap_or_default();
                methods.sort();
                (resource.path().unwrap_or_default().to_owned(), methods)
            })
            .collect();
        routes.sort();
        routes
    }
}

#[test]
fn deploy_against_moto() {
    let name = format!("dep{}", std::process::id());
    let _artifacts = Artifacts(name.clone());
    let work = WorkDir::new("deploy");
    let Some(moto) = Moto::start(&work) else {
        return;
    };
    let aws = Aws::new(&moto);
    let project = new_project(&work, &name);
    // The app is in src/lib.rs (src/main.rs runs it).
    let main = project.join("src/lib.rs");
    let config = project.join(".chalice/config.json");
    // Two more routes, one behind a built-in authorizer (its own function).
    edit(
        &main,
        "app.route(\"/\", index);",
        "app.route(\"/\", index);\n    app.route(\"/extra\", index);\n    \
         let auth = app.authorizer(\"auth\", |_: &chalice::AuthRequest| \
         Ok::<_, chalice::ChaliceError>(chalice::AuthResponse::new(\"user\").routes([\"/private\"])));\n    \
         app.register(chalice::Route::new(\"/private\", index).authorizer(&auth));",
    );
    let function = format!("{name}-dev");
    let authorizer = format!("{name}-dev-auth");

    // A dry run plans everything and changes nothing.
    moto.start_recording();
    let dry = run(&project, &moto, &["deploy", "--dry-run", "--json"]).ok("deploy --dry-run");
    assert_eq!(changes(&moto.stop_recording()), Vec::<String>::new());
    assert_eq!(
        actions(&dry.json()),
        [
            "create_role",
            "create_function",
            "create_function",
            "create_rest_api",
            "add_invoke_permission",
            "add_invoke_permission",
            "deploy_rest_api"
        ]
    );
    assert!(!project.join(".chalice/deployed/dev.json").exists());
    let human = run(&project, &moto, &["deploy", "--dry-run"]).ok("deploy --dry-run");
    assert!(
        human.stdout.contains(&format!(
            "+ create function {function} (x86_64, 128 MB, 60 s"
        )),
        "{}",
        human.stdout
    );

    // The first deploy creates everything, with the stage's settings.
    let deployed = run(&project, &moto, &["deploy", "--json"]).ok("deploy");
    let result = deployed.json();
    let url = result["url"].as_str().expect("a URL").to_owned();
    for line in [
        format!("Creating role {function}"),
        format!("Creating function {function} ("),
        format!("Creating REST API {name}"),
        "Deploying API to stage api".to_owned(),
    ] {
        assert!(
            deployed.stderr.contains(&line),
            "no {line:?} in:\n{}",
            deployed.stderr
        );
    }
    let state: Value = serde_json::from_slice(
        &std::fs::read(project.join(".chalice/deployed/dev.json")).expect("the state file"),
    )
    .expect("JSON");
    assert_eq!(state["schema_version"], "2.0");
    let records: Vec<(&str, &str)> = state["resources"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap_or(""),
                r["resource_type"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        records,
        [
            ("default-role", "iam_role"),
            ("api_handler", "lambda_function"),
            ("auth", "lambda_function"),
            ("rest_api", "rest_api")
        ]
    );
    let api_id = state["resources"][3]["rest_api_id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        url,
        format!("https://{api_id}.execute-api.{REGION}.amazonaws.com/api/")
    );

    let role = aws
        .runtime
        .block_on(aws.iam.get_role().role_name(&function).send())
        .expect("the role");
    let role_arn = role.role().expect("role").arn().to_owned();
    let policy = aws
        .runtime
        .block_on(
            aws.iam
                .get_role_policy()
                .role_name(&function)
                .policy_name(&function)
                .send(),
        )
        .expect("the role's inline policy");
    // IAM answers the document percent-encoded, as real IAM does.
    let document =
        percent_encoding::percent_decode_str(policy.policy_document()).decode_utf8_lossy();
    let document: Value = serde_json::from_str(&document).expect("a policy document");
    assert_eq!(
        document["Statement"][0]["Action"],
        serde_json::json!([
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents"
        ])
    );
    let deployed_function = aws.function(&function);
    let configuration = deployed_function.configuration().expect("configuration");
    assert_eq!(
        configuration.runtime().map(|r| r.as_str()),
        Some("provided.al2023")
    );
    assert_eq!(configuration.handler(), Some("bootstrap"));
    assert_eq!(configuration.memory_size(), Some(128));
    assert_eq!(configuration.timeout(), Some(60));
    assert_eq!(configuration.role(), Some(role_arn.as_str()));
    assert_eq!(
        configuration
            .architectures()
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>(),
        ["x86_64"]
    );
    assert_eq!(
        configuration.code_sha256(),
        Some(package_hash(&project, "dev").as_str())
    );
    let tag = deployed_function
        .tags()
        .and_then(|tags| tags.get("aws-chalice"))
        .cloned()
        .unwrap_or_default();
    assert!(tag.ends_with(&format!(":stage=dev:app={name}")), "{tag}");
    for name in [&function, &authorizer] {
        let permissions = aws
            .runtime
            .block_on(aws.lambda.get_policy().function_name(name).send())
            .expect("the function's policy");
        let permissions = permissions.policy().unwrap_or_default();
        assert!(
            permissions.contains("apigateway.amazonaws.com") && permissions.contains(&api_id),
            "{name}: {permissions}"
        );
    }
    let authorizer_function = aws.function(&authorizer);
    let configuration = authorizer_function.configuration().expect("configuration");
    assert_eq!(
        configuration
            .environment()
            .and_then(|e| e.variables())
            .and_then(|v| v.get("CHALICE_HANDLER"))
            .map(String::as_str),
        Some("auth")
    );
    assert_eq!(
        configuration.code_sha256(),
        Some(package_hash(&project, "dev").as_str()),
        "the authorizer runs the same package"
    );
    assert_eq!(
        aws.routes(&api_id),
        [
            ("/".to_owned(), vec!["GET".to_owned()]),
            ("/extra".to_owned(), vec!["GET".to_owned()]),
            ("/private".to_owned(), vec!["GET".to_owned()])
        ]
    );
    let stage = aws.runtime.block_on(
        aws.apigateway
            .get_stage()
            .rest_api_id(&api_id)
            .stage_name("api")
            .send(),
    );
    assert!(stage.is_ok(), "stage api: {stage:?}");

    // `url` reads it back; a stage never deployed is a usage error.
    let printed = run(&project, &moto, &["url"]).ok("url");
    assert_eq!(printed.stdout.trim(), url);
    let missing = run(&project, &moto, &["url", "--stage", "prod"]);
    assert_eq!(missing.status, Some(2), "{}", missing.stderr);
    assert!(
        missing
            .stderr
            .contains("error: stage prod is not deployed ("),
        "{}",
        missing.stderr
    );

    // Nothing changed: read calls only, as moto saw them.
    moto.start_recording();
    let again = run(&project, &moto, &["deploy"]).ok("deploy unchanged");
    let recorded = moto.stop_recording();
    assert_eq!(changes(&recorded), Vec::<String>::new());
    let summary = format!(
        "Up to date {name} stage dev ({} AWS calls (0 changing))",
        recorded.len()
    );
    assert!(
        again.stderr.contains(&summary),
        "no {summary:?} in:\n{}",
        again.stderr
    );
    assert_eq!(again.stdout.trim(), format!("Rest API URL: {url}"));

    // A code change: one code update per function (and its wait), nothing else.
    edit(&main, r#""world""#, r#""again""#);
    moto.start_recording();
    let code = run(&project, &moto, &["deploy", "--json"]).ok("deploy a code change");
    let recorded = moto.stop_recording();
    assert_eq!(
        actions(&code.json()),
        ["update_function_code", "update_function_code"]
    );
    assert_eq!(
        changes(&recorded),
        [
            format!("PUT /2015-03-31/functions/{function}/code"),
            format!("PUT /2015-03-31/functions/{authorizer}/code")
        ]
    );
    assert!(
        code.stderr
            .contains(&format!("Updating function code {function} (")),
        "{}",
        code.stderr
    );
    assert_eq!(
        aws.function(&function)
            .configuration()
            .and_then(|c| c.code_sha256()),
        Some(package_hash(&project, "dev").as_str())
    );

    // A configuration change: the configuration, not the code.
    edit(
        &config,
        r#""api_gateway_stage": "api""#,
        r#""api_gateway_stage": "api", "lambda_memory_size": 256, "environment_variables": {"GREETING": "hi"}"#,
    );
    let configured = run(&project, &moto, &["deploy", "--json"]).ok("deploy a config change");
    assert_eq!(
        actions(&configured.json()),
        [
            "update_function_configuration",
            "update_function_configuration"
        ]
    );
    let updated = aws.function(&function);
    let configuration = updated.configuration().expect("configuration");
    assert_eq!(configuration.memory_size(), Some(256));
    assert_eq!(
        configuration
            .environment()
            .and_then(|e| e.variables())
            .and_then(|v| v.get("GREETING"))
            .map(String::as_str),
        Some("hi")
    );

    // Routes removed, the authorizer's among them, and an API setting: the API is
    // overwritten and deployed again, and the authorizer's function, which no route uses
    // any more, deleted last.
    edit(&main, "\n    app.route(\"/extra\", index);", "");
    edit(
        &main,
        "\n    app.register(chalice::Route::new(\"/private\", index).authorizer(&auth));",
        "\n    let _ = auth;",
    );
    edit(
        &config,
        r#""lambda_memory_size": 256"#,
        r#""lambda_memory_size": 256, "minimum_compression_size": 1024"#,
    );
    moto.start_recording();
    let removed = run(&project, &moto, &["deploy", "--json"]).ok("deploy without two routes");
    let recorded = moto.stop_recording();
    assert_eq!(
        actions(&removed.json()),
        [
            "update_function_code",
            "update_rest_api",
            "deploy_rest_api",
            "delete_function"
        ]
    );
    assert_eq!(
        aws.routes(&api_id),
        [("/".to_owned(), vec!["GET".to_owned()])]
    );
    // moto ignores a patch of minimumCompressionSize, so check what was sent.
    let patch = recorded
        .iter()
        .find(|request| request.operation() == format!("PATCH /restapis/{api_id}"))
        .expect("an UpdateRestApi call");
    let patch: Value = serde_json::from_str(&patch.body).expect("a JSON body");
    assert_eq!(
        patch["patchOperations"],
        serde_json::json!([{"op": "replace", "path": "/minimumCompressionSize", "value": "1024"}])
    );
    assert_eq!(aws.function_names(), std::slice::from_ref(&function));
    let state: Value = serde_json::from_slice(
        &std::fs::read(project.join(".chalice/deployed/dev.json")).expect("the state file"),
    )
    .expect("JSON");
    assert_eq!(
        state["resources"].as_array().map(Vec::len),
        Some(3),
        "{state}"
    );
    assert_eq!(
        state["resources"][2]["invoke_permissions"],
        serde_json::json!(["api_handler"])
    );

    // invoke: moto's Docker-free Lambda echoes the payload, or answers a queued result.
    let echoed = run(&project, &moto, &["invoke", "--payload", r#"{"ping":1}"#]).ok("invoke");
    assert_eq!(echoed.stdout.trim(), r#"{"ping":1}"#);
    moto.queue_lambda_result(REGION, r#"{"queued":true}"#);
    let mut child = moto
        .chalice(&project, REGION)
        .arg("invoke")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chalice invoke runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"{}")
        .expect("the payload");
    let queued = Run::of(child.wait_with_output().expect("invoke ends")).ok("invoke from stdin");
    assert_eq!(queued.stdout.trim(), r#"{"queued":true}"#);
    let unknown = run(&project, &moto, &["invoke", "-n", "nope"]);
    assert_eq!(unknown.status, Some(2));
    assert!(
        unknown
            .stderr
            .contains(r#"stage dev has no function "nope"; its functions: api_handler"#),
        "{}",
        unknown.stderr
    );

    // logs: the lines the test put in the function's log group, Lambda's own hidden.
    let group = format!("/aws/lambda/{function}");
    let stream = "2024/05/01/[$LATEST]0123456789abcdef0123456789abcdef";
    aws.runtime.block_on(async {
        aws.logs
            .create_log_group()
            .log_group_name(&group)
            .send()
            .await
            .expect("CreateLogGroup");
        aws.logs
            .create_log_stream()
            .log_group_name(&group)
            .log_stream_name(stream)
            .send()
            .await
            .expect("CreateLogStream");
    });
    aws.put_events(
        &group,
        stream,
        &[
            "START RequestId: 1 Version: $LATEST",
            "hello from the test",
            "END RequestId: 1",
        ],
    );
    let logs = run(&project, &moto, &["logs", "--since", "1h"]).ok("logs");
    assert!(
        logs.stdout.contains(" 01234567 hello from the test\n"),
        "{}",
        logs.stdout
    );
    assert!(!logs.stdout.contains("START RequestId"), "{}", logs.stdout);
    let all = run(&project, &moto, &["logs", "--include-lambda-messages"]).ok("logs");
    assert_eq!(all.stdout.lines().count(), 3, "{}", all.stdout);
    assert!(
        all.stdout
            .lines()
            .next()
            .unwrap_or("")
            .ends_with("START RequestId: 1 Version: $LATEST")
    );

    // --follow prints what is there, then each new line once, as it arrives.
    let mut child = moto
        .chalice(&project, REGION)
        .args(["logs", "--follow"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chalice logs --follow runs");
    let (send, lines) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    let patience = std::time::Duration::from_secs(30);
    let first = lines
        .recv_timeout(patience)
        .expect("the line already there");
    assert!(first.ends_with("hello from the test"), "{first}");
    aws.put_events(&group, stream, &["a line written while following"]);
    let next = lines.recv_timeout(patience).expect("the new line");
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        next.ends_with("a line written while following"),
        "the first line again, or something else: {next}"
    );
    let rest: Vec<String> = lines.try_iter().collect();
    assert!(
        rest.iter()
            .all(|line| !line.ends_with("hello from the test")),
        "printed twice: {rest:?}"
    );

    // What AWS refuses, as messages that name the fix.
    let no_credentials = Run::of(
        moto.chalice(&project, REGION)
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .args(["invoke", "--payload", "{}"])
            .output()
            .expect("chalice runs"),
    );
    assert_eq!(no_credentials.status, Some(1));
    assert!(
        no_credentials.stderr.starts_with(&format!(
            "error: invoking function {function}: no AWS credentials were found. Configure them"
        )),
        "{}",
        no_credentials.stderr
    );
    let other_region = Run::of(
        moto.chalice(&project, REGION)
            .env("AWS_REGION", "us-west-2")
            .arg("delete")
            .output()
            .expect("chalice runs"),
    );
    assert_eq!(other_region.status, Some(2));
    assert!(
        other_region.stderr.contains(
            "this stage is deployed in us-east-1, but the configured region is us-west-2: set \
             AWS_REGION=us-east-1"
        ),
        "{}",
        other_region.stderr
    );
    std::fs::write(
        work.join("aws-config"),
        format!("[profile moto]\nregion = {REGION}\n"),
    )
    .expect("a config file");
    std::fs::write(
        work.join("aws-credentials"),
        "[moto]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .expect("a credentials file");
    let with_profile = Run::of(
        moto.chalice(&project, REGION)
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_REGION")
            .env("AWS_CONFIG_FILE", work.join("aws-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", work.join("aws-credentials"))
            .args(["invoke", "--profile", "moto", "--payload", "[1]"])
            .output()
            .expect("chalice runs"),
    )
    .ok("invoke --profile");
    assert_eq!(with_profile.stdout.trim(), "[1]");
    let taken = format!("{name}-taken");
    aws.runtime
        .block_on(
            aws.iam
                .create_role()
                .role_name(&taken)
                .assume_role_policy_document("{}")
                .send(),
        )
        .expect("someone else's role");
    edit(&config, r#""stages": {"#, r#""stages": {"taken": {},"#);
    let refused = run(&project, &moto, &["deploy", "--stage", "taken"]);
    assert_eq!(refused.status, Some(1));
    assert!(
        refused.stderr.contains(&format!(
            "error: role {taken} already exists and was not created by chalice for app {name} \
             stage taken: delete it, or use it with \"manage_iam_role\": false"
        )),
        "{}",
        refused.stderr
    );
    assert_eq!(
        aws.function_names(),
        std::slice::from_ref(&function),
        "nothing else was created"
    );
    aws.runtime
        .block_on(aws.iam.delete_role().role_name(&taken).send())
        .expect("DeleteRole");

    // A deploy of a new stage killed half-way, then run again: it resumes, and leaves no
    // second copy of anything.
    edit(&config, r#""stages": {"#, r#""stages": {"prod": {},"#);
    let mut child = moto
        .chalice(&project, REGION)
        .args(["deploy", "--stage", "prod"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chalice deploy runs");
    let stderr = child.stderr.take().expect("stderr");
    let mut seen = Vec::new();
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        let creating = line.contains("Creating function");
        seen.push(line);
        if creating {
            child.kill().expect("kill the deploy");
            break;
        }
    }
    let _ = child.wait();
    assert!(
        seen.iter().any(|line| line.contains("Creating function")),
        "the deploy never got to its function:\n{}",
        seen.join("\n")
    );
    let interrupted: Value = serde_json::from_slice(
        &std::fs::read(project.join(".chalice/deployed/prod.json"))
            .expect("the killed deploy recorded what it did"),
    )
    .expect("JSON");
    assert_eq!(
        interrupted["resources"][0]["name"], "default-role",
        "{interrupted}"
    );
    let resumed = run(&project, &moto, &["deploy", "--stage", "prod"]).ok("deploy prod again");
    assert!(
        !resumed.stderr.contains("Creating role"),
        "{}",
        resumed.stderr
    );
    let mut functions = aws.function_names();
    functions.sort();
    assert_eq!(functions, [function.clone(), format!("{name}-prod")]);
    let mut names: Vec<String> = aws.rest_apis().into_iter().map(|(_, n)| n).collect();
    names.sort();
    assert_eq!(
        names,
        [name.clone(), name.clone()],
        "one REST API per stage"
    );
    run(&project, &moto, &["delete", "--stage", "prod"]).ok("delete prod");

    // An HTTP API (API Gateway v2) instead of a REST API: one integration with the API
    // handler, payload 2.0, a route per (method, path), a stage that deploys itself.
    edit(
        &config,
        r#""stages": {"#,
        r#""stages": {"http": {"api_gateway_type": "http"},"#,
    );
    let http = run(&project, &moto, &["deploy", "--stage", "http", "--json"]).ok("deploy http");
    let result = http.json();
    assert_eq!(
        actions(&result),
        [
            "create_role",
            "create_function",
            "create_http_api",
            "add_invoke_permission"
        ]
    );
    let http_state: Value = serde_json::from_slice(
        &std::fs::read(project.join(".chalice/deployed/http.json")).expect("the state file"),
    )
    .expect("JSON");
    let http_id = http_state["resources"][2]["api_id"]
        .as_str()
        .expect("an HTTP API id")
        .to_owned();
    assert_eq!(
        result["url"],
        format!("https://{http_id}.execute-api.{REGION}.amazonaws.com/api/")
    );
    let (routes, integrations, stage) = aws.runtime.block_on(async {
        let client = &aws.apigatewayv2;
        (
            client
                .get_routes()
                .api_id(&http_id)
                .send()
                .await
                .expect("GetRoutes"),
            client
                .get_integrations()
                .api_id(&http_id)
                .send()
                .await
                .expect("GetIntegrations"),
            client
                .get_stage()
                .api_id(&http_id)
                .stage_name("api")
                .send()
                .await
                .expect("GetStage"),
        )
    });
    let integration = &integrations.items()[0];
    assert_eq!(integrations.items().len(), 1);
    assert_eq!(integration.payload_format_version(), Some("2.0"));
    assert!(
        integration
            .integration_uri()
            .is_some_and(|uri| uri.ends_with(&format!(":function:{name}-http"))),
        "{integration:?}"
    );
    let keys: Vec<&str> = routes
        .items()
        .iter()
        .filter_map(|r| r.route_key())
        .collect();
    assert_eq!(keys, ["GET /"]);
    assert_eq!(
        routes.items()[0].target(),
        Some(
            format!(
                "integrations/{}",
                integration.integration_id().unwrap_or_default()
            )
            .as_str()
        )
    );
    assert_eq!(stage.auto_deploy(), Some(true));
    moto.start_recording();
    run(&project, &moto, &["deploy", "--stage", "http"]).ok("deploy http unchanged");
    assert_eq!(changes(&moto.stop_recording()), Vec::<String>::new());
    let deleted = run(&project, &moto, &["delete", "--stage", "http", "--json"]).ok("delete http");
    assert_eq!(
        actions(&deleted.json()),
        ["delete_http_api", "delete_function", "delete_role"]
    );
    let apis = aws
        .runtime
        .block_on(aws.apigatewayv2.get_apis().send())
        .expect("GetApis");
    assert_eq!(apis.items().len(), 0, "{apis:?}");

    // delete: everything in the state file, then the file.
    let deleted = run(&project, &moto, &["delete", "--json"]).ok("delete");
    assert_eq!(
        actions(&deleted.json()),
        ["delete_rest_api", "delete_function", "delete_role"]
    );
    assert!(!project.join(".chalice/deployed/dev.json").exists());
    assert_eq!(aws.function_names(), Vec::<String>::new());
    assert_eq!(aws.role_names(), Vec::<String>::new());
    assert_eq!(aws.rest_apis(), Vec::<(String, String)>::new());
    let gone = run(&project, &moto, &["url"]);
    assert_eq!(gone.status, Some(2));
    // As in Chalice, log groups keep their lines: they are the app's history, not its
    // infrastructure.
    let groups = aws
        .runtime
        .block_on(aws.logs.describe_log_groups().send())
        .expect("DescribeLogGroups");
    assert_eq!(
        groups
            .log_groups()
            .iter()
            .filter_map(|g| g.log_group_name())
            .collect::<Vec<_>>(),
        [group.as_str()]
    );

    // Deleting again finds nothing to delete.
    let twice = run(&project, &moto, &["delete"]).ok("delete again");
    assert!(
        twice.stderr.contains("Nothing to delete"),
        "{}",
        twice.stderr
    );
}
