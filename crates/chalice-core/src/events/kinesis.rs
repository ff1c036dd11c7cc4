//! [`KinesisEvent`]: what an event source mapping delivers to an `on_kinesis_record`
//! handler.

use base64::Engine as _;
use serde::Deserialize;

use crate::lambda_context::LambdaContext;

/// A batch of Kinesis records (Chalice's `KinesisEvent`), each record's data decoded.
///
/// ```
/// use chalice_core::KinesisEvent;
///
/// let event: KinesisEvent = serde_json::from_str(r#"{"Records": [{
///     "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": "1",
///                 "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
///                 "data": "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==", "approximateArrivalTimestamp": 1545084650.987},
///     "eventSource": "aws:kinesis", "eventName": "aws:kinesis:record",
///     "eventSourceARN": "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
///     "awsRegion": "us-east-2"
/// }]}"#).unwrap();
/// assert_eq!(event.records[0].data, b"Hello, this is a test.");
/// assert_eq!(event.records[0].partition_key, "1");
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct KinesisEvent {
    /// The records, in order.
    #[serde(rename = "Records")]
    pub records: Vec<KinesisRecord>,
    /// The Lambda invocation's context (not part of the event's JSON).
    #[serde(skip)]
    pub context: LambdaContext,
}

/// One Kinesis record (Chalice's `KinesisRecord`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "WireRecord")]
#[non_exhaustive]
pub struct KinesisRecord {
    /// The record's data, decoded from base64.
    pub data: Vec<u8>,
    /// Its sequence number: what [`crate::BatchItemFailures`] names it by.
    pub sequence_number: String,
    /// Its partition key.
    pub partition_key: String,
    /// The record format's version (`1.0`).
    pub schema_version: String,
    /// When it reached the stream, in seconds since the Unix epoch.
    pub approximate_arrival_timestamp: f64,
    /// `shardId-...:sequence number`.
    pub event_id: String,
    /// The stream's ARN.
    pub event_source_arn: String,
    /// The stream's region.
    pub aws_region: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireRecord {
    kinesis: WireKinesis,
    #[serde(default, rename = "eventID")]
    event_id: String,
    #[serde(default, rename = "eventSourceARN")]
    event_source_arn: String,
    #[serde(default)]
    aws_region: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireKinesis {
    data: String,
    sequence_number: String,
    partition_key: String,
    #[serde(default)]
    kinesis_schema_version: String,
    #[serde(default)]
    approximate_arrival_timestamp: f64,
}

impl TryFrom<WireRecord> for KinesisRecord {
    type Error = String;

    fn try_from(wire: WireRecord) -> Result<Self, String> {
        let kinesis = wire.kinesis;
        let data = base64::engine::general_purpose::STANDARD
            .decode(&kinesis.data)
            .map_err(|e| {
                format!(
                    "the data of Kinesis record {} is not base64: {e}",
                    kinesis.sequence_number
                )
            })?;
        Ok(KinesisRecord {
            data,
            sequence_number: kinesis.sequence_number,
            partition_key: kinesis.partition_key,
            schema_version: kinesis.kinesis_schema_version,
            approximate_arrival_timestamp: kinesis.approximate_arrival_timestamp,
            event_id: wire.event_id,
            event_source_arn: wire.event_source_arn,
            aws_region: wire.aws_region,
        })
    }
}
