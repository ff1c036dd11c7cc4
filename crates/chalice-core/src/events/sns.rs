//! [`SnsEvent`]: what a topic subscription delivers to an `on_sns_message` handler.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::lambda_context::LambdaContext;

/// SNS notifications (Chalice's `SNSEvent`), with every record, where Chalice shows only
/// the first.
///
/// ```
/// use chalice_core::SnsEvent;
///
/// let event: SnsEvent = serde_json::from_str(r#"{"Records": [{"Sns": {
///     "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e", "Message": "Hello from SNS!",
///     "Subject": null, "TopicArn": "arn:aws:sns:us-east-1:123456789012:sns-lambda",
///     "Timestamp": "2019-01-02T12:45:07.000Z",
///     "MessageAttributes": {"Test": {"Type": "String", "Value": "TestString"}}
/// }}]}"#).unwrap();
/// let record = &event.records[0];
/// assert_eq!(record.message, "Hello from SNS!");
/// assert_eq!(record.subject, None);
/// assert_eq!(record.message_attributes["Test"].value, "TestString");
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SnsEvent {
    /// The notifications, in order.
    #[serde(rename = "Records")]
    pub records: Vec<SnsRecord>,
    /// The Lambda invocation's context (not part of the event's JSON).
    #[serde(skip)]
    pub context: LambdaContext,
}

/// One SNS notification.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "WireRecord")]
#[non_exhaustive]
pub struct SnsRecord {
    /// The message.
    pub message: String,
    /// Its subject, when the publisher gave one.
    pub subject: Option<String>,
    /// Its attributes, by name.
    pub message_attributes: BTreeMap<String, SnsMessageAttribute>,
    /// Its id.
    pub message_id: String,
    /// The topic it was published to.
    pub topic_arn: String,
    /// When it was published (`2019-01-02T12:45:07.000Z`).
    pub timestamp: String,
    /// The subscription that delivered it.
    pub event_subscription_arn: String,
}

/// An SNS message attribute.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct SnsMessageAttribute {
    /// `String`, `Number`, `Binary` (base64) or `String.Array`.
    #[serde(rename = "Type")]
    pub data_type: String,
    /// The value, as text.
    #[serde(rename = "Value")]
    pub value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireRecord {
    #[serde(default)]
    event_subscription_arn: String,
    #[serde(rename = "Sns")]
    sns: WireSns,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireSns {
    message: String,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    message_attributes: Option<BTreeMap<String, SnsMessageAttribute>>,
    #[serde(default)]
    message_id: String,
    #[serde(default)]
    topic_arn: String,
    #[serde(default)]
    timestamp: String,
}

impl From<WireRecord> for SnsRecord {
    fn from(wire: WireRecord) -> Self {
        let sns = wire.sns;
        SnsRecord {
            message: sns.message,
            subject: sns.subject,
            message_attributes: sns.message_attributes.unwrap_or_default(),
            message_id: sns.message_id,
            topic_arn: sns.topic_arn,
            timestamp: sns.timestamp,
            event_subscription_arn: wire.event_subscription_arn,
        }
    }
}
