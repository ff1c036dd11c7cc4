//! The generated documents, checked three ways:
//!
//! - **snapshots**: each case (a fixture manifest under `tests/fixtures/manifests/`, a
//!   fixture project's `.chalice/` under `tests/fixtures/projects/`, a stage) renders its
//!   documents, which must equal the reviewed files under `tests/fixtures/expected/<case>/`.
//!   `UPDATE_SNAPSHOTS=1 cargo test -p chalice-cli` rewrites them; review the diff.
//! - **cfn-lint** (the real one, from PyPI) over every SAM template, JSON and YAML; and
//!   PyYAML, which is what cfn-lint and CloudFormation's tooling read YAML with, must read
//!   each `sam.yaml` as the same document as its `sam.json`.
//! - **Terraform**: `terraform validate` needs the AWS provider, which can't be fetched
//!   here; instead every `${...}` reference must name a resource, local or function the
//!   file declares, nothing may be a stray `%{` directive, and the embedded API body, once
//!   Terraform has interpolated it, must be the OpenAPI document.
//! - **OpenAPI 3.0**: every API document (generate-models', each SAM `DefinitionBody`, each
//!   rendered Terraform body) passes the real `openapi-spec-validator` (from PyPI).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use chalice_manifest::Manifest;
use serde_json::{Value, json};

use chalice_cli::config::Config;
use chalice_cli::templates::functions::builtin_authorizers;
use chalice_cli::templates::merge::{merge, read_template};
use chalice_cli::templates::openapi::{Target, openapi};
use chalice_cli::templates::policy::{
    Policies, api_policy, default_policy, policy_file, with_event_sources,
};
use chalice_cli::templates::sam::sam_template;
use chalice_cli::templates::terraform::terraform;
use chalice_cli::templates::yaml::to_yaml;
use chalice_cli::validate::validate;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Document {
    SamJson,
    SamYaml,
    Terraform,
    OpenApi,
}

impl Document {
    fn file_name(self) -> &'static str {
        match self {
            Document::SamJson => "sam.json",
            Document::SamYaml => "sam.yaml",
            Document::Terraform => "chalice.tf.json",
            Document::OpenApi => "openapi.json",
        }
    }
}

struct Case {
    /// The folder of its expected files.
    name: &'static str,
    manifest: &'static str,
    project: &'static str,
    stage: &'static str,
    merge_template: Option<&'static str>,
    documents: &'static [Document],
}

use Document::{OpenApi, SamJson, SamYaml, Terraform};

