//! [`S3Event`]: what a bucket notification delivers to an `on_s3_event` handler.

use serde::Deserialize;

use crate::lambda_context::LambdaContext;

/// An S3 bucket notification (Chalice's `S3Event`), with every record: S3 may put several
/// in one event, where Chalice shows only the first.
///
/// ```
/// use chalice_core::S3Event;
///
/// let event: S3Event = serde_json::from_str(r#"{"Records": [{
///     "eventName": "ObjectCreated:Put", "eventTime": "2019-09-03T19:37:27.192Z",
///     "awsRegion": "us-east-2",
///     "s3": {"bucket": {"name": "photos", "arn": "arn:aws:s3:::photos"},
///            "object": {"key": "2024/summer+trip%3A+day+1.jpg", "size": 1305107}}
/// }]}"#).unwrap();
/// let record = &event.records[0];
/// assert_eq!((record.bucket.as_str(), record.key.as_str()), ("photos", "2024/summer trip: day 1.jpg"));
/// assert_eq!(record.size, Some(1305107));
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct S3Event {
    /// The notifications, in order.
    #[serde(rename = "Records")]
    pub records: Vec<S3Record>,
    /// The Lambda invocation's context (not part of the event's JSON).
    #[serde(skip)]
    pub context: LambdaContext,
}

/// One object notification.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "WireRecord")]
#[non_exhaustive]
pub struct S3Record {
    /// What happened, without the `s3:` prefix (`ObjectCreated:Put`, `ObjectRemoved:Delete`).
    pub event_name: String,
    /// When, as S3 writes it (`2019-09-03T19:37:27.192Z`).
    pub event_time: String,
    /// The bucket's region.
    pub aws_region: String,
    /// The bucket's name.
    pub bucket: String,
    /// The bucket's ARN.
    pub bucket_arn: String,
    /// The object's key, decoded (S3 sends it form-encoded: `a+b%21` is `a b!`).
    pub key: String,
    /// The object's key as S3 sent it.
    pub raw_key: String,
    /// The object's size in bytes (absent for deletions).
    pub size: Option<u64>,
    /// The object's ETag (absent for deletions).
    pub etag: Option<String>,
    /// The object's version, in a versioned bucket.
    pub version_id: Option<String>,
    /// Orders the events of one key: compare as hexadecimal strings.
    pub sequencer: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireRecord {
    event_name: String,
    #[serde(default)]
    event_time: String,
    #[serde(default)]
    aws_region: String,
    s3: WireS3,
}

#[derive(Deserialize)]
struct WireS3 {
    bucket: WireBucket,
    object: WireObject,
}

#[derive(Deserialize)]
struct WireBucket {
    name: String,
    #[serde(default)]
    arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireObject {
    key: String,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    e_tag: Option<String>,
    #[serde(default)]
    version_id: Option<String>,
    #[serde(default)]
    sequencer: Option<String>,
}

impl From<WireRecord> for S3Record {
    fn from(wire: WireRecord) -> Self {
        let object = wire.s3.object;
        S3Record {
            event_name: wire.event_name,
            event_time: wire.event_time,
            aws_region: wire.aws_region,
            bucket: wire.s3.bucket.name,
            bucket_arn: wire.s3.bucket.arn,
            key: decode_key(&object.key),
            raw_key: object.key,
            size: object.size,
            etag: object.e_tag,
            version_id: object.version_id,
            sequencer: object.sequencer,
        }
    }
}

/// S3 form-encodes keys in notifications (a space is `+`), as Python's `unquote_plus`
/// undoes in Chalice. A `%` not followed by two hex digits is kept as it is.
pub(crate) fn decode_key(raw: &str) -> String {
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::decode_key;

    #[test]
    fn keys_are_form_decoded() {
        let cases = [
            ("plain.txt", "plain.txt"),
            ("a+b.txt", "a b.txt"),
            ("caf%C3%A9%2B1.txt", "café+1.txt"),
            ("100%25", "100%"),
            ("bad%zz", "bad%zz"),
        ];
        for (raw, decoded) in cases {
            assert_eq!(decode_key(raw), decoded, "{raw}");
        }
    }
}
