//! Event handlers and pure functions (issue 12): declared with Chalice's parameters and
//! defaults, checked when the app is built, invoked in-process through the test client with
//! generated events and with AWS's sample events, with event middleware around them.

use std::sync::{Arc, Mutex};

use chalice::test::{Client, DynamoDbChange};
use chalice::{
    BatchItemFailures, Blueprint, BlueprintOptions, Chalice, ChaliceError, CloudWatchEvent, Cron,
    DefinitionErrorKind, DynamoDbEvent, Event, EventNext, EventType, Json, KinesisEvent,
    LambdaContext, Rate, S3Event, SnsEvent, SqsEvent, SqsQueue, StartingPosition,
};
use chalice_core::EventSource;
use serde::Deserialize;
use serde_json::{Value, json};

const S3_SAMPLE: &str = include_str!("../fixtures/events/example-s3-event.json");
const SNS_SAMPLE: &str = include_str!("../fixtures/events/example-sns-event.json");
const SQS_SAMPLE: &str = include_str!("../fixtures/events/example-sqs-event.json");
const KINESIS_SAMPLE: &str = include_str!("../fixtures/events/example-kinesis-event.json");
const DYNAMODB_SAMPLE: &str = include_str!("../fixtures/events/example-dynamodb-event.json");
const SCHEDULED_SAMPLE: &str = include_str!("../fixtures/events/example-eventbridge-schedule.json");

type Seen = Arc<Mutex<Vec<String>>>;

/// An app with one handler of each source, each writing what it saw, one line per record.
fn recording_app(seen: &Seen) -> Chalice {
    let mut app = Chalice::new("events");
    let s = Arc::clone(seen);
    app.schedule(Rate::minutes(5), move |event: CloudWatchEvent| {
        s.lock().expect("not poisoned").push(format!(
            "tick {} {}",
            event.detail_type,
            event.resources.join(",")
        ));
    })
    .name("tick");
    let s = Arc::clone(seen);
    app.on_cw_event(
        json!({"source": ["aws.ec2"]}),
        move |event: CloudWatchEvent| {
            s.lock()
                .expect("not poisoned")
                .push(format!("cw {} {}", event.source, event.detail));
        },
    )
    .name("cw");
    let s = Arc::clone(seen);
    app.on_s3_event("uploads", move |event: S3Event| {
        for r in &event.records {
            s.lock().expect("not poisoned").push(format!(
                "s3 {} {} {} {:?}",
                r.event_name, r.bucket, r.key, r.size
            ));
        }
    })
    .name("s3");
    let s = Arc::clone(seen);
    app.on_sns_message("alerts", move |event: SnsEvent| {
        for r in &event.records {
            s.lock().expect("not poisoned").push(format!(
                "sns {:?} {:?} {}",
                r.subject, r.message, r.topic_arn
            ));
        }
    })
    .name("sns");
    let s = Arc::clone(seen);
    app.on_sqs_message("jobs", move |event: SqsEvent| {
        for r in &event.records {
            s.lock().expect("not poisoned").push(format!(
                "sqs {} {} {:?}",
                r.body,
                r.event_source_arn,
                r.message_attributes.keys().collect::<Vec<_>>()
            ));
        }
    })
    .name("sqs");
    let s = Arc::clone(seen);
    app.on_kinesis_record("clicks", move |event: KinesisEvent| {
        for r in &event.records {
            s.lock().expect("not poisoned").push(format!(
                "kinesis {} {}",
                String::from_utf8_lossy(&r.data),
                r.partition_key
            ));
        }
    })
    .name("kinesis");
    let s = Arc::clone(seen);
    app.on_dynamodb_record(
        "arn:aws:dynamodb:us-west-2:123456789012:table/Users/stream/2024-01-01T00:00:00.000",
        move |event: DynamoDbEvent| {
            for r in &event.records {
                s.lock().expect("not poisoned").push(format!(
                    "dynamodb {} {} {} {}",
                    r.event_name,
                    r.table_name(),
                    Value::Object(r.keys.clone()),
                    r.new_image.as_ref().map_or(0, |image| image.len())
                ));
            }
        },
    )
    .name("dynamodb");
    app
}

fn sample(text: &str) -> Value {
    serde_json::from_str(text).expect("a sample event is JSON")
}

