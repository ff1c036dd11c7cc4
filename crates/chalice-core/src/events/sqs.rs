//! [`SqsEvent`]: what an event source mapping delivers to an `on_sqs_message` handler.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::lambda_context::LambdaContext;

/// A batch of SQS messages (Chalice's `SQSEvent`).
///
/// ```
/// use chalice_core::SqsEvent;
///
/// let event: SqsEvent = serde_json::from_str(r#"{"Records": [{
///     "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d", "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
///     "body": "Test message.", "attributes": {"ApproximateReceiveCount": "1"},
///     "messageAttributes": {}, "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
///     "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-2:123456789012:my-queue",
///     "awsRegion": "us-east-2"
/// }]}"#).unwrap();
/// assert_eq!(event.records[0].body, "Test message.");
/// assert_eq!(event.records[0].attributes["ApproximateReceiveCount"], "1");
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SqsEvent {
    /// The messages, in order.
    #[serde(rename = "Records")]
    pub records: Vec<SqsRecord>,
    /// The Lambda invocation's context (not part of the event's JSON).
    #[serde(skip)]
    pub context: LambdaContext,
}

/// One SQS message (Chalice's `SQSRecord`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SqsRecord {
    /// The message's id: what [`crate::BatchItemFailures`] names it by.
    pub message_id: String,
    /// The handle that deletes it.
    pub receipt_handle: String,
    /// The message.
    pub body: String,
    /// SQS's attributes (`ApproximateReceiveCount`, `SentTimestamp`, `MessageGroupId`, ...).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// The sender's attributes, by name.
    #[serde(default)]
    pub message_attributes: BTreeMap<String, SqsMessageAttribute>,
    /// The MD5 digest of the body.
    #[serde(default)]
    pub md5_of_body: String,
    /// The queue's ARN.
    #[serde(default, rename = "eventSourceARN")]
    pub event_source_arn: String,
    /// The queue's region.
    #[serde(default)]
    pub aws_region: String,
}

/// A message attribute set by the sender.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SqsMessageAttribute {
    /// `String`, `Number`, `Binary`, or one of those with a custom suffix.
    pub data_type: String,
    /// The value of a `String` or `Number` attribute.
    #[serde(default)]
    pub string_value: Option<String>,
    /// The value of a `Binary` attribute, base64-encoded.
    #[serde(default)]
    pub binary_value: Option<String>,
}
