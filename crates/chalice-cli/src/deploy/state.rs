//! What a stage has on AWS: `.chalice/deployed/<stage>.json`.
//!
//! The shape is Chalice's `schema_version` 2.0 record list (`{"resources": [{"name",
//! "resource_type", ...}], "schema_version": "2.0", "backend": "api"}`), with the record
//! fields Chalice writes (`role_arn`, `lambda_arn`, `rest_api_id`, `rest_api_url`, ...), and a
//! few of ours that let a redeploy skip what did not change: the hash of each function's
//! code (Lambda's own `CodeSha256`) and configuration, of the role's policy and of the API's
//! document and settings.
//!
//! Unlike Chalice, which writes the file once the whole deploy succeeded (a failed deploy
//! records nothing and leaves orphans: aws/chalice#1340), the executor saves it after every
//! step that created or removed something, atomically (a temporary file renamed over the
//! old one), so an interrupted deploy is recorded, and a rerun or `chalice delete` picks up
//! where it stopped.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// The folder of the state files, inside the project.
pub(crate) const DEPLOYED_DIR: &str = ".chalice/deployed";

/// The schema Chalice's state files declare, which ours keep.
const SCHEMA_VERSION: &str = "2.0";

/// Everything deployed for one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DeployedState {
    /// The records, in the order they were created (deletion walks them backwards).
    pub(crate) resources: Vec<Record>,
    pub(crate) schema_version: String,
    /// Chalice's deployment backend name (`api`: deployed by API calls, not a template).
    pub(crate) backend: String,
}

impl Default for DeployedState {
    fn default() -> Self {
        DeployedState {
            resources: Vec::new(),
            schema_version: SCHEMA_VERSION.to_owned(),
            backend: "api".to_owned(),
        }
    }
}

/// One deployed resource, tagged by `resource_type` as in Chalice's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "resource_type", rename_all = "snake_case")]
pub(crate) enum Record {
    /// The functions' role (`default-role`).
    IamRole(RoleRecord),
    /// A Lambda function (`api_handler`, or an authorizer's name).
    LambdaFunction(FunctionRecord),
    /// The REST API (`rest_api`).
    RestApi(RestApiRecord),
    /// The HTTP API (`http_api`; ours, Chalice deploys REST APIs only).
    HttpApi(HttpApiRecord),
    /// The WebSocket API (`websocket_api`), its routes and stage.
    WebsocketApi(super::websocket::record::WebsocketApiRecord),
    /// A schedule's or an event pattern's EventBridge rule (`<name>-event`).
    CloudwatchEvent(RuleRecord),
    /// A bucket's notification of a function (`<name>-s3event`).
    S3Event(S3EventRecord),
    /// A function's subscription to a topic (`<name>-sns-subscription`).
    SnsEvent(SnsEventRecord),
    /// A mapping from a queue (`<name>-sqs-event-source`).
    SqsEvent(MappingRecord),
    /// A mapping from a Kinesis stream (`<name>-kinesis-event-source`).
    KinesisEvent(MappingRecord),
    /// A mapping from a DynamoDB stream (`<name>-dynamodb-event-source`).
    DynamodbEvent(MappingRecord),
}

impl Record {
    /// The record's name: the resource's key in the deploy graph.
    pub(crate) fn name(&self) -> &str {
        match self {
            Record::IamRole(role) => &role.name,
            Record::LambdaFunction(function) => &function.name,
            Record::RestApi(api) => &api.name,
            Record::HttpApi(api) => &api.name,
            Record::WebsocketApi(api) => &api.name,
            Record::CloudwatchEvent(rule) => &rule.name,
            Record::S3Event(s3) => &s3.name,
            Record::SnsEvent(sns) => &sns.name,
            Record::SqsEvent(mapping)
            | Record::KinesisEvent(mapping)
            | Record::DynamodbEvent(mapping) => &mapping.name,
        }
    }

    /// Chalice's `resource_type`, for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Record::IamRole(_) => "iam_role",
            Record::LambdaFunction(_) => "lambda_function",
            Record::RestApi(_) => "rest_api",
            Record::HttpApi(_) => "http_api",
            Record::WebsocketApi(_) => "websocket_api",
            Record::CloudwatchEvent(_) => "cloudwatch_event",
            Record::S3Event(_) => "s3_event",
            Record::SnsEvent(_) => "sns_event",
            Record::SqsEvent(_) => "sqs_event",
            Record::KinesisEvent(_) => "kinesis_event",
            Record::DynamodbEvent(_) => "dynamodb_event",
        }
    }
}