#[test]
fn each_source_gets_every_record_of_its_event_typed() {
    let seen = Seen::default();
    let client = Client::new(recording_app(&seen));
    let events = client.events();
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "tick",
            events.scheduled("events-dev-tick-event"),
            vec![
                "tick Scheduled Event arn:aws:events:us-west-2:123456789012:rule/events-dev-tick-event",
            ],
        ),
        (
            "tick",
            sample(SCHEDULED_SAMPLE),
            vec![
                "tick Scheduled Event arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule",
            ],
        ),
        (
            "cw",
            events.cloudwatch(
                "aws.ec2",
                "EC2 Instance State-change Notification",
                json!({"state": "pending"}),
            ),
            vec![r#"cw aws.ec2 {"state":"pending"}"#],
        ),
        (
            "s3",
            events.s3("uploads", "photos/summer trip+1.jpg"),
            vec!["s3 ObjectCreated:Put uploads photos/summer trip+1.jpg Some(1024)"],
        ),
        (
            "s3",
            events.s3_event("uploads", "old.txt", "ObjectRemoved:Delete"),
            vec!["s3 ObjectRemoved:Delete uploads old.txt None"],
        ),
        (
            "s3",
            sample(S3_SAMPLE),
            vec!["s3 ObjectCreated:Put sourcebucket Happy Face.jpg Some(1024)"],
        ),
        (
            "sns",
            events.sns_with_subject("alerts", "disk full", Some("ops")),
            vec![r#"sns Some("ops") "disk full" arn:aws:sns:us-west-2:123456789012:alerts"#],
        ),
        (
            "sns",
            events.sns("alerts", "no subject"),
            vec![r#"sns None "no subject" arn:aws:sns:us-west-2:123456789012:alerts"#],
        ),
        (
            "sns",
            sample(SNS_SAMPLE),
            vec![
                r#"sns Some("Greetings") "Hello\r\nworld!" arn:aws:sns:us-east-1:246796806071:snsNetTest"#,
            ],
        ),
        (
            "sqs",
            events.sqs("jobs", ["one", "two", "three"]),
            vec![
                "sqs one arn:aws:sqs:us-west-2:123456789012:jobs []",
                "sqs two arn:aws:sqs:us-west-2:123456789012:jobs []",
                "sqs three arn:aws:sqs:us-west-2:123456789012:jobs []",
            ],
        ),
        (
            "sqs",
            sample(SQS_SAMPLE),
            vec![
                r#"sqs Message Body arn:aws:sqs:us-west-2:123456789012:SQSQueue ["Attribute1", "Attribute2", "Attribute3"]"#,
            ],
        ),
        (
            "kinesis",
            events.kinesis("clicks", [&b"a"[..], b"b\xff"]),
            vec!["kinesis a s1", "kinesis b\u{fffd} s1"],
        ),
        (
            "kinesis",
            sample(KINESIS_SAMPLE),
            vec!["kinesis Hello World s1", "kinesis Hello World s1"],
        ),
        (
            "dynamodb",
            events.dynamodb(
                "Users",
                [
                    DynamoDbChange::insert(json!({"id": {"S": "u1"}}), json!({"id": {"S": "u1"}})),
                    DynamoDbChange::remove(json!({"id": {"S": "u2"}}), json!({"id": {"S": "u2"}})),
                ],
            ),
            vec![
                r#"dynamodb INSERT Users {"id":{"S":"u1"}} 1"#,
                r#"dynamodb REMOVE Users {"id":{"S":"u2"}} 0"#,
            ],
        ),
        (
            "dynamodb",
            sample(DYNAMODB_SAMPLE),
            vec![
                r#"dynamodb INSERT Example-Table {"val":{"S":"data"},"key":{"S":"binary"}} 4"#,
                r#"dynamodb INSERT Example-Table {"val":{"S":"data"},"key":{"S":"binary"}} 17"#,
            ],
        ),
    ];
    for (name, event, expected) in cases {
        seen.lock().expect("not poisoned").clear();
        let answer = client.lambda_().invoke(name, &event).send();
        assert_eq!(
            answer.map(|a| a.payload).ok(),
            Some(Value::Null),
            "{name}: {event}"
        );
        assert_eq!(
            *seen.lock().expect("not poisoned"),
            expected,
            "{name}: {event}"
        );
    }
}

#[test]
fn batch_handlers_report_the_records_that_failed() {
    fn sqs_worker(event: SqsEvent) -> BatchItemFailures {
        event
            .records
            .into_iter()
            .filter(|m| m.body.starts_with("bad"))
            .map(|m| m.message_id)
            .collect()
    }
    async fn kinesis_worker(event: KinesisEvent) -> Result<BatchItemFailures, ChaliceError> {
        Ok(event
            .records
            .iter()
            .filter(|r| r.data.starts_with(b"bad"))
            .map(|r| r.sequence_number.clone())
            .collect())
    }
    fn dynamodb_worker(event: DynamoDbEvent) -> BatchItemFailures {
        event
            .records
            .into_iter()
            .filter(|r| r.event_name == "REMOVE")
            .map(|r| r.sequence_number)
            .collect()
    }
    let mut app = Chalice::new("batches");
    app.on_sqs_message("jobs", sqs_worker);
    app.on_kinesis_record("clicks", kinesis_worker);
    app.on_dynamodb_record(
        "arn:aws:dynamodb:us-west-2:1:table/T/stream/x",
        dynamodb_worker,
    );
    app.on_sqs_message("plain", |_: SqsEvent| {}).name("plain");
    let manifest = app.manifest();
    let reporting: Vec<(&str, bool)> = manifest
        .functions
        .iter()
        .map(|f| (f.name.as_str(), f.source.reports_batch_item_failures()))
        .collect();
    assert_eq!(
        reporting,
        [
            ("sqs_worker", true),
            ("kinesis_worker", true),
            ("dynamodb_worker", true),
            ("plain", false)
        ]
    );

    let client = Client::new(app);
    let events = client.events();
    let cases: Vec<(&str, Value, &dyn Fn(&Value) -> Vec<Value>)> = vec![
        (
            "sqs_worker",
            events.sqs("jobs", ["ok", "bad 1", "ok", "bad 2"]),
            &|event| {
                vec![
                    event["Records"][1]["messageId"].clone(),
                    event["Records"][3]["messageId"].clone(),
                ]
            },
        ),
        ("sqs_worker", events.sqs("jobs", ["ok"]), &|_| vec![]),
        (
            "kinesis_worker",
            events.kinesis("clicks", ["bad", "ok"]),
            &|event| vec![event["Records"][0]["kinesis"]["sequenceNumber"].clone()],
        ),
        (
            "dynamodb_worker",
            events.dynamodb(
                "T",
                [
                    DynamoDbChange::insert(json!({"k": {"S": "a"}}), json!({"k": {"S": "a"}})),
                    DynamoDbChange::remove(json!({"k": {"S": "b"}}), json!({"k": {"S": "b"}})),
                ],
            ),
            &|event| vec![event["Records"][1]["dynamodb"]["SequenceNumber"].clone()],
        ),
    ];
    for (name, event, failed) in cases {
        let failures: Vec<Value> = failed(&event)
            .into_iter()
            .map(|id| json!({"itemIdentifier": id}))
            .collect();
        let answer = client
            .lambda_()
            .invoke(name, &event)
            .send()
            .expect(name)
            .payload;
        assert_eq!(answer, json!({"batchItemFailures": failures}), "{name}");
    }
}

#[test]
fn pure_functions_take_any_serde_payload_and_answer_json() {
    #[derive(Deserialize)]
    struct Resize {
        name: String,
        width: u32,
        height: u32,
    }
    fn area(job: Resize) -> Json<(String, u32)> {
        Json((job.name, job.width * job.height))
    }
    async fn whoami(_: Value, context: LambdaContext) -> Result<String, ChaliceError> {
        Ok(context.function_name.to_string())
    }
    fn refuse(_: Value) -> Result<Value, ChaliceError> {
        Err(ChaliceError::bad_request("no"))
    }
    let mut app = Chalice::new("pure");
    app.lambda_function(area);
    app.lambda_function(whoami);
    app.lambda_function(refuse);
    app.lambda_function(|_: Value| -> Value { panic!("boom") })
        .name("panics");
    let client = Client::new(app);
    let cases: Vec<(&str, Value, Result<Value, (&str, &str)>)> = vec![
        (
            "area",
            json!({"name": "a.png", "width": 3, "height": 4}),
            Ok(json!(["a.png", 12])),
        ),
        ("whoami", json!(null), Ok(json!("pure-dev-whoami"))),
        (
            "area",
            json!({"width": 3}),
            Err((
                "BadRequestError",
                "function \"area\" failed: the payload does not fit",
            )),
        ),
        (
            "refuse",
            json!({}),
            Err(("BadRequestError", "function \"refuse\" failed: no")),
        ),
        (
            "panics",
            json!({}),
            Err(("Chalice.HandlerError", "function \"panics\" failed")),
        ),
        (
            "nope",
            json!({}),
            Err((
                "Chalice.UnknownFunction",
                "the app has no function \"nope\" (it has \"area\", \"whoami\", \"refuse\", \"panics\")",
            )),
        ),
    ];
    for (name, payload, expected) in cases {
        let answer = client.lambda_().invoke(name, &payload).send();
        match (answer, expected) {
            (Ok(answer), Ok(value)) => assert_eq!(answer.payload, value, "{name}"),
            (Err(error), Err((error_type, message))) => {
                assert_eq!(error.error_type(), error_type, "{name}");
                assert!(error.to_string().starts_with(message), "{name}: {error}");
            }
            (answer, expected) => panic!("{name}: {answer:?}, expected {expected:?}"),
        }
    }
}

#[test]
fn events_a_source_does_not_send_are_refused_with_the_reason() {
    let client = Client::new(recording_app(&Seen::default()));
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "sqs",
            json!({"Records": [{"body": "no id"}]}),
            "function \"sqs\" (on_sqs_message) can't read the event: missing field `messageId`",
        ),
        (
            "s3",
            json!({}),
            "function \"s3\" (on_s3_event) can't read the event: missing field `Records`",
        ),
        (
            "tick",
            json!("hi"),
            "function \"tick\" (schedule) can't read the event: invalid type: string \"hi\", expected struct CloudWatchEvent",
        ),
    ];
    for (name, event, message) in cases {
        let error = client
            .lambda_()
            .invoke(name, &event)
            .send()
            .expect_err(name);
        assert_eq!(error.error_type(), "Chalice.InvalidEvent");
        assert!(error.to_string().starts_with(message), "{name}: {error}");
    }
}

