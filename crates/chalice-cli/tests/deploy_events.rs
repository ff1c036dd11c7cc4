//! `chalice deploy` of event handlers end to end: the `events` example (a schedule, an S3
//! hook and an SQS worker reporting partial batch failures) and a Kinesis handler deployed
//! with the real
//! `chalice` binary against moto's server (the AWS emulator from PyPI, on 127.0.0.1):
//! create (the rule and its target, the S3 notification merged into the bucket's existing
//! configuration, the mapping with `ReportBatchItemFailures`, the permissions, Chalice's
//! state records) → a redeploy with nothing changed (no changing call, counted by moto's
//! recorder) → an update (a batch size changed, the Kinesis handler's starting position
//! changed, the schedule and the routes removed, an SNS subscription, an EventBridge pattern
//! on a custom bus, a DynamoDB stream mapping and a pure function added: the SQS mapping
//! updated in place, the Kinesis one deleted and created again (Lambda can't move a
//! mapping's starting position), the new sources created, the rule, its function and the
//! API deleted, `url` says there is no REST API) → `delete`
//! (everything gone, the bucket's other notification still there).
//!
//! One test, because the slow parts (release builds of the app) are shared by every step.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use serde_json::Value;

use support::moto::{Moto, Recorded, actions};
use support::project::{Artifacts, WorkDir, new_project};

const REGION: &str = "us-east-1";
const ACCOUNT: &str = "123456789012";

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/events")
}

