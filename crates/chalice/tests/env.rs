//! The test client applies a chalice stage's `environment_variables` (top level, stage,
//! then the function's `lambda_functions` entry) to what `chalice::env_var` returns in each
//! view and handler, per client: parallel tests with other stages never see each other's,
//! and the process's environment is left alone.

use std::path::PathBuf;

use chalice::test::Client;
use chalice::{Chalice, SqsEvent};

/// A chalice project folder with `config`, removed when dropped.
struct Project(PathBuf);

impl Project {
    fn new(name: &str, config: &serde_json::Value) -> Project {
        let dir = std::env::temp_dir().join(format!("chalice-env-{}-{name}", std::process::id()));
        std::fs::create_dir_all(dir.join(".chalice")).expect("a temporary folder");
        std::fs::write(dir.join(".chalice/config.json"), config.to_string()).expect("written");
        Project(dir)
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn config() -> serde_json::Value {
    serde_json::json!({
        "version": "2.0",
        "app_name": "todo",
        "environment_variables": {"REGION_HINT": "top", "TABLE": "todos"},
        "stages": {
            "dev": {"environment_variables": {"TABLE": "todos-dev"}},
            "prod": {
                "environment_variables": {"TABLE": "todos-prod"},
                "lambda_functions": {"worker": {"environment_variables": {"TABLE": "jobs-prod"}}}
            }
        }
    })
}

fn app() -> Chalice {
    let mut app = Chalice::new("todo");
    app.route("/env/{key}", |request: &chalice::Request| {
        let key = request.uri_param("key").unwrap_or_default();
        chalice::env_var(key).unwrap_or_else(|| "unset".to_owned())
    });
    app.on_sqs_message("jobs", |_: SqsEvent| -> Result<(), chalice::ChaliceError> {
        let table = chalice::env_var("TABLE").unwrap_or_default();
        Err(chalice::ChaliceError::bad_request(table))
    })
    .name("worker");
    app
}

fn get(client: &Client, key: &str) -> String {
    client
        .http()
        .get(&format!("/env/{key}"))
        .send()
        .text()
        .into_owned()
}

#[test]
fn each_function_sees_its_stage_variables_and_the_client_overrides() {
    let project = Project::new("levels", &config());
    let cases = [
        // (stage, overrides, key, what the view sees)
        ("dev", vec![], "TABLE", "todos-dev"),
        ("dev", vec![], "REGION_HINT", "top"),
        ("prod", vec![], "TABLE", "todos-prod"),
        ("prod", vec![("TABLE", "mine")], "TABLE", "mine"),
        ("dev", vec![], "CHALICE_ENV_TEST_UNSET", "unset"),
    ];
    for (stage, overrides, key, expected) in cases {
        let client = Client::new(app())
            .config_stage_in(&project.0, stage)
            .env_vars(overrides.clone());
        assert_eq!(get(&client, key), expected, "{stage} {overrides:?} {key}");
    }

    // The SQS handler `worker` gets its own lambda_functions entry over the stage's.
    let client = Client::new(app()).config_stage_in(&project.0, "prod");
    let event = client.events().sqs("jobs", ["job"]);
    let error = client
        .lambda_()
        .invoke("worker", &event)
        .send()
        .expect_err("reports its table");
    assert!(error.to_string().contains("jobs-prod"), "{error}");

    // Nothing leaked into the process, nor outside the client's calls.
    assert!(std::env::var("TABLE").is_err());
    assert_eq!(chalice::env_var("TABLE"), None);
}

#[test]
fn clients_of_different_stages_run_in_parallel_without_seeing_each_other() {
    let project = Project::new("parallel", &config());
    std::thread::scope(|scope| {
        for stage in ["dev", "prod"] {
            let dir = &project.0;
            scope.spawn(move || {
                let client = Client::new(app()).config_stage_in(dir, stage);
                for _ in 0..200 {
                    assert_eq!(get(&client, "TABLE"), format!("todos-{stage}"));
                }
            });
        }
    });
}

#[test]
fn a_stage_the_project_does_not_have_is_a_clear_panic() {
    let project = Project::new("missing", &config());
    let panic = std::panic::catch_unwind(|| Client::new(app()).config_stage_in(&project.0, "qa"))
        .expect_err("no such stage");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains(r#"has no stage "qa" (stages here: dev, prod)"#),
        "{message}"
    );
}