#[test]
fn event_middleware_runs_around_handlers_of_its_type() {
    let seen = Seen::default();
    let mut app = recording_app(&seen);
    for (event_type, label) in [(EventType::All, "all"), (EventType::Sqs, "sqs-only")] {
        let s = Arc::clone(&seen);
        app.event_middleware(event_type, move |event: Event, next: EventNext| {
            let s = Arc::clone(&s);
            async move {
                s.lock()
                    .expect("not poisoned")
                    .push(format!("{label} before {}", event.event_type().as_str()));
                let answer = next.run(event).await;
                s.lock()
                    .expect("not poisoned")
                    .push(format!("{label} after"));
                answer
            }
        });
    }
    // A middleware may also answer by itself, without the handler.
    app.event_middleware(EventType::S3, |event: Event, next: EventNext| async move {
        match &event {
            Event::S3(s3) if s3.records.iter().any(|r| r.key.ends_with(".tmp")) => Ok(Value::Null),
            _ => next.run(event).await,
        }
    });
    let client = Client::new(app);
    let events = client.events();
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "sqs",
            events.sqs("jobs", ["x"]),
            vec![
                "all before sqs",
                "sqs-only before sqs",
                "sqs x arn:aws:sqs:us-west-2:123456789012:jobs []",
                "sqs-only after",
                "all after",
            ],
        ),
        (
            "s3",
            events.s3("uploads", "a.jpg"),
            vec![
                "all before s3",
                "s3 ObjectCreated:Put uploads a.jpg Some(1024)",
                "all after",
            ],
        ),
        (
            "s3",
            events.s3("uploads", "a.tmp"),
            vec!["all before s3", "all after"],
        ),
        (
            "tick",
            events.scheduled("r"),
            vec![
                "all before scheduled",
                "tick Scheduled Event arn:aws:events:us-west-2:123456789012:rule/r",
                "all after",
            ],
        ),
    ];
    for (name, event, expected) in cases {
        seen.lock().expect("not poisoned").clear();
        client.lambda_().invoke(name, &event).send().expect(name);
        assert_eq!(*seen.lock().expect("not poisoned"), expected, "{name}");
    }
}

