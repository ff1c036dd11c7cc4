//! The events example, as its users test it: each handler through the test client with the
//! events AWS sends, and the binary delivering an event with `--invoke`.

use std::io::Write;
use std::process::{Command, Stdio};

use chalice::test::Client;
use events::{app, sample_job};
use serde_json::{Value, json};

#[test]
fn the_worker_reports_only_the_messages_that_failed() {
    let client = Client::new(app());
    let bodies = [
        sample_job("a.png", 100).to_string(),
        "not a job".to_owned(),
        sample_job("b.png", 0).to_string(),
        sample_job("c.png", 64).to_string(),
    ];
    let event = client.events().sqs("jobs", &bodies);
    let answer = client
        .lambda_()
        .invoke("worker", &event)
        .send()
        .expect("the worker runs");
    let failed: Vec<Value> = [1, 2]
        .iter()
        .map(|&i| json!({"itemIdentifier": event["Records"][i]["messageId"]}))
        .collect();
    assert_eq!(answer.payload, json!({"batchItemFailures": failed}));
}

#[test]
fn uploads_and_the_nightly_job() {
    let client = Client::new(app());
    let events = client.events();
    let cases: Vec<(&str, Value, Result<Value, &str>)> = vec![
        (
            "on_upload",
            events.s3("uploads", "incoming/sales 2024.csv"),
            Ok(Value::Null),
        ),
        (
            "nightly",
            events.scheduled("events-dev-nightly-event"),
            Ok(Value::Null),
        ),
    ];
    for (name, event, expected) in cases {
        let answer = client.lambda_().invoke(name, &event).send();
        match (answer, expected) {
            (Ok(answer), Ok(payload)) => assert_eq!(answer.payload, payload, "{name}"),
            (answer, expected) => panic!("{name}: {answer:?}, expected {expected:?}"),
        }
    }
    // An empty file fails the invocation with its reason.
    let mut empty = events.s3("uploads", "incoming/empty.csv");
    empty["Records"][0]["s3"]["object"]["size"] = json!(0);
    let error = client
        .lambda_()
        .invoke("on_upload", &empty)
        .send()
        .expect_err("empty");
    assert_eq!(
        error.to_string(),
        "function \"on_upload\" failed: incoming/empty.csv is empty"
    );
}

#[test]
fn the_manifest_lists_each_handler_with_its_source() {
    let manifest = app().manifest();
    let sources: Vec<(String, Value)> = manifest
        .functions
        .iter()
        .map(|f| {
            let mut wire = serde_json::to_value(f).expect("serializes");
            let name = f.name.clone();
            if let Some(object) = wire.as_object_mut() {
                object.remove("name");
            }
            (name, wire)
        })
        .collect();
    assert_eq!(
        sources,
        [
            (
                "nightly".to_owned(),
                json!({"source": "schedule", "expression": "cron(0 3 * * ? *)",
                       "description": "Nightly cleanup, 03:00 UTC"})
            ),
            (
                "on_upload".to_owned(),
                json!({"source": "s3", "bucket": "uploads", "events": ["s3:ObjectCreated:*"],
                       "prefix": "incoming/", "suffix": ".csv"})
            ),
            (
                "worker".to_owned(),
                json!({"source": "sqs", "queue": "jobs", "queue_arn": null, "batch_size": 10,
                       "maximum_batching_window_in_seconds": 0, "maximum_concurrency": null,
                       "report_batch_item_failures": true})
            ),
        ]
    );
}

#[test]
fn the_binary_runs_one_function_on_an_event_from_stdin() {
    let event = Client::new(app())
        .events()
        .sqs("jobs", ["not a job", &sample_job("a.png", 10).to_string()]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_events"))
        .args(["--invoke", "worker"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(event.to_string().as_bytes())
        .expect("write the event");
    let run = child.wait_with_output().expect("the example runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let answer: Value = serde_json::from_slice(&run.stdout).expect("JSON on stdout");
    assert_eq!(
        answer,
        json!({"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]})
    );
}
