//! [`DynamoDbEvent`]: what an event source mapping delivers to an `on_dynamodb_record`
//! handler.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::lambda_context::LambdaContext;

/// A batch of DynamoDB stream records (Chalice's `DynamoDBEvent`).
///
/// Keys and images are DynamoDB's attribute-value JSON (`{"Id": {"N": "101"}}`), as
/// Chalice gives them.
///
/// ```
/// use chalice_core::DynamoDbEvent;
/// use serde_json::json;
///
/// let event: DynamoDbEvent = serde_json::from_str(r#"{"Records": [{
///     "eventID": "1", "eventName": "INSERT", "eventVersion": "1.0", "eventSource": "aws:dynamodb",
///     "awsRegion": "us-west-2",
///     "eventSourceARN": "arn:aws:dynamodb:us-west-2:123456789012:table/Example/stream/2015-06-27T00:48:05.899",
///     "dynamodb": {"Keys": {"Id": {"N": "101"}}, "NewImage": {"Id": {"N": "101"}, "Message": {"S": "New item!"}},
///                  "StreamViewType": "NEW_AND_OLD_IMAGES", "SequenceNumber": "111", "SizeBytes": 26}
/// }]}"#).unwrap();
/// let record = &event.records[0];
/// assert_eq!(record.event_name, "INSERT");
/// assert_eq!(record.keys["Id"], json!({"N": "101"}));
/// assert_eq!(record.table_name(), "Example");
/// assert!(record.old_image.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct DynamoDbEvent {
    /// The records, in order.
    #[serde(rename = "Records")]
    pub records: Vec<DynamoDbRecord>,
    /// The Lambda invocation's context (not part of the event's JSON).
    #[serde(skip)]
    pub context: LambdaContext,
}

/// One change to a table (Chalice's `DynamoDBRecord`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "WireRecord")]
#[non_exhaustive]
pub struct DynamoDbRecord {
    /// `INSERT`, `MODIFY` or `REMOVE`.
    pub event_name: String,
    /// The record's id.
    pub event_id: String,
    /// The stream's ARN.
    pub event_source_arn: String,
    /// The table's region.
    pub aws_region: String,
    /// The item's key attributes.
    pub keys: Map<String, Value>,
    /// The item after the change (for `NEW_IMAGE` and `NEW_AND_OLD_IMAGES` streams).
    pub new_image: Option<Map<String, Value>>,
    /// The item before the change (for `OLD_IMAGE` and `NEW_AND_OLD_IMAGES` streams).
    pub old_image: Option<Map<String, Value>>,
    /// The record's sequence number: what [`crate::BatchItemFailures`] names it by.
    pub sequence_number: String,
    /// The record's size in bytes.
    pub size_bytes: u64,
    /// What the stream records (`KEYS_ONLY`, `NEW_IMAGE`, `OLD_IMAGE`, `NEW_AND_OLD_IMAGES`).
    pub stream_view_type: String,
    /// When the change was made, in seconds since the Unix epoch.
    pub approximate_creation_date_time: Option<f64>,
}

impl DynamoDbRecord {
    /// The table's name, from the stream's ARN (`arn:aws:dynamodb:...:table/NAME/stream/...`);
    /// empty when the ARN has no table.
    pub fn table_name(&self) -> &str {
        let resource = self.event_source_arn.splitn(6, ':').nth(5).unwrap_or("");
        let mut parts = resource.split('/');
        match (parts.next(), parts.next()) {
            (Some(_), Some(name)) => name,
            _ => "",
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireRecord {
    event_name: String,
    #[serde(default, rename = "eventID")]
    event_id: String,
    #[serde(default, rename = "eventSourceARN")]
    event_source_arn: String,
    #[serde(default)]
    aws_region: String,
    dynamodb: WireChange,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireChange {
    #[serde(default)]
    keys: Map<String, Value>,
    #[serde(default)]
    new_image: Option<Map<String, Value>>,
    #[serde(default)]
    old_image: Option<Map<String, Value>>,
    sequence_number: String,
    #[serde(default)]
    size_bytes: u64,
    #[serde(default)]
    stream_view_type: String,
    #[serde(default)]
    approximate_creation_date_time: Option<f64>,
}

impl From<WireRecord> for DynamoDbRecord {
    fn from(wire: WireRecord) -> Self {
        let change = wire.dynamodb;
        DynamoDbRecord {
            event_name: wire.event_name,
            event_id: wire.event_id,
            event_source_arn: wire.event_source_arn,
            aws_region: wire.aws_region,
            keys: change.keys,
            new_image: change.new_image,
            old_image: change.old_image,
            sequence_number: change.sequence_number,
            size_bytes: change.size_bytes,
            stream_view_type: change.stream_view_type,
            approximate_creation_date_time: change.approximate_creation_date_time,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_name_comes_from_the_stream_arn() {
        let cases = [
            (
                "arn:aws:dynamodb:us-west-2:12345:table/MyTable/stream/2020-09-28T16:49:14.209",
                "MyTable",
            ),
            ("arn:aws:dynamodb:us-west-2:12345:table", ""),
            ("not an arn", ""),
        ];
        for (arn, table) in cases {
            let record: DynamoDbRecord = serde_json::from_value(serde_json::json!({
                "eventName": "INSERT", "eventSourceARN": arn,
                "dynamodb": {"SequenceNumber": "1"}
            }))
            .expect("a record");
            assert_eq!(record.table_name(), table, "{arn}");
        }
    }
}