const CASES: &[Case] = &[
    // `chalice new-project`'s app and configuration: the smallest template.
    Case {
        name: "hello-world",
        manifest: "hello-world",
        project: "default",
        stage: "dev",
        merge_template: None,
        documents: &[SamJson, SamYaml, Terraform, OpenApi],
    },
    // Every stage setting, CORS preflights, and values YAML and Terraform must quote or
    // escape (`yes`, `2024-01-01`, `0755`, `${...}`, `%{...}`, a newline).
    Case {
        name: "todo-prod",
        manifest: "todo",
        project: "full",
        stage: "prod",
        merge_template: None,
        documents: &[SamJson, SamYaml, Terraform],
    },
    // A private API (VPC endpoint policy) running as a role the user manages.
    Case {
        name: "todo-private",
        manifest: "todo",
        project: "private",
        stage: "internal",
        merge_template: None,
        documents: &[SamJson, Terraform],
    },
    // Each authorizer kind, API keys, scopes, a greedy ANY route, and a policy file.
    Case {
        name: "authorizers",
        manifest: "authorizers",
        project: "policy-file",
        stage: "dev",
        merge_template: None,
        documents: &[SamJson, SamYaml, Terraform, OpenApi],
    },
    // The auth-blueprint example's own manifest (`cargo run -p auth-blueprint -- --manifest`):
    // a built-in authorizer on several routes, Cognito, an API key; arm64, log retention
    // for the authorizer's function too.
    Case {
        name: "auth-blueprint",
        manifest: "auth-blueprint",
        project: "auth-blueprint",
        stage: "dev",
        merge_template: None,
        documents: &[SamJson, Terraform],
    },
    // Event handlers of every source SAM can trigger, and a pure function: each its own
    // function with CHALICE_HANDLER and its trigger; the role reads the queue and streams.
    // (Captured from an app declaring them, run with `--manifest`.)
    Case {
        name: "events",
        manifest: "events",
        project: "default",
        stage: "dev",
        merge_template: None,
        documents: &[SamJson, SamYaml, Terraform],
    },
    // A chat app: a page served by a route, and a WebSocket API with the three built-in
    // routes and a custom one (`join`), each handler its own function, integration, route
    // and permission; every function gets the management endpoint, the role may manage
    // the API's connections. (Written to the shape `--manifest` prints, version 3.)
    Case {
        name: "chat",
        manifest: "chat",
        project: "default",
        stage: "dev",
        merge_template: None,
        documents: &[SamJson, SamYaml, Terraform],
    },
    // WebSocket handlers alone: no REST API and no API handler; every stage setting (log
    // groups, a custom stage name, a value Terraform must escape) on the handlers.
    Case {
        name: "websocket-only",
        manifest: "websocket-only",
        project: "full",
        stage: "prod",
        merge_template: None,
        documents: &[SamJson, SamYaml, Terraform],
    },
    // A custom domain on an EDGE REST API (CloudFront's certificate, a base path, a TLS
    // policy, tags); the WebSocket API has none.
    Case {
        name: "chat-domain-edge",
        manifest: "chat",
        project: "custom-domains",
        stage: "edge",
        merge_template: None,
        documents: &[SamJson, Terraform],
    },
    // A REGIONAL REST API mapped at the domain's root, and the WebSocket API's own
    // (always regional) domain under a prefix.
    Case {
        name: "chat-domain-regional",
        manifest: "chat",
        project: "custom-domains",
        stage: "regional",
        merge_template: None,
        documents: &[SamJson, SamYaml, Terraform],
    },
    // `--merge-template` in YAML with short tags, over a full template.
    Case {
        name: "todo-merged",
        manifest: "todo",
        project: "full",
        stage: "prod",
        merge_template: Some("merge-template.yaml"),
        documents: &[SamJson, SamYaml],
    },
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn manifest(name: &str) -> Manifest {
    let path = fixtures().join("manifests").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// The case's documents, as `chalice package` and `chalice generate-models` write them.
fn render(case: &Case) -> Vec<(Document, String)> {
    let manifest = manifest(case.manifest);
    let project = fixtures().join("projects").join(case.project);
    let config = Config::load(&project)
        .and_then(|c| c.stage(case.stage))
        .unwrap_or_else(|e| panic!("{}: {e}", case.name));
    validate(&manifest, &config).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    let handler = config.api_handler();
    let role = match &handler.iam_policy_file {
        Some(file) => {
            policy_file(&project, "iam_policy_file", file).unwrap_or_else(|e| panic!("{e}"))
        }
        None => {
            let authorizers = builtin_authorizers(&manifest).unwrap_or_else(|e| panic!("{e}"));
            let functions: Vec<_> = std::iter::once(handler)
                .chain(authorizers.iter().map(|a| config.function(a.name)))
                .collect();
            with_event_sources(default_policy(&functions), &manifest)
        }
    };
    let policies = Policies {
        role,
        api: api_policy(&project, &config).unwrap_or_else(|e| panic!("{e}")),
    };
    let sam = || {
        let mut template = sam_template(&manifest, &config, "./deployment.zip", &policies)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        if let Some(file) = case.merge_template {
            let user = read_template(&fixtures().join(file)).unwrap_or_else(|e| panic!("{e}"));
            merge(&mut template, user).unwrap_or_else(|e| panic!("{e}"));
        }
        template
    };
    case.documents
        .iter()
        .map(|&document| {
            let text = match document {
                SamJson => pretty(&sam()),
                SamYaml => to_yaml(&sam()),
                Terraform => pretty(
                    &terraform(&manifest, &config, "deployment.zip", &policies)
                        .unwrap_or_else(|e| panic!("{}: {e}", case.name)),
                ),
                OpenApi => pretty(
                    &openapi(&manifest, policies.api.as_ref(), Target::Templated)
                        .unwrap_or_else(|e| panic!("{}: {e}", case.name)),
                ),
            };
            (document, text)
        })
        .collect()
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("a JSON value serializes");
    text.push('\n');
    text
}

#[test]
fn generated_documents_match_their_snapshots() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    let mut mismatches = Vec::new();
    for case in CASES {
        let dir = fixtures().join("expected").join(case.name);
        for (document, text) in render(case) {
            let path = dir.join(document.file_name());
            if update {
                std::fs::create_dir_all(&dir).expect("create the snapshot folder");
                std::fs::write(&path, &text).expect("write the snapshot");
                continue;
            }
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            if expected != text {
                let line = expected
                    .lines()
                    .zip(text.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or_else(|| expected.lines().count().min(text.lines().count()));
                mismatches.push(format!(
                    "{}: differs from line {}:\n  expected: {:?}\n  actual:   {:?}",
                    path.display(),
                    line + 1,
                    expected.lines().nth(line).unwrap_or("<end of file>"),
                    text.lines().nth(line).unwrap_or("<end of file>"),
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{}\n(if the change is intended, rerun with UPDATE_SNAPSHOTS=1 and review the diff)",
        mismatches.join("\n")
    );
}

/// The Python tools the tests run, from PyPI: in `target/chalice-test-tools/venv` (which
/// `.ci/run` creates), installed there when missing; else from `PATH`. Under CI, not finding
/// one fails the test; elsewhere (no network, say) the test says so and checks nothing.
fn python_tool(command: &str, package: &str) -> Option<PathBuf> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = workspace.join("target/chalice-test-tools/venv");
    let in_venv = venv.join("bin").join(command);
    if in_venv.is_file() {
        return Some(in_venv);
    }
    let runs = |program: &Path, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let made = (venv.join("bin/pip").is_file()
        || runs(
            Path::new("python3"),
            &["-m", "venv", &venv.to_string_lossy()],
        ))
        && runs(
            &venv.join("bin/pip"),
            &["install", "--quiet", "--disable-pip-version-check", package],
        );
    if made && in_venv.is_file() {
        return Some(in_venv);
    }
    if runs(Path::new(command), &["--version"]) {
        return Some(PathBuf::from(command));
    }
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    assert!(
        !in_ci,
        "{command} is not installed and could not be installed into {}: .ci/run installs it \
         before the tests",
        venv.display()
    );
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "SKIPPED: {command} is not on PATH and `pip install {package}` failed; its checks \
             did not run"
        );
    }
    None
}

/// cfn-lint, and a Python that can `import yaml` (the venv's has PyYAML: cfn-lint needs it).
struct CfnLint {
    cfn_lint: PathBuf,
    python: Option<PathBuf>,
}

fn cfn_lint() -> Option<CfnLint> {
    let cfn_lint = python_tool("cfn-lint", "cfn-lint")?;
    let python = cfn_lint.with_file_name("python");
    let python = if python.is_file() {
        python
    } else {
        PathBuf::from("python3")
    };
    let can_read_yaml = Command::new(&python)
        .args(["-c", "import yaml"])
        .output()
        .is_ok_and(|o| o.status.success());
    Some(CfnLint {
        cfn_lint,
        python: can_read_yaml.then_some(python),
    })
}

#[test]
fn sam_templates_pass_cfn_lint_and_yaml_reads_as_json() {
    let Some(tools) = cfn_lint() else { return };
    let dir = std::env::temp_dir().join(format!("chalice-cfn-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // A template with a mistake must fail, or a passing run proves nothing. Linted while
    // the rest is written and read: each cfn-lint run spends seconds starting up.
    let mut broken: Value =
        serde_json::from_str(&render(&CASES[0])[0].1).expect("sam.json is JSON");
    broken["Resources"]["APIHandler"]["Properties"]["Role"] =
        json!({"Fn::GetAtt": ["NoSuchRole", "Arn"]});
    let broken_path = dir.join("broken-sam.json");
    std::fs::write(&broken_path, pretty(&broken)).expect("write the template");
    let broken_lint = Command::new(&tools.cfn_lint)
        .arg(&broken_path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("cfn-lint runs");
    let mut templates = Vec::new();
    for case in CASES {
        let rendered = render(case);
        let json = rendered.iter().find(|(d, _)| *d == SamJson);
        for (document, text) in &rendered {
            if !matches!(document, SamJson | SamYaml) {
                continue;
            }
            let path = dir.join(format!("{}-{}", case.name, document.file_name()));
            std::fs::write(&path, text).expect("write the template");
            templates.push(path.clone());
            if let (SamYaml, Some(python), Some((_, json))) = (document, &tools.python, json) {
                let read = Command::new(python)
                    .args([
                        "-c",
                        "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
                    ])
                    .arg(&path)
                    .output()
                    .expect("python runs");
                assert!(
                    read.status.success(),
                    "PyYAML can't read {}: {}",
                    path.display(),
                    String::from_utf8_lossy(&read.stderr)
                );
                let from_yaml: Value =
                    serde_json::from_slice(&read.stdout).expect("python prints JSON");
                let from_json: Value = serde_json::from_str(json).expect("sam.json is JSON");
                assert_eq!(
                    from_yaml, from_json,
                    "{}: PyYAML reads another document than sam.json",
                    case.name
                );
            }
        }
    }
    let lint = Command::new(&tools.cfn_lint)
        .args(&templates)
        .output()
        .expect("cfn-lint runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
    assert!(
        lint.status.success() && report.trim().is_empty(),
        "cfn-lint found problems ({}):\n{report}",
        lint.status
    );
    let lint = broken_lint.wait_with_output().expect("cfn-lint runs");
    assert!(
        !lint.status.success() && String::from_utf8_lossy(&lint.stdout).contains("NoSuchRole"),
        "cfn-lint did not catch a reference to a missing resource: {}",
        String::from_utf8_lossy(&lint.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every `${...}` of a Terraform string (not `$${`, the escape), and whether a `%{`
/// directive appears unescaped.
fn interpolations(text: &str) -> (Vec<String>, bool) {
    let bytes = text.as_bytes();
    let (mut found, mut directive, mut i) = (Vec::new(), false, 0);
    while i < bytes.len() {
        if bytes[i..].starts_with(b"$${") || bytes[i..].starts_with(b"%%{") {
            i += 3;
        } else if bytes[i..].starts_with(b"%{") {
            directive = true;
            i += 2;
        } else if bytes[i..].starts_with(b"${") {
            let (mut depth, start) = (0, i + 2);
            let mut end = start;
            for (offset, &b) in bytes[start..].iter().enumerate() {
                match b {
                    b'{' => depth += 1,
                    b'}' if depth == 0 => {
                        end = start + offset;
                        break;
                    }
                    b'}' => depth -= 1,
                    _ => {}
                }
            }
            found.push(text[start..end].to_owned());
            i = end + 1;
        } else {
            i += 1;
        }
    }
    (found, directive)
}

fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| strings(item, out)),
        Value::Object(map) => map.iter().for_each(|(key, item)| {
            out.push(key.clone());
            strings(item, out);
        }),
        _ => {}
    }
}

/// The dotted names an expression refers to (`aws_x.y.z`, `local.a`, `path.module`) and
/// the functions it calls.
fn references(expression: &str) -> (Vec<String>, Vec<String>) {
    let (mut names, mut functions) = (Vec::new(), Vec::new());
    let mut rest = expression;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphabetic()) {
        let tail = &rest[start..];
        let len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || "_-.".contains(c)))
            .unwrap_or(tail.len());
        let token = &tail[..len];
        if tail[len..].starts_with('(') {
            functions.push(token.to_owned());
        } else if token.contains('.') {
            names.push(token.to_owned());
        }
        rest = &tail[len..];
        // Skip string literals: their words are not references.
        if let Some(quoted) = rest.strip_prefix("(\"") {
            rest = quoted.split_once('"').map_or("", |(_, after)| after);
        }
    }
    (names, functions)
}

#[test]
fn terraform_references_resolve_and_the_body_is_the_openapi_document() {
    for case in CASES {
        let Some((_, text)) = render(case).into_iter().find(|(d, _)| *d == Terraform) else {
            continue;
        };
        let config: Value = serde_json::from_str(&text).expect("chalice.tf.json is JSON");
        let resources = config["resource"].as_object().expect("resources");
        let mut kinds: Vec<&str> = resources.keys().map(String::as_str).collect();
        kinds.sort_unstable();
        let rest_api: &[&str] = if manifest(case.manifest).routes.is_empty() {
            &[]
        } else {
            &[
                "aws_api_gateway_deployment",
                "aws_api_gateway_rest_api",
                "aws_api_gateway_stage",
            ]
        };
        for &kind in rest_api
            .iter()
            .chain(&["aws_lambda_function", "aws_lambda_permission"])
        {
            assert!(
                kinds.contains(&kind),
                "{}: no {kind} in {kinds:?}",
                case.name
            );
        }
        // Every function is the one bootstrap, the API handler's as the others'.
        let (_, function) = resources["aws_lambda_function"]
            .as_object()
            .and_then(|functions| functions.iter().next())
            .expect("a function");
        assert_eq!(function["filename"], "${path.module}/deployment.zip");
        assert_eq!(
            function["source_code_hash"],
            "${filebase64sha256(\"${path.module}/deployment.zip\")}"
        );
        assert_eq!(function["runtime"], "provided.al2023");
        assert_eq!(function["handler"], "bootstrap");

        let mut all = Vec::new();
        strings(&config, &mut all);
        for string in &all {
            let (expressions, directive) = interpolations(string);
            assert!(!directive, "{}: an unescaped %{{ in {string:?}", case.name);
            for expression in expressions {
                let (names, functions) = references(&expression);
                for function in functions {
                    assert!(
                        ["filebase64sha256", "sha1"].contains(&function.as_str()),
                        "{}: unexpected function {function} in {expression:?}",
                        case.name
                    );
                }
                for name in names {
                    let parts: Vec<&str> = name.split('.').collect();
                    let known = match parts.as_slice() {
                        ["path", "module"] => true,
                        ["local", local] => config["locals"].get(*local).is_some(),
                        ["data", kind, source, rest @ ..] => {
                            config["data"]
                                .get(*kind)
                                .is_some_and(|group| group.get(*source).is_some())
                                && provider_6_reads(kind, rest)
                        }
                        [kind, resource, ..] => resources
                            .get(*kind)
                            .is_some_and(|group| group.get(*resource).is_some()),
                        _ => false,
                    };
                    assert!(
                        known,
                        "{}: {name} in {expression:?} is not declared",
                        case.name
                    );
                }
            }
        }
        for (kind, group) in resources {
            for (name, resource) in group.as_object().expect("a resource group") {
                for dependency in resource["depends_on"].as_array().into_iter().flatten() {
                    let (kind, name) = dependency
                        .as_str()
                        .and_then(|d| d.split_once('.'))
                        .expect("depends_on names kind.name");
                    assert!(
                        resources.get(kind).is_some_and(|g| g.get(name).is_some()),
                        "{}: {kind}.{name} depends on a missing resource",
                        case.name
                    );
                }
                let _ = (kind, name);
            }
        }

        if manifest(case.manifest).routes.is_empty() {
            assert_eq!(
                config.get("locals"),
                None,
                "{}: no REST API, no body",
                case.name
            );
            continue;
        }
        let document = rendered_body(&config)
            .unwrap_or_else(|e| panic!("{}: the rendered body is not JSON: {e}", case.name));
        let expected = openapi(
            &manifest(case.manifest),
            document.get("x-amazon-apigateway-policy"),
            Target::Templated,
        )
        .expect("valid");
        assert_eq!(
            document["paths"]
                .as_object()
                .map(|p| p.keys().collect::<Vec<_>>()),
            expected["paths"]
                .as_object()
                .map(|p| p.keys().collect::<Vec<_>>()),
            "{}",
            case.name
        );
        let uri = &document["paths"]
            .as_object()
            .and_then(|p| p.values().next())
            .and_then(|item| item.as_object()?.values().next())
            .expect("an operation")["x-amazon-apigateway-integration"]["uri"];
        assert_eq!(
            uri,
            &json!("<aws_lambda_function.api_handler.invoke_arn>"),
            "{}",
            case.name
        );
        assert_eq!(document["info"], expected["info"], "{}", case.name);
    }
}

/// Whether the attribute `path` of a data source of `kind` is one the AWS provider 6 has
/// and does not deprecate: its plans warn on `data.aws_region.x.name` (use `region`), and
/// `chalice.tf.json` asks for provider 6.
fn provider_6_reads(kind: &str, path: &[&str]) -> bool {
    let attributes: &[&str] = match kind {
        "aws_region" => &["region"],
        "aws_partition" => &["partition", "dns_suffix"],
        "aws_caller_identity" => &["account_id"],
        _ => &[],
    };
    matches!(path, [attribute] if attributes.contains(attribute))
}

#[test]
fn terraform_asks_for_the_provider_it_is_written_for() {
    for case in CASES {
        let Some((_, text)) = render(case).into_iter().find(|(d, _)| *d == Terraform) else {
            continue;
        };
        let config: Value = serde_json::from_str(&text).expect("chalice.tf.json is JSON");
        assert_eq!(
            config["terraform"]["required_providers"]["aws"],
            json!({"source": "hashicorp/aws", "version": ">= 6.0, < 7.0"}),
            "{}",
            case.name
        );
    }
    // The regression this guards: provider 6 warns on the region's deprecated `name`.
    assert!(!provider_6_reads("aws_region", &["name"]));
    assert!(provider_6_reads("aws_region", &["region"]));
}

/// The API body of a Terraform configuration as Terraform renders it: interpolations
/// replaced by `<expression>`, escapes undone.
fn rendered_body(config: &Value) -> serde_json::Result<Value> {
    let body = config["locals"]["chalice_api_openapi"]
        .as_str()
        .expect("the body is a string");
    let mut rendered = String::new();
    let mut rest = body;
    while let Some(start) = rest.find("${") {
        let escaped = start > 0 && rest.as_bytes()[start - 1] == b'$';
        let end = rest[start..]
            .find('}')
            .map(|e| start + e)
            .expect("a closed ${");
        if escaped {
            rendered.push_str(&rest[..start - 1]);
            rendered.push_str(&rest[start..=end]);
        } else {
            rendered.push_str(&rest[..start]);
            rendered.push_str(&format!("<{}>", &rest[start + 2..end]));
        }
        rest = &rest[end + 1..];
    }
    rendered.push_str(rest);
    serde_json::from_str(&rendered.replace("%%{", "%{"))
}

/// Every API document the cases generate: `generate-models`' own, the SAM templates'
/// `DefinitionBody`, and the Terraform configurations' body as Terraform renders it.
fn api_documents() -> Vec<(String, Value)> {
    let mut documents = Vec::new();
    // An app without routes has no API document.
    for case in CASES
        .iter()
        .filter(|c| !manifest(c.manifest).routes.is_empty())
    {
        for (document, text) in render(case) {
            let value: Value = match document {
                SamYaml => continue,
                _ => serde_json::from_str(&text).expect("a JSON document"),
            };
            let api = match document {
                OpenApi => value,
                SamJson => value["Resources"]["RestAPI"]["Properties"]["DefinitionBody"].clone(),
                Terraform => rendered_body(&value).expect("the body renders to JSON"),
                SamYaml => unreachable!("skipped above"),
            };
            documents.push((format!("{}/{}", case.name, document.file_name()), api));
        }
    }
    documents
}

#[test]
fn api_documents_are_valid_openapi_3() {
    let Some(validator) = python_tool("openapi-spec-validator", "openapi-spec-validator") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("chalice-openapi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let write = |name: &str, document: &Value| {
        let path = dir.join(name.replace('/', "-"));
        std::fs::write(&path, pretty(document)).expect("write the document");
        path
    };
    let documents = api_documents();
    let expected: usize = CASES
        .iter()
        .filter(|case| !manifest(case.manifest).routes.is_empty())
        .map(|case| case.documents.iter().filter(|&&d| d != SamYaml).count())
        .sum();
    assert_eq!(
        documents.len(),
        expected,
        "every SAM, Terraform and OpenAPI document"
    );
    // A document with a mistake must fail, or a passing run proves nothing: a path
    // parameter the operation does not declare. Checked while the others are: each run of
    // the validator spends a second or more starting up.
    let mut broken = documents[0].1.clone();
    broken["paths"]["/{undeclared}"] = broken["paths"]["/"].clone();
    let broken_run = Command::new(&validator)
        .arg(write("broken.json", &broken))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the validator runs");
    let mut paths = Vec::new();
    for (name, document) in &documents {
        assert_eq!(document["openapi"], "3.0.1", "{name}");
        paths.push((name, write(name, document)));
    }
    // One run for all: it prints `FILE: OK` for each valid file, and stops at the first
    // invalid one with its errors.
    let run = Command::new(&validator)
        .args(paths.iter().map(|(_, path)| path))
        .output()
        .expect("the validator runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    for (name, path) in &paths {
        let verdict = format!("{}: OK", path.display());
        assert!(
            report.lines().any(|line| line == verdict),
            "{name} is not valid OpenAPI 3.0:\n{report}"
        );
    }
    assert!(run.status.success(), "{report}");
    let run = broken_run.wait_with_output().expect("the validator runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        !run.status.success() && report.contains("undeclared"),
        "the validator let a broken document through: {report}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn interpolations_are_found_and_escapes_skipped() {
    let cases: &[(&str, &[&str], bool)] = &[
        ("plain", &[], false),
        ("${a.b}", &["a.b"], false),
        ("x $${not} ${yes.it}", &["yes.it"], false),
        (
            "${f(\"${path.module}/z\")}",
            &["f(\"${path.module}/z\")"],
            false,
        ),
        ("%%{escaped} %{ if x }", &[], true),
    ];
    for (text, expected, directive) in cases {
        let (found, has_directive) = interpolations(text);
        assert_eq!(found, *expected, "{text}");
        assert_eq!(has_directive, *directive, "{text}");
    }
    assert_eq!(
        references("filebase64sha256(\"${path.module}/deployment.zip\")"),
        (vec![], vec!["filebase64sha256".to_owned()])
    );
    assert_eq!(
        references("sha1(local.body)"),
        (vec!["local.body".to_owned()], vec!["sha1".to_owned()])
    );
}