#[tokio::test]
async fn async_handlers_and_their_errors() {
    async fn upload(event: S3Event) -> Result<(), ChaliceError> {
        tokio::task::yield_now().await;
        if event.records[0].key.contains("forbidden") {
            return Err(ChaliceError::forbidden("not that one"));
        }
        Ok(())
    }
    let mut app = Chalice::new("app");
    app.on_s3_event("b", upload);
    let client = Client::new(app);
    let ok = client
        .lambda_()
        .invoke("upload", &client.events().s3("b", "fine"))
        .await;
    assert_eq!(ok.map(|a| a.payload).ok(), Some(Value::Null));
    let error = client
        .lambda_()
        .invoke("upload", &client.events().s3("b", "forbidden"))
        .await
        .expect_err("the handler's error");
    assert_eq!(error.error_type(), "ForbiddenError");
    assert_eq!(
        error.to_string(),
        "function \"upload\" failed: not that one"
    );
}

#[test]
fn declarations_keep_chalice_defaults_and_parameters() {
    fn job(_: CloudWatchEvent) {}
    fn worker(_: SqsEvent) {}
    fn stream(_: KinesisEvent) {}
    fn changes(_: DynamoDbEvent) {}
    fn upload(_: S3Event) {}
    fn alert(_: SnsEvent) {}
    let mut app = Chalice::new("app");
    app.schedule(Cron::new("0", "3", "*", "*", "?", "*"), job)
        .description("nightly");
    app.schedule("rate(1 minute)", job).name("often");
    app.on_cw_event(json!({"source": ["aws.ec2"]}), job)
        .name("ec2")
        .event_bus("ops");
    app.on_s3_event("b", upload)
        .events(["s3:ObjectRemoved:*"])
        .prefix("in/")
        .suffix(".csv");
    app.on_sns_message("arn:aws:sns:us-east-1:1:t", alert);
    app.on_sqs_message("q", worker);
    app.on_sqs_message(SqsQueue::Arn("arn:aws:sqs:us-east-1:1:q".into()), worker)
        .name("by_arn")
        .batch_size(100)
        .maximum_batching_window_in_seconds(5)
        .maximum_concurrency(5);
    app.on_kinesis_record("s", stream);
    app.on_dynamodb_record("arn:aws:dynamodb:us-east-1:1:table/T/stream/x", changes)
        .starting_position(StartingPosition::TrimHorizon)
        .batch_size(10);
    app.check().expect("a valid app");
    let functions: Vec<Value> = app
        .manifest()
        .functions
        .iter()
        .map(|f| serde_json::to_value(f).expect("serializes"))
        .collect();
    let expected = [
        json!({"name": "job", "source": "schedule", "expression": "cron(0 3 * * ? *)", "description": "nightly"}),
        json!({"name": "often", "source": "schedule", "expression": "rate(1 minute)", "description": ""}),
        json!({"name": "ec2", "source": "cw_event", "event_pattern": {"source": ["aws.ec2"]}, "event_bus": "ops"}),
        json!({"name": "upload", "source": "s3", "bucket": "b", "events": ["s3:ObjectRemoved:*"], "prefix": "in/", "suffix": ".csv"}),
        json!({"name": "alert", "source": "sns", "topic": "arn:aws:sns:us-east-1:1:t"}),
        json!({"name": "worker", "source": "sqs", "queue": "q", "queue_arn": null, "batch_size": 1,
               "maximum_batching_window_in_seconds": 0, "maximum_concurrency": null, "report_batch_item_failures": false}),
        json!({"name": "by_arn", "source": "sqs", "queue": null, "queue_arn": "arn:aws:sqs:us-east-1:1:q", "batch_size": 100,
               "maximum_batching_window_in_seconds": 5, "maximum_concurrency": 5, "report_batch_item_failures": false}),
        json!({"name": "stream", "source": "kinesis", "stream": "s", "batch_size": 100, "starting_position": "LATEST",
               "maximum_batching_window_in_seconds": 0, "report_batch_item_failures": false}),
        json!({"name": "changes", "source": "dynamodb", "stream_arn": "arn:aws:dynamodb:us-east-1:1:table/T/stream/x",
               "batch_size": 10, "starting_position": "TRIM_HORIZON", "maximum_batching_window_in_seconds": 0,
               "report_batch_item_failures": false}),
    ];
    assert_eq!(functions, expected);
}