/// An IAM role the deploy created (never one given by `iam_role_arn`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RoleRecord {
    pub(crate) name: String,
    pub(crate) role_name: String,
    pub(crate) role_arn: String,
    /// The hash of the inline policy last put on it.
    #[serde(default)]
    pub(crate) policy_hash: String,
}

/// A Lambda function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FunctionRecord {
    pub(crate) name: String,
    pub(crate) lambda_arn: String,
    /// The function's name on Lambda (also the last part of `lambda_arn`).
    #[serde(default)]
    pub(crate) function_name: String,
    /// Lambda's `CodeSha256` of the deployed zip: base64 of its SHA-256.
    #[serde(default)]
    pub(crate) code_sha256: String,
    /// The hash of the configuration last applied (memory, timeout, environment, ...).
    #[serde(default)]
    pub(crate) config_hash: String,
}

/// A REST API and its stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RestApiRecord {
    pub(crate) name: String,
    pub(crate) rest_api_id: String,
    /// `https://{id}.execute-api.{region}.amazonaws.com/{stage}/`, as Chalice prints it.
    pub(crate) rest_api_url: String,
    /// The API Gateway stage last deployed to (`api_gateway_stage`); empty before the first
    /// deployment.
    #[serde(default)]
    pub(crate) stage: String,
    /// The hash of the document and settings last deployed.
    #[serde(default)]
    pub(crate) api_hash: String,
    /// The functions (by key) that API Gateway has been allowed to invoke.
    #[serde(default)]
    pub(crate) invoke_permissions: Vec<String>,
}

/// An HTTP API, its integration with the API handler, and its stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct HttpApiRecord {
    pub(crate) name: String,
    pub(crate) api_id: String,
    /// `https://{id}.execute-api.{region}.amazonaws.com/{stage}/`.
    pub(crate) api_url: String,
    /// The integration every route targets (empty until created).
    #[serde(default)]
    pub(crate) integration_id: String,
    /// The hash of the routes, CORS and stage last applied.
    #[serde(default)]
    pub(crate) api_hash: String,
    /// The functions (by key) that API Gateway has been allowed to invoke.
    #[serde(default)]
    pub(crate) invoke_permissions: Vec<String>,
}

/// An EventBridge rule and its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RuleRecord {
    pub(crate) name: String,
    pub(crate) rule_name: String,
    /// The rule's event bus (`default` unless the app names one).
    #[serde(default = "default_bus")]
    pub(crate) event_bus: String,
    /// The function the rule targets.
    #[serde(default)]
    pub(crate) lambda_arn: String,
    /// The hash of the spec last put.
    #[serde(default)]
    pub(crate) config_hash: String,
}

fn default_bus() -> String {
    chalice_manifest::DEFAULT_EVENT_BUS.to_owned()
}

/// A bucket notification of a function (one entry of the bucket's configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct S3EventRecord {
    pub(crate) name: String,
    pub(crate) bucket: String,
    pub(crate) lambda_arn: String,
    #[serde(default)]
    pub(crate) config_hash: String,
}

/// A subscription of a function to a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SnsEventRecord {
    pub(crate) name: String,
    /// The topic as the app names it (a name or an ARN).
    pub(crate) topic: String,
    pub(crate) topic_arn: String,
    pub(crate) subscription_arn: String,
    #[serde(default)]
    pub(crate) lambda_arn: String,
    #[serde(default)]
    pub(crate) config_hash: String,
}

/// An event source mapping, known by its UUID, with its source as Chalice records it:
/// `queue` and `queue_arn` (SQS), `stream` and `stream_arn` (Kinesis), `stream_arn`
/// (DynamoDB). A stream's mapping also keeps where it started reading (ours: Chalice
/// records none, and the refresh reads it from Lambda), since Lambda can't change that of
/// an existing mapping: a new starting position is a new mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MappingRecord {
    pub(crate) name: String,
    pub(crate) event_uuid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) queue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) queue_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) stream: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) stream_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) starting_position: Option<String>,
    #[serde(default)]
    pub(crate) lambda_arn: String,
    #[serde(default)]
    pub(crate) config_hash: String,
}

