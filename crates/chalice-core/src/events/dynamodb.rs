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

impl DynamoDbRecord {
    /// The item's key attributes as plain JSON (`{"Id": 101}`), the attribute types
    /// dropped: see [`plain_json`].
    pub fn key_json(&self) -> Value {
        plain_json(&self.keys)
    }

    /// The item after the change as plain JSON, when the stream records it.
    pub fn new_item(&self) -> Option<Value> {
        self.new_image.as_ref().map(plain_json)
    }

    /// The item before the change as plain JSON, when the stream records it.
    pub fn old_item(&self) -> Option<Value> {
        self.old_image.as_ref().map(plain_json)
    }
}

/// An item in DynamoDB's attribute-value JSON (`{"Id": {"N": "101"}}`) as plain JSON
/// (`{"Id": 101}`): strings, numbers (kept as strings when JSON can't hold them exactly),
/// booleans, null, lists and maps as themselves; sets as arrays; binary values as their
/// base64 text. An attribute of a type this function does not know is kept as it is.
///
/// ```
/// use chalice_core::plain_json;
/// use serde_json::json;
///
/// let image = json!({"Id": {"N": "101"}, "Tags": {"SS": ["a", "b"]},
///                    "Profile": {"M": {"Active": {"BOOL": true}, "Nick": {"NULL": true}}}});
/// assert_eq!(
///     plain_json(image.as_object().unwrap()),
///     json!({"Id": 101, "Tags": ["a", "b"], "Profile": {"Active": true, "Nick": null}})
/// );
/// ```
pub fn plain_json(item: &Map<String, Value>) -> Value {
    Value::Object(
        item.iter()
            .map(|(name, value)| (name.clone(), plain_value(value)))
            .collect(),
    )
}

fn plain_value(value: &Value) -> Value {
    let Some((kind, inner)) = value
        .as_object()
        .filter(|typed| typed.len() == 1)
        .and_then(|typed| typed.iter().next())
    else {
        return value.clone();
    };
    match (kind.as_str(), inner) {
        ("S" | "B" | "BOOL" | "SS" | "BS", _) => inner.clone(),
        ("NULL", _) => Value::Null,
        ("N", Value::String(number)) => plain_number(number),
        ("NS", Value::Array(numbers)) => Value::Array(
            numbers
                .iter()
                .map(|n| n.as_str().map_or_else(|| n.clone(), plain_number))
                .collect(),
        ),
        ("L", Value::Array(list)) => Value::Array(list.iter().map(plain_value).collect()),
        ("M", Value::Object(map)) => plain_json(map),
        _ => value.clone(),
    }
}

/// A DynamoDB number (a decimal string of up to 38 digits) as a JSON number when one holds
/// it exactly, else as the string.
fn plain_number(text: &str) -> Value {
    if let Ok(n) = text.parse::<i64>() {
        return Value::from(n);
    }
    if let Ok(n) = text.parse::<u64>() {
        return Value::from(n);
    }
    // An f64 holds any decimal of up to 15 significant digits exactly enough to print it
    // back; DynamoDB allows 38.
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    let digits = mantissa
        .trim_start_matches(['-', '+', '0', '.'])
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() && digits <= 15 => serde_json::Number::from_f64(n)
            .map_or_else(|| Value::String(text.to_owned()), Value::Number),
        _ => Value::String(text.to_owned()),
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
    use serde_json::json;

    #[test]
    fn images_read_as_plain_json() {
        let cases = [
            (json!({"S": "x"}), json!("x")),
            (json!({"N": "101"}), json!(101)),
            (json!({"N": "-7"}), json!(-7)),
            (json!({"N": "2.75"}), json!(2.75)),
            (
                json!({"N": "18446744073709551615"}),
                json!(18_446_744_073_709_551_615_u64),
            ),
            (
                json!({"N": "123456789012345678901234567890.5"}),
                json!("123456789012345678901234567890.5"),
            ),
            (json!({"B": "AAEqQQ=="}), json!("AAEqQQ==")),
            (json!({"BOOL": false}), json!(false)),
            (json!({"NULL": true}), json!(null)),
            (json!({"SS": ["a", "b"]}), json!(["a", "b"])),
            (json!({"NS": ["1", "2.5"]}), json!([1, 2.5])),
            (json!({"L": [{"S": "a"}, {"N": "1"}]}), json!(["a", 1])),
            (json!({"M": {"k": {"L": []}}}), json!({"k": []})),
            (json!({"X": 1}), json!({"X": 1})),
            (json!("untyped"), json!("untyped")),
        ];
        for (typed, plain) in cases {
            let item = json!({"a": typed});
            let item = item.as_object().expect("an object");
            assert_eq!(plain_json(item), json!({"a": plain}), "{typed}");
        }
    }

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