/// Runs `chalice ARGS`: its status, stdout and stderr.
fn run(project: &Path, moto: &Moto, args: &[&str]) -> (Option<i32>, String, String) {
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
    (
        status.code(),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// `chalice ARGS --json`, which must succeed: what it printed.
fn run_json(project: &Path, moto: &Moto, args: &[&str]) -> Value {
    let (status, stdout, stderr) = run(project, moto, args);
    assert_eq!(status, Some(0), "{args:?} failed:\n{stderr}\n{stdout}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

/// (name, resource_type) of each record of the stage's state file.
fn records(project: &Path) -> Vec<(String, String)> {
    state(project)["resources"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap_or("").to_owned(),
                r["resource_type"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn state(project: &Path) -> Value {
    let path = project.join(".chalice/deployed/dev.json");
    serde_json::from_slice(&std::fs::read(&path).expect("the state file")).expect("JSON")
}

/// The record named `name`.
fn record(project: &Path, name: &str) -> Value {
    state(project)["resources"]
        .as_array()
        .expect("records")
        .iter()
        .find(|r| r["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no record {name}"))
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

fn lambda_arn(function: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}")
}

/// AWS clients of the test's own, pointed at moto.
struct Aws {
    runtime: tokio::runtime::Runtime,
    lambda: aws_sdk_lambda::Client,
    events: aws_sdk_eventbridge::Client,
    s3: aws_sdk_s3::Client,
    sns: aws_sdk_sns::Client,
}

impl Aws {
    fn new(moto: &Moto) -> Aws {
        let (runtime, config) = moto.sdk_config(REGION);
        Aws {
            runtime,
            lambda: aws_sdk_lambda::Client::new(&config),
            events: aws_sdk_eventbridge::Client::new(&config),
            s3: aws_sdk_s3::Client::new(&config),
            sns: aws_sdk_sns::Client::new(&config),
        }
    }

    fn function_names(&self) -> Vec<String> {
        let listed = self
            .runtime
            .block_on(self.lambda.list_functions().send())
            .expect("ListFunctions");
        let mut names: Vec<String> = listed
            .functions()
            .iter()
            .filter_map(|f| f.function_name().map(str::to_owned))
            .collect();
        names.sort();
        names
    }

    fn rule_names(&self) -> Vec<String> {
        let listed = self
            .runtime
            .block_on(self.events.list_rules().send())
            .expect("ListRules");
        listed
            .rules()
            .iter()
            .filter_map(|r| r.name().map(str::to_owned))
            .collect()
    }

    /// The (UUID, starting position) of the mapping that invokes `function`.
    fn position(&self, function: &str) -> (String, String) {
        let listed = self
            .runtime
            .block_on(self.lambda.list_event_source_mappings().send())
            .expect("ListEventSourceMappings");
        let function_arn = lambda_arn(function);
        let mappings: Vec<_> = listed
            .event_source_mappings()
            .iter()
            .filter(|m| m.function_arn() == Some(function_arn.as_str()))
            .collect();
        match mappings.as_slice() {
            [mapping] => (
                mapping.uuid().unwrap_or_default().to_owned(),
                mapping
                    .starting_position()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default(),
            ),
            other => panic!("{function} has {} mappings: {other:?}", other.len()),
        }
    }

    /// (UUID, function ARN, batch size) of every mapping.
    fn mappings(&self) -> Vec<(String, String, i32)> {
        let listed = self
            .runtime
            .block_on(self.lambda.list_event_source_mappings().send())
            .expect("ListEventSourceMappings");
        listed
            .event_source_mappings()
            .iter()
            .map(|m| {
                (
                    m.uuid().unwrap_or_default().to_owned(),
                    m.function_arn().unwrap_or_default().to_owned(),
                    m.batch_size().unwrap_or_default(),
                )
            })
            .collect()
    }

    fn notifications(
        &self,
        bucket: &str,
    ) -> aws_sdk_s3::operation::get_bucket_notification_configuration::GetBucketNotificationConfigurationOutput
    {
        self.runtime
            .block_on(
                self.s3
                    .get_bucket_notification_configuration()
                    .bucket(bucket)
                    .send(),
            )
            .expect("GetBucketNotificationConfiguration")
    }

    /// The endpoints subscribed to the topic.
    fn subscriptions(&self, topic_arn: &str) -> Vec<String> {
        let listed = self
            .runtime
            .block_on(
                self.sns
                    .list_subscriptions_by_topic()
                    .topic_arn(topic_arn)
                    .send(),
            )
            .expect("ListSubscriptionsByTopic");
        listed
            .subscriptions()
            .iter()
            .filter_map(|s| s.endpoint().map(str::to_owned))
            .collect()
    }

    /// The function's resource policy, as text.
    fn policy(&self, function: &str) -> String {
        self.runtime
            .block_on(self.lambda.get_policy().function_name(function).send())
            .map(|p| p.policy().unwrap_or_default().to_owned())
            .unwrap_or_default()
    }
}

/// The bodies of the recorded requests whose operation is `operation`.
fn bodies<'a>(recorded: &'a [Recorded], operation: &str) -> Vec<&'a str> {
    recorded
        .iter()
        .filter(|request| request.operation() == operation)
        .map(|request| request.body.as_str())
        .collect()
}

#[test]
fn deploy_events_against_moto() {
    let name = format!("evt{}", std::process::id());
    let _artifacts = Artifacts(name.clone());
    let work = WorkDir::new("deploy-events");
    let Some(moto) = Moto::start(&work) else {
        return;
    };
    let aws = Aws::new(&moto);
    // The example, as a project of its own (its lib.rs and its .chalice/config.json).
    let project = new_project(&work, &name);
    let main = project.join("src/lib.rs");
    std::fs::copy(example().join("src/lib.rs"), &main).expect("the example's app");
    std::fs::copy(
        example().join(".chalice/config.json"),
        project.join(".chalice/config.json"),
    )
    .expect("the example's configuration");
    let cargo_toml = project.join("Cargo.toml");
    // A Kinesis handler too, starting at the latest record (the default).
    edit(
        &main,
        ".batch_size(10);",
        ".batch_size(10);\n    app.on_kinesis_record(\"clicks\", clicks);",
    );
    std::fs::write(
        &main,
        std::fs::read_to_string(&main).expect("read")
            + "\nfn clicks(_: chalice::KinesisEvent) {}\n",
    )
    .expect("write");
    edit(
        &cargo_toml,
        "serde_json = \"1\"\n",
        "serde_json = \"1\"\nserde = { version = \"1\", features = [\"derive\"] }\n",
    );

    // What the app's sources are: a bucket that already notifies a queue of someone else's
    // (that notification must survive every deploy and the delete), and the worker's queue.
    moto.query(
        "sqs",
        "Action=CreateQueue&QueueName=jobs&Version=2012-11-05",
    );
    moto.query(
        "sqs",
        "Action=CreateQueue&QueueName=audit&Version=2012-11-05",
    );
    let audit_queue = format!("arn:aws:sqs:{REGION}:{ACCOUNT}:audit");
    aws.runtime.block_on(async {
        aws.s3
            .create_bucket()
            .bucket("uploads")
            .send()
            .await
            .expect("CreateBucket");
        let foreign = aws_sdk_s3::types::QueueConfiguration::builder()
            .id("someone-elses")
            .queue_arn(&audit_queue)
            .events(aws_sdk_s3::types::Event::from("s3:ObjectRemoved:*"))
            .build()
            .expect("a queue notification");
        aws.s3
            .put_bucket_notification_configuration()
            .bucket("uploads")
            .notification_configuration(
                aws_sdk_s3::types::NotificationConfiguration::builder()
                    .queue_configurations(foreign)
                    .build(),
            )
            .send()
            .await
            .expect("PutBucketNotificationConfiguration");
    });
    // The sources the update adds: a topic, an event bus, a Kinesis stream, a table's stream.
    moto.query("sns", "Action=CreateTopic&Name=alerts");
    moto.json(
        "kinesis",
        "Kinesis_20131202.CreateStream",
        r#"{"StreamName": "clicks", "ShardCount": 1}"#,
    );
    let table = moto.json(
        "dynamodb",
        "DynamoDB_20120810.CreateTable",
        r#"{"TableName": "users", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}}"#,
    );
    let table: Value = serde_json::from_str(&table).expect("CreateTable's answer");
    let table_stream = table["TableDescription"]["LatestStreamArn"]
        .as_str()
        .expect("the table's stream")
        .to_owned();
    aws.runtime
        .block_on(aws.events.create_event_bus().name("builds").send())
        .expect("CreateEventBus");
    let foreign_survives = |aws: &Aws| {
        let queues: Vec<String> = aws
            .notifications("uploads")
            .queue_configurations()
            .iter()
            .map(|q| q.queue_arn().to_owned())
            .collect();
        assert_eq!(
            queues,
            std::slice::from_ref(&audit_queue),
            "the bucket's other notification"
        );
    };

    // The first deploy: each handler its own function, then its trigger; the API last.
    moto.start_recording();
    let created = run_json(&project, &moto, &["deploy", "--json"]);
    let recorded = moto.stop_recording();
    assert_eq!(
        actions(&created),
        [
            "create_role",
            "create_function",
            "create_function",
            "create_event_source",
            "create_function",
            "create_event_source",
            "create_function",
            "create_event_source",
            "create_function",
            "create_event_source",
            "create_rest_api",
            "add_invoke_permission",
            "deploy_rest_api"
        ]
    );
    let record_names = |names: &[(&str, &str)]| -> Vec<(String, String)> {
        names
            .iter()
            .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
            .collect()
    };
    assert_eq!(
        records(&project),
        record_names(&[
            ("default-role", "iam_role"),
            ("api_handler", "lambda_function"),
            ("nightly", "lambda_function"),
            ("nightly-event", "cloudwatch_event"),
            ("on_upload", "lambda_function"),
            ("on_upload-s3event", "s3_event"),
            ("worker", "lambda_function"),
            ("worker-sqs-event-source", "sqs_event"),
            ("clicks", "lambda_function"),
            ("clicks-kinesis-event-source", "kinesis_event"),
            ("rest_api", "rest_api"),
        ])
    );
    assert_eq!(
        aws.function_names(),
        [
            "events-dev",
            "events-dev-clicks",
            "events-dev-nightly",
            "events-dev-on_upload",
            "events-dev-worker"
        ]
    );
    let worker = aws
        .runtime
        .block_on(
            aws.lambda
                .get_function_configuration()
                .function_name("events-dev-worker")
                .send(),
        )
        .expect("the worker");
    assert_eq!(
        worker
            .environment()
            .and_then(|e| e.variables())
            .and_then(|v| v.get("CHALICE_HANDLER"))
            .map(String::as_str),
        Some("worker")
    );

    // The schedule: rule, target "1", permission for EventBridge.
    let rule = "events-dev-nightly-event";
    assert_eq!(record(&project, "nightly-event")["rule_name"], rule);
    let (described, targets) = aws.runtime.block_on(async {
        (
            aws.events
                .describe_rule()
                .name(rule)
                .send()
                .await
                .expect("the rule"),
            aws.events
                .list_targets_by_rule()
                .rule(rule)
                .send()
                .await
                .expect("its targets"),
        )
    });
    assert_eq!(described.schedule_expression(), Some("cron(0 3 * * ? *)"));
    assert_eq!(described.description(), Some("Nightly cleanup, 03:00 UTC"));
    let targets: Vec<(&str, &str)> = targets
        .targets()
        .iter()
        .map(|t| (t.id(), t.arn()))
        .collect();
    assert_eq!(targets, [("1", lambda_arn("events-dev-nightly").as_str())]);
    let policy = aws.policy("events-dev-nightly");
    assert!(
        policy.contains("events.amazonaws.com") && policy.contains(rule),
        "{policy}"
    );

    // The S3 hook: merged into the bucket's configuration, with its filter.
    let on_upload = lambda_arn("events-dev-on_upload");
    let configuration = aws.notifications("uploads");
    let ours: Vec<(String, Vec<String>, Vec<(String, String)>)> = configuration
        .lambda_function_configurations()
        .iter()
        .map(|entry| {
            (
                entry.lambda_function_arn().to_owned(),
                entry
                    .events()
                    .iter()
                    .map(|e| e.as_str().to_owned())
                    .collect(),
                entry
                    .filter()
                    .and_then(|f| f.key())
                    .map(|k| k.filter_rules())
                    .unwrap_or_default()
                    .iter()
                    .map(|r| {
                        (
                            r.name().map(|n| n.as_str().to_owned()).unwrap_or_default(),
                            r.value().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        ours,
        [(
            on_upload.clone(),
            vec!["s3:ObjectCreated:*".to_owned()],
            vec![
                ("prefix".to_owned(), "incoming/".to_owned()),
                ("suffix".to_owned(), ".csv".to_owned())
            ]
        )]
    );
    foreign_survives(&aws);
    let s3_record = record(&project, "on_upload-s3event");
    assert_eq!(s3_record["bucket"], "uploads");
    assert_eq!(s3_record["lambda_arn"], on_upload.as_str());
    let policy = aws.policy("events-dev-on_upload");
    assert!(
        policy.contains("s3.amazonaws.com")
            && policy.contains("arn:aws:s3:::uploads")
            && policy.contains(ACCOUNT),
        "{policy}"
    );

    // The worker: a mapping from the queue, reporting its failed messages.
    let mappings = aws.mappings();
    assert_eq!(mappings.len(), 2, "{mappings:?}");
    let (uuid, _, batch_size) = mappings
        .iter()
        .find(|m| m.1 == lambda_arn("events-dev-worker"))
        .cloned()
        .expect("the worker's mapping");
    assert_eq!(batch_size, 10);
    let sqs_record = record(&project, "worker-sqs-event-source");
    assert_eq!(sqs_record["event_uuid"], uuid.as_str());
    assert_eq!(
        sqs_record["queue_arn"],
        format!("arn:aws:sqs:{REGION}:{ACCOUNT}:jobs")
    );
    assert_eq!(sqs_record["queue"], "jobs");
    let sent = bodies(&recorded, "POST /2015-03-31/event-source-mappings");
    assert_eq!(sent.len(), 2, "{sent:?}");
    let sent: Value = serde_json::from_str(sent[0]).expect("a JSON body");
    assert_eq!(
        sent["FunctionResponseTypes"],
        serde_json::json!(["ReportBatchItemFailures"])
    );
    // No batching window set, none sent (a FIFO queue has none to set).
    assert_eq!(sent.get("MaximumBatchingWindowInSeconds"), None, "{sent}");
    // The stream's mapping, from the latest record, recorded with its position.
    let (clicks_uuid, position) = aws.position("events-dev-clicks");
    assert_eq!(position, "LATEST");
    let kinesis_record = record(&project, "clicks-kinesis-event-source");
    assert_eq!(kinesis_record["event_uuid"], clicks_uuid.as_str());
    assert_eq!(kinesis_record["starting_position"], "LATEST");

    // The role may read the queue.
    let role_policy = created["steps"][0]["policy"].to_string();
    assert!(role_policy.contains("sqs:ReceiveMessage"), "{role_policy}");

    // Nothing changed: read calls only.
    moto.start_recording();
    let again = run_json(&project, &moto, &["deploy", "--json"]);
    let recorded = moto.stop_recording();
    assert_eq!(actions(&again), Vec::<String>::new());
    let changing: Vec<String> = recorded
        .iter()
        .filter(|r| r.changes())
        .map(Recorded::operation)
        .collect();
    assert_eq!(changing, Vec::<String>::new());

    // A smaller batch, the stream read from its oldest record, the schedule and the routes
    // removed, every other kind of source added: the queue's mapping is updated in place, the
    // stream's deleted and created again (Lambda can't move a starting position), the role
    // gets the DynamoDB stream's actions, each new handler its function and trigger, and the
    // rule goes before its function, the API with its handler.
    edit(
        &main,
        ".batch_size(10);",
        &format!(
            ".batch_size(5);\n    \
             app.on_sns_message(\"alerts\", on_alert);\n    \
             app.on_cw_event(json!({{\"source\": [\"aws.codecommit\"]}}), on_commit).event_bus(\"builds\");\n    \
             app.on_dynamodb_record(\"{table_stream}\", audit);\n    \
             app.lambda_function(add);"
        ),
    );
    edit(
        &main,
        "app.on_kinesis_record(\"clicks\", clicks);",
        "app.on_kinesis_record(\"clicks\", clicks)\n        \
         .batch_size(50)\n        \
         .starting_position(chalice::StartingPosition::TrimHorizon);",
    );
    std::fs::write(
        &main,
        std::fs::read_to_string(&main).expect("read")
            + "\nfn on_alert(_: chalice::SnsEvent) {}\n\
               fn on_commit(_: CloudWatchEvent) {}\n\
               fn audit(_: chalice::DynamoDbEvent) {}\n\
               fn add(numbers: Vec<i64>) -> Json<i64> {\n    Json(numbers.into_iter().sum())\n}\n",
    )
    .expect("write");
    edit(
        &main,
        "app.schedule(Cron::new(0, 3, \"*\", \"*\", \"?\", \"*\"), nightly)\n        .description(\"Nightly cleanup, 03:00 UTC\");",
        "let _ = (nightly, Cron::new(0, 3, \"*\", \"*\", \"?\", \"*\"));",
    );
    edit(
        &main,
        "app.route(\"/\", || Json(json!({\"hello\": \"events\"})));",
        "let _ = Json(json!({\"hello\": \"events\"}));",
    );
    let updated = run_json(&project, &moto, &["deploy", "--json"]);
    assert_eq!(
        actions(&updated),
        [
            // The stream's mapping, which can't move to TRIM_HORIZON, first.
            "delete_event_source",
            "update_role_policy",
            "update_function_code",
            "update_function_code",
            "update_event_source",
            "create_function",
            "create_event_source",
            "create_function",
            "create_event_source",
            "create_function",
            "create_event_source",
            "create_function",
            "update_function_code",
            "create_event_source",
            "delete_rest_api",
            "delete_event_source",
            "delete_function",
            "delete_function"
        ]
    );
    assert_eq!(updated["url"], Value::Null);
    let updated_policy = updated["steps"]
        .as_array()
        .and_then(|steps| steps.iter().find(|s| s["action"] == "update_role_policy"))
        .map(|step| step["policy"].to_string())
        .unwrap_or_default();
    assert!(
        updated_policy.contains("kinesis:GetRecords")
            && updated_policy.contains("dynamodb:GetRecords"),
        "{updated_policy}"
    );
    let mut mappings = aws.mappings();
    mappings.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(mappings.len(), 3, "{mappings:?}");
    assert_eq!(
        mappings[2],
        (uuid.clone(), lambda_arn("events-dev-worker"), 5),
        "updated in place"
    );
    assert_eq!(
        (mappings[0].1.as_str(), mappings[0].2),
        (lambda_arn("events-dev-audit").as_str(), 100)
    );
    assert_eq!(
        (mappings[1].1.as_str(), mappings[1].2),
        (lambda_arn("events-dev-clicks").as_str(), 50)
    );
    let (new_clicks_uuid, position) = aws.position("events-dev-clicks");
    assert_eq!(position, "TRIM_HORIZON");
    assert_ne!(new_clicks_uuid, clicks_uuid, "a new mapping");
    let kinesis_record = record(&project, "clicks-kinesis-event-source");
    assert_eq!(kinesis_record["event_uuid"], new_clicks_uuid.as_str());
    assert_eq!(kinesis_record["starting_position"], "TRIM_HORIZON");
    assert_eq!(aws.rule_names(), Vec::<String>::new(), "the default bus");
    assert_eq!(
        aws.function_names(),
        [
            "events-dev-add",
            "events-dev-audit",
            "events-dev-clicks",
            "events-dev-on_alert",
            "events-dev-on_commit",
            "events-dev-on_upload",
            "events-dev-worker"
        ]
    );
    assert_eq!(
        records(&project),
        record_names(&[
            ("default-role", "iam_role"),
            ("on_upload", "lambda_function"),
            ("on_upload-s3event", "s3_event"),
            ("worker", "lambda_function"),
            ("worker-sqs-event-source", "sqs_event"),
            ("clicks", "lambda_function"),
            ("on_alert", "lambda_function"),
            ("on_alert-sns-subscription", "sns_event"),
            ("on_commit", "lambda_function"),
            ("on_commit-event", "cloudwatch_event"),
            ("audit", "lambda_function"),
            ("audit-dynamodb-event-source", "dynamodb_event"),
            ("add", "lambda_function"),
            // Recorded again when created again.
            ("clicks-kinesis-event-source", "kinesis_event"),
        ])
    );
    // The pattern's rule, on its bus.
    let pattern_rule = aws
        .runtime
        .block_on(
            aws.events
                .describe_rule()
                .name("events-dev-on_commit-event")
                .event_bus_name("builds")
                .send(),
        )
        .expect("the rule on bus builds");
    let pattern: Value =
        serde_json::from_str(pattern_rule.event_pattern().unwrap_or("null")).expect("JSON");
    assert_eq!(pattern, serde_json::json!({"source": ["aws.codecommit"]}));
    // The subscription, by the topic's ARN built from its name.
    let topic_arn = format!("arn:aws:sns:{REGION}:{ACCOUNT}:alerts");
    let sns_record = record(&project, "on_alert-sns-subscription");
    assert_eq!(sns_record["topic"], "alerts");
    assert_eq!(sns_record["topic_arn"], topic_arn.as_str());
    assert_eq!(
        aws.subscriptions(&topic_arn),
        [lambda_arn("events-dev-on_alert")]
    );
    assert!(
        aws.policy("events-dev-on_alert")
            .contains("sns.amazonaws.com"),
        "SNS may invoke it"
    );
    let kinesis_record = record(&project, "clicks-kinesis-event-source");
    assert_eq!(kinesis_record["stream"], "clicks");
    assert_eq!(
        kinesis_record["stream_arn"],
        format!("arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/clicks")
    );
    assert_eq!(
        record(&project, "audit-dynamodb-event-source")["stream_arn"],
        table_stream.as_str()
    );

    // Again with nothing changed: nothing to do.
    moto.start_recording();
    let again = run_json(&project, &moto, &["deploy", "--json"]);
    let recorded = moto.stop_recording();
    assert_eq!(actions(&again), Vec::<String>::new());
    assert_eq!(
        recorded
            .iter()
            .filter(|r| r.changes())
            .map(Recorded::operation)
            .collect::<Vec<_>>(),
        Vec::<String>::new()
    );
    foreign_survives(&aws);
    let (status, _, stderr) = run(&project, &moto, &["url"]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(
        stderr.contains("error: stage dev has no REST API: the app has no routes"),
        "{stderr}"
    );

    // delete: triggers before their functions, the role last; the bucket keeps the other
    // notification.
    let deleted = run_json(&project, &moto, &["delete", "--json"]);
    assert_eq!(
        actions(&deleted),
        [
            "delete_event_source",
            "delete_function",
            "delete_event_source",
            "delete_function",
            "delete_event_source",
            "delete_function",
            "delete_event_source",
            "delete_function",
            "delete_function",
            "delete_event_source",
            "delete_function",
            "delete_event_source",
            "delete_function",
            "delete_role"
        ]
    );
    assert_eq!(aws.subscriptions(&topic_arn), Vec::<String>::new());
    let rules_on_bus = aws
        .runtime
        .block_on(aws.events.list_rules().event_bus_name("builds").send())
        .expect("ListRules");
    assert_eq!(rules_on_bus.rules().len(), 0, "{rules_on_bus:?}");
    assert_eq!(aws.function_names(), Vec::<String>::new());
    assert_eq!(aws.mappings(), Vec::<(String, String, i32)>::new());
    assert_eq!(
        aws.notifications("uploads")
            .lambda_function_configurations()
            .len(),
        0
    );
    foreign_survives(&aws);
    assert!(!project.join(".chalice/deployed/dev.json").exists());
}
