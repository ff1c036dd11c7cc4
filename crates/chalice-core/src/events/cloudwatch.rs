//! [`CloudWatchEvent`]: what EventBridge (CloudWatch Events) delivers to `schedule` and
//! `on_cw_event` handlers.

use serde::{Deserialize, Serialize};

use crate::lambda_context::LambdaContext;

/// An EventBridge event (Chalice's `CloudWatchEvent`): a scheduled rule's tick or an event
/// matching a pattern.
///
/// `detail` is JSON ([`serde_json::Value`], the default) or any `serde` type the handler
/// names: `CloudWatchEvent<InstanceStateChange>`. A scheduled event's detail is `{}`.
///
/// ```
/// use chalice_core::CloudWatchEvent;
///
/// let event: CloudWatchEvent = serde_json::from_str(r#"{
///     "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
///     "detail-type": "Scheduled Event", "source": "aws.events", "account": "123456789012",
///     "time": "2015-10-08T16:53:06Z", "region": "us-east-1",
///     "resources": ["arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"],
///     "detail": {}
/// }"#).unwrap();
/// assert_eq!(event.detail_type, "Scheduled Event");
/// assert_eq!(event.resources.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CloudWatchEvent<D = serde_json::Value> {
    /// The event's format version (`"0"`).
    pub version: String,
    /// The event's id (Chalice's `event_id`).
    #[serde(rename = "id")]
    pub event_id: String,
    /// What happened (`"Scheduled Event"`, `"EC2 Instance State-change Notification"`).
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    /// Who sent it (`"aws.events"`, `"aws.ec2"`, your app's own source).
    pub source: String,
    /// The account it happened in.
    pub account: String,
    /// When, as EventBridge writes it (`2015-10-08T16:53:06Z`).
    pub time: String,
    /// The region it happened in.
    pub region: String,
    /// The ARNs of the resources involved (a schedule's rule).
    #[serde(default)]
    pub resources: Vec<String>,
    /// The event's own data.
    pub detail: D,
    /// The Lambda invocation's context (not part of the event's JSON).
    #[serde(skip)]
    pub context: LambdaContext,
}

impl<D> CloudWatchEvent<D> {
    /// The same event with its detail converted.
    pub(crate) fn with_detail<T>(self, detail: T) -> CloudWatchEvent<T> {
        CloudWatchEvent {
            version: self.version,
            event_id: self.event_id,
            detail_type: self.detail_type,
            source: self.source,
            account: self.account,
            time: self.time,
            region: self.region,
            resources: self.resources,
            detail,
            context: self.context,
        }
    }
}