impl MappingRecord {
    /// The ARN of the queue or stream mapped.
    pub(crate) fn source_arn(&self) -> &str {
        self.queue_arn
            .as_deref()
            .or(self.stream_arn.as_deref())
            .unwrap_or_default()
    }
}

impl DeployedState {
    /// The state file of `stage` in the project at `dir`.
    pub(crate) fn path(dir: &Path, stage: &str) -> PathBuf {
        dir.join(DEPLOYED_DIR).join(format!("{stage}.json"))
    }

    /// Reads the state of `stage`; nothing deployed when the file does not exist.
    pub(crate) fn load(dir: &Path, stage: &str) -> anyhow::Result<Option<DeployedState>> {
        let path = Self::path(dir, stage);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => {
                return Err(error).with_context(|| format!("cannot read {}", path.display()));
            }
        };
        let state: DeployedState = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a deployment record this CLI can read (it is written by `chalice \
                 deploy`; if you edited it, restore it from version control)",
                path.display()
            )
        })?;
        if state.schema_version != SCHEMA_VERSION {
            anyhow::bail!(
                "{}: schema_version {:?}, this CLI reads {SCHEMA_VERSION:?}",
                path.display(),
                state.schema_version
            );
        }
        Ok(Some(state))
    }

    /// Writes the state of `stage` atomically: a temporary file beside it, flushed to disk,
    /// then renamed over the old one, so a deploy stopped at any moment leaves either the
    /// old record or the new one, never half of one.
    pub(crate) fn save(&self, dir: &Path, stage: &str) -> anyhow::Result<()> {
        let path = Self::path(dir, stage);
        let folder = path
            .parent()
            .expect("the state file is inside .chalice/deployed");
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        let temporary = folder.join(format!(".{stage}.json.{}.tmp", std::process::id()));
        let mut text = serde_json::to_string_pretty(self).expect("records always serialize");
        text.push('\n');
        let written = std::fs::File::create(&temporary).and_then(|mut file| {
            file.write_all(text.as_bytes())?;
            file.sync_all()
        });
        written
            .and_then(|()| std::fs::rename(&temporary, &path))
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// Removes the state file of `stage` (after `chalice delete` removed everything).
    pub(crate) fn remove(dir: &Path, stage: &str) -> anyhow::Result<()> {
        let path = Self::path(dir, stage);
        match std::fs::remove_file(&path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                Err(error).with_context(|| format!("cannot remove {}", path.display()))
            }
            _ => Ok(()),
        }
    }

    /// The record named `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Record> {
        self.resources.iter().find(|record| record.name() == name)
    }

    /// The function record named `name`.
    pub(crate) fn function(&self, name: &str) -> Option<&FunctionRecord> {
        match self.get(name) {
            Some(Record::LambdaFunction(function)) => Some(function),
            _ => None,
        }
    }

    /// The role record named `name`.
    pub(crate) fn role(&self, name: &str) -> Option<&RoleRecord> {
        match self.get(name) {
            Some(Record::IamRole(role)) => Some(role),
            _ => None,
        }
    }

    /// The REST API record named `name`.
    pub(crate) fn rest_api(&self, name: &str) -> Option<&RestApiRecord> {
        match self.get(name) {
            Some(Record::RestApi(api)) => Some(api),
            _ => None,
        }
    }

    /// The HTTP API record named `name`.
    pub(crate) fn http_api(&self, name: &str) -> Option<&HttpApiRecord> {
        match self.get(name) {
            Some(Record::HttpApi(api)) => Some(api),
            _ => None,
        }
    }

    /// The WebSocket API record named `name`.
    pub(crate) fn websocket_api(
        &self,
        name: &str,
    ) -> Option<&super::websocket::record::WebsocketApiRecord> {
        match self.get(name) {
            Some(Record::WebsocketApi(api)) => Some(api),
            _ => None,
        }
    }

    /// The `wss://` URL of the app's WebSocket API, once deployed to its stage.
    pub(crate) fn websocket_url(&self) -> Option<&str> {
        self.resources
            .iter()
            .find_map(|record| match record {
                Record::WebsocketApi(api) => Some(api.websocket_api_url.as_str()),
                _ => None,
            })
            .filter(|url| !url.is_empty())
    }

    /// The URL of the app's API (REST or HTTP), once deployed to its stage.
    pub(crate) fn api_url(&self) -> Option<&str> {
        self.resources
            .iter()
            .find_map(|record| match record {
                Record::RestApi(api) => Some(api.rest_api_url.as_str()),
                Record::HttpApi(api) => Some(api.api_url.as_str()),
                _ => None,
            })
            .filter(|url| !url.is_empty())
    }

    /// Forgets that API Gateway may invoke the function `key` (it was deleted).
    pub(crate) fn forget_invoke_permission(&mut self, key: &str) {
        for record in &mut self.resources {
            match record {
                Record::RestApi(api) => api.invoke_permissions.retain(|f| f != key),
                Record::HttpApi(api) => api.invoke_permissions.retain(|f| f != key),
                Record::WebsocketApi(api) => api.invoke_permissions.retain(|f| f != key),
                _ => {}
            }
        }
    }

    /// Records `record`, replacing the one of the same name in place, or appending it.
    pub(crate) fn put(&mut self, record: Record) {
        match self
            .resources
            .iter_mut()
            .find(|existing| existing.name() == record.name())
        {
            Some(existing) => *existing = record,
            None => self.resources.push(record),
        }
    }

    /// Forgets the record named `name`.
    pub(crate) fn forget(&mut self, name: &str) {
        self.resources.retain(|record| record.name() != name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A state file as Chalice 1.34 writes it (`chalice deploy` of a new project), which we
    /// must read: our extra fields are optional.
    const CHALICE_STATE: &str = r#"{
      "resources": [
        {"name": "default-role", "resource_type": "iam_role",
         "role_arn": "arn:aws:iam::123456789012:role/todo-dev", "role_name": "todo-dev"},
        {"name": "api_handler", "resource_type": "lambda_function",
         "lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:todo-dev"},
        {"name": "rest_api", "resource_type": "rest_api", "rest_api_id": "abc123",
         "rest_api_url": "https://abc123.execute-api.us-east-1.amazonaws.com/api/"}
      ],
      "schema_version": "2.0",
      "backend": "api"
    }"#;

    fn temp_project(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("chalice-state-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn chalice_state_files_are_read() {
        let state: DeployedState = serde_json::from_str(CHALICE_STATE).expect("Chalice's file");
        let names: Vec<(&str, &str)> = state
            .resources
            .iter()
            .map(|record| (record.name(), record.kind()))
            .collect();
        assert_eq!(
            names,
            [
                ("default-role", "iam_role"),
                ("api_handler", "lambda_function"),
                ("rest_api", "rest_api")
            ]
        );
        assert_eq!(
            state.api_url(),
            Some("https://abc123.execute-api.us-east-1.amazonaws.com/api/")
        );
    }

    #[test]
    fn save_load_and_remove() {
        let dir = temp_project("roundtrip");
        assert_eq!(DeployedState::load(&dir, "dev").expect("no file"), None);
        let mut state: DeployedState = serde_json::from_str(CHALICE_STATE).expect("valid");
        state.save(&dir, "dev").expect("save");
        assert_eq!(
            DeployedState::load(&dir, "dev").expect("load"),
            Some(state.clone())
        );
        state.forget("rest_api");
        state.save(&dir, "dev").expect("save over");
        let loaded = DeployedState::load(&dir, "dev")
            .expect("load")
            .expect("a file");
        assert_eq!(loaded.resources.len(), 2);
        let leftovers: Vec<_> = std::fs::read_dir(dir.join(DEPLOYED_DIR))
            .expect("folder")
            .flatten()
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(leftovers, ["dev.json"], "no temporary file left behind");
        DeployedState::remove(&dir, "dev").expect("remove");
        DeployedState::remove(&dir, "dev").expect("removing twice is fine");
        assert_eq!(DeployedState::load(&dir, "dev").expect("gone"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_damaged_file_is_named() {
        let dir = temp_project("damaged");
        std::fs::create_dir_all(dir.join(DEPLOYED_DIR)).expect("folder");
        let cases = [
            ("{", "is not a deployment record this CLI can read"),
            (
                r#"{"resources": [], "schema_version": "1.0", "backend": "api"}"#,
                r#"schema_version "1.0", this CLI reads "2.0""#,
            ),
        ];
        for (text, expected) in cases {
            std::fs::write(DeployedState::path(&dir, "dev"), text).expect("write");
            let error = DeployedState::load(&dir, "dev")
                .expect_err(text)
                .to_string();
            assert!(error.contains("dev.json"), "{error}");
            assert!(error.contains(expected), "{error}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