#[test]
fn mistakes_are_definition_errors_at_the_callers_line() {
    fn job(_: CloudWatchEvent) {}
    fn worker(_: SqsEvent) {}
    fn stream(_: KinesisEvent) {}
    type Declare = fn(&mut Chalice) -> u32;
    let cases: Vec<(Declare, &str)> = vec![
        (
            |app| {
                let line = line!() + 1;
                app.schedule("rate(0 minutes)", job);
                line
            },
            "Invalid schedule expression \"rate(0 minutes)\" for function \"job\": ",
        ),
        (
            |app| {
                let line = line!() + 1;
                app.schedule("cron(0 3 * * * *)", job);
                line
            },
            "Invalid schedule expression \"cron(0 3 * * * *)\" for function \"job\": ",
        ),
        (
            |app| {
                let line = line!() + 1;
                app.schedule("every day", job);
                line
            },
            "Invalid schedule expression \"every day\" for function \"job\": ",
        ),
        (
            |app| {
                app.lambda_function(|_: Value| ()).name("job");
                let line = line!() + 1;
                app.schedule(Rate::days(1), job);
                line
            },
            "Duplicate function name detected: job\nNames must be unique across all lambda functions in your Chalice app.",
        ),
        (
            |app| {
                let line = line!() + 1;
                app.on_sqs_message("jobs", |_: SqsEvent| {});
                line
            },
            "The on_sqs_message handler is a closure, which has no name to give its Lambda function: name it with .name(\"...\")",
        ),
        (
            |app| {
                let line = line!() + 1;
                app.on_sqs_message("https://sqs.us-east-1.amazonaws.com/1/jobs", worker);
                line
            },
            "Invalid queue for on_sqs_message handler \"worker\": The 'queue' parameter for the '@app.on_sqs_message()' handler must be the name of the queue",
        ),
        (
            |app| {
                let line = line!() + 1;
                app.on_sqs_message("jobs", worker).batch_size(11);
                line
            },
            "Invalid batch_size for on_sqs_message handler \"worker\": a batch of more than 10 messages (11) needs a maximum_batching_window_in_seconds of at least 1",
        ),
        (
            |app| {
                let line = line!() + 1;
                app.on_kinesis_record("s", stream).batch_size(0);
                line
            },
            "Invalid batch_size for on_kinesis_record handler \"stream\": 0 is not 1 to 10000",
        ),
        (
            |app| {
                let line = line!() + 1;
                app.on_cw_event(json!([]), job);
                line
            },
            "Invalid event_pattern for on_cw_event handler \"job\": an event pattern is a JSON object",
        ),
        (
            |app| {
                let line = line!() + 1;
                app.on_s3_event("b", |_: S3Event| {}).name("has space");
                line
            },
            "Invalid function name \"has space\": ' ' is not allowed",
        ),
        (
            |app| {
                let line = line!() + 1;
                app.lambda_function(|_: Value| ()).name("api_handler");
                line
            },
            "Invalid function name \"api_handler\": it is the API handler's",
        ),
    ];
    for (declare, message) in cases {
        let mut app = Chalice::new("app");
        let line = declare(&mut app);
        let errors = app.check().expect_err(message);
        let errors = errors.errors();
        assert_eq!(
            errors.len(),
            1,
            "{message}: {:?}",
            errors.iter().map(|e| e.message()).collect::<Vec<_>>()
        );
        assert!(
            errors[0].message().starts_with(message),
            "{}",
            errors[0].message()
        );
        assert_eq!(errors[0].location().file(), file!());
        assert_eq!(errors[0].location().line(), line, "{message}");
    }
}

#[test]
fn blueprints_declare_functions_under_their_name_prefix() {
    fn tick(_: CloudWatchEvent) {}
    let mut blueprint = Blueprint::new("jobs");
    blueprint.schedule(Rate::hours(1), tick);
    blueprint.lambda_function(|n: i64| Json(n + 1)).name("inc");
    let mut app = Chalice::new("app");
    app.register_blueprint(&blueprint, BlueprintOptions::new().name_prefix("bp_"));
    app.register_blueprint(&blueprint, BlueprintOptions::new().name_prefix("again_"));
    app.check().expect("distinct prefixes, distinct names");
    let names: Vec<&str> = app.function_names().collect();
    assert_eq!(names, ["bp_tick", "bp_inc", "again_tick", "again_inc"]);
    let client = Client::new(app);
    let answer = client
        .lambda_()
        .invoke("again_inc", &41)
        .send()
        .expect("inc");
    assert_eq!(answer.payload, json!(42));

    let mut twice = Chalice::new("app");
    twice.register_blueprint(&blueprint, BlueprintOptions::new());
    twice.register_blueprint(&blueprint, BlueprintOptions::new());
    let errors = twice.check().expect_err("the same names twice");
    let duplicates: Vec<String> = errors
        .errors()
        .iter()
        .filter_map(|e| match e.kind() {
            DefinitionErrorKind::DuplicateFunctionName { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(duplicates, ["tick", "inc"]);
}

#[test]
fn the_manifest_lists_functions_with_their_sources() {
    let mut app = Chalice::new("app");
    app.on_sns_message("t", |_: SnsEvent| {}).name("n");
    assert_eq!(
        app.function_source("n"),
        Some(&EventSource::Sns {
            topic: "t".to_owned()
        })
    );
}
