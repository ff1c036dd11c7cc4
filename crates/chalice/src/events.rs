//! The test client's event generators (Chalice's `client.events`): events of each source in
//! the shape AWS sends, built from AWS's sample events (`fixtures/events/`) with only what
//! the test asks for changed.

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use serde_json::{Map, Value, json};

const S3: &str = include_str!("../fixtures/events/example-s3-event.json");
const SNS: &str = include_str!("../fixtures/events/example-sns-event.json");
const SQS: &str = include_str!("../fixtures/events/example-sqs-event.json");
const KINESIS: &str = include_str!("../fixtures/events/example-kinesis-event.json");
const DYNAMODB: &str = include_str!("../fixtures/events/example-dynamodb-event.json");
const SCHEDULED: &str = include_str!("../fixtures/events/example-eventbridge-schedule.json");

/// The region and account the generated events come from (AWS's samples' account).
const REGION: &str = "us-west-2";
const ACCOUNT: &str = "123456789012";

/// Builds events of each source, to give to
/// [`LambdaClient::invoke`](crate::test::LambdaClient::invoke); see
/// [`Client::events`](crate::test::Client::events).
///
/// Each event starts from AWS's sample of its source and changes only what the method
/// takes; ids and sequence numbers are fresh for each record.
///
/// ```
/// use chalice::test::Client;
/// use chalice::Chalice;
///
/// let client = Client::new(Chalice::new("app"));
/// let event = client.events().s3("uploads", "photos/cat 1.jpg");
/// assert_eq!(event["Records"][0]["s3"]["bucket"]["name"], "uploads");
/// // S3 form-encodes keys in notifications.
/// assert_eq!(event["Records"][0]["s3"]["object"]["key"], "photos/cat+1.jpg");
/// ```
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct EventGenerator;

static SEQUENCE: AtomicU64 = AtomicU64::new(1);

fn next() -> u64 {
    SEQUENCE.fetch_add(1, Ordering::Relaxed)
}

/// An id shaped like AWS's message and event ids (a UUID), unique in the process.
fn fresh_id() -> String {
    let n = next();
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        n >> 32,
        (n >> 16) & 0xffff,
        n & 0xfff,
        (n >> 12) & 0xfff,
        n
    )
}

fn sample(text: &str) -> Value {
    // The samples are constants of this crate, read by its tests: they are JSON.
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// The first record of a sample, to copy for each generated record.
fn first_record(sample: &Value) -> Value {
    sample["Records"][0].clone()
}

fn records(records: Vec<Value>) -> Value {
    let mut event = Map::new();
    event.insert("Records".to_owned(), Value::Array(records));
    Value::Object(event)
}

/// S3's form encoding of keys in notifications: what `+` and `%XX` the handler decodes.
fn form_encode(key: &str) -> String {
    form_urlencoded::byte_serialize(key.as_bytes())
        .collect::<String>()
        // S3 keeps `/` as it is.
        .replace("%2F", "/")
}

impl EventGenerator {
    /// An S3 notification of the object `key` created (`ObjectCreated:Put`) in `bucket`,
    /// the key form-encoded as S3 sends it (Chalice's `generate_s3_event`).
    pub fn s3(&self, bucket: &str, key: &str) -> Value {
        self.s3_event(bucket, key, "ObjectCreated:Put")
    }

    /// An S3 notification of `event_name` (`ObjectCreated:Put`, `ObjectRemoved:Delete`,
    /// ...) for `key` in `bucket`. A removal has no size or ETag, as S3 sends it.
    pub fn s3_event(&self, bucket: &str, key: &str, event_name: &str) -> Value {
        let mut record = first_record(&sample(S3));
        record["eventName"] = json!(event_name);
        record["awsRegion"] = json!(REGION);
        record["s3"]["bucket"]["name"] = json!(bucket);
        record["s3"]["bucket"]["arn"] = json!(format!("arn:aws:s3:::{bucket}"));
        let object = &mut record["s3"]["object"];
        object["key"] = json!(form_encode(key));
        object["sequencer"] = json!(format!("{:016X}", next()));
        if event_name.starts_with("ObjectRemoved")
            && let Some(object) = object.as_object_mut()
        {
            object.remove("size");
            object.remove("eTag");
        }
        records(vec![record])
    }

    /// An SNS notification of `message` on the topic `topic`, with no subject (Chalice's
    /// `generate_sns_event`).
    pub fn sns(&self, topic: &str, message: &str) -> Value {
        self.sns_with_subject(topic, message, None)
    }

    /// An SNS notification of `message` with `subject` on the topic `topic`.
    pub fn sns_with_subject(&self, topic: &str, message: &str, subject: Option<&str>) -> Value {
        let mut record = first_record(&sample(SNS));
        let arn = format!("arn:aws:sns:{REGION}:{ACCOUNT}:{topic}");
        record["EventSubscriptionArn"] = json!(format!("{arn}:{}", fresh_id()));
        let sns = &mut record["Sns"];
        sns["MessageId"] = json!(fresh_id());
        sns["TopicArn"] = json!(arn);
        sns["Message"] = json!(message);
        sns["Subject"] = subject.map_or(Value::Null, |s| json!(s));
        sns["MessageAttributes"] = json!({});
        records(vec![record])
    }

    /// A batch of SQS messages from `queue`, one per body (Chalice's
    /// `generate_sqs_event`).
    pub fn sqs<I>(&self, queue: &str, bodies: I) -> Value
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let template = first_record(&sample(SQS));
        let messages = bodies
            .into_iter()
            .map(|body| {
                let mut record = template.clone();
                let id = fresh_id();
                record["messageId"] = json!(id);
                record["receiptHandle"] = json!(format!("receipt-{id}"));
                record["body"] = json!(body.as_ref());
                record["md5OfBody"] = json!(format!("{:032x}", md5ish(body.as_ref())));
                record["eventSourceARN"] = json!(format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}"));
                record["awsRegion"] = json!(REGION);
                record["messageAttributes"] = json!({});
                if let Some(object) = record.as_object_mut() {
                    object.remove("md5OfMessageAttributes");
                }
                record
            })
            .collect();
        records(messages)
    }

    /// An EventBridge event from `source` of `detail_type`, with `detail` (Chalice's
    /// `generate_cw_event`), as an `on_cw_event` handler gets it.
    pub fn cloudwatch(&self, source: &str, detail_type: &str, detail: Value) -> Value {
        let mut event = sample(SCHEDULED);
        event["id"] = json!(fresh_id());
        event["source"] = json!(source);
        event["detail-type"] = json!(detail_type);
        event["region"] = json!(REGION);
        event["resources"] = json!([]);
        event["detail"] = detail;
        event
    }

    /// The event a schedule's rule `rule` sends when it fires, as a `schedule` handler gets
    /// it.
    pub fn scheduled(&self, rule: &str) -> Value {
        let mut event = sample(SCHEDULED);
        event["id"] = json!(fresh_id());
        event["region"] = json!(REGION);
        event["resources"] = json!([format!("arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule}")]);
        event
    }

    /// A batch of records of the Kinesis stream `stream`, one per piece of data (base64
    /// on the wire, as Kinesis sends it; Chalice's `generate_kinesis_event`).
    pub fn kinesis<I>(&self, stream: &str, data: I) -> Value
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let template = first_record(&sample(KINESIS));
        let list = data
            .into_iter()
            .map(|data| {
                let mut record = template.clone();
                let sequence = format!("{:056}", next());
                record["kinesis"]["data"] =
                    json!(base64::engine::general_purpose::STANDARD.encode(data.as_ref()));
                record["kinesis"]["sequenceNumber"] = json!(sequence);
                record["eventID"] = json!(format!("shardId-000000000000:{sequence}"));
                record["awsRegion"] = json!(REGION);
                record["eventSourceARN"] = json!(format!(
                    "arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{stream}"
                ));
                record
            })
            .collect();
        records(list)
    }

    /// A batch of DynamoDB stream records of the table `table`, one per change.
    ///
    /// ```
    /// use chalice::test::{Client, DynamoDbChange};
    /// use chalice::Chalice;
    /// use serde_json::json;
    ///
    /// let client = Client::new(Chalice::new("app"));
    /// let event = client.events().dynamodb("Users", [
    ///     DynamoDbChange::insert(json!({"id": {"S": "u1"}}), json!({"id": {"S": "u1"}, "n": {"N": "1"}})),
    /// ]);
    /// assert_eq!(event["Records"][0]["eventName"], "INSERT");
    /// ```
    pub fn dynamodb<I>(&self, table: &str, changes: I) -> Value
    where
        I: IntoIterator<Item = DynamoDbChange>,
    {
        let template = first_record(&sample(DYNAMODB));
        let list = changes
            .into_iter()
            .map(|change| {
                let mut record = template.clone();
                record["eventID"] = json!(format!("{:032x}", next()));
                record["eventName"] = json!(change.event_name);
                record["awsRegion"] = json!(REGION);
                record["eventSourceARN"] = json!(format!(
                    "arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}/stream/2024-01-01T00:00:00.000"
                ));
                let mut data = Map::new();
                data.insert("ApproximateCreationDateTime".into(), json!(1_480_642_020));
                data.insert("Keys".into(), change.keys);
                if let Some(image) = change.new_image {
                    data.insert("NewImage".into(), image);
                }
                if let Some(image) = change.old_image {
                    data.insert("OldImage".into(), image);
                }
                data.insert("SequenceNumber".into(), json!(format!("{:025}", next())));
                data.insert("SizeBytes".into(), json!(change.size));
                data.insert("StreamViewType".into(), json!("NEW_AND_OLD_IMAGES"));
                record["dynamodb"] = Value::Object(data);
                record
            })
            .collect();
        records(list)
    }
}

/// A stand-in for the body's MD5 (which no handler checks): 128 bits from the body, so
/// that equal bodies have equal digests.
fn md5ish(body: &str) -> u128 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    let hasher = BuildHasherDefault::<DefaultHasher>::default();
    (u128::from(hasher.hash_one(body)) << 64) | u128::from(hasher.hash_one((body, 1)))
}

/// One change to a DynamoDB table, for [`EventGenerator::dynamodb`]: keys and images in
/// DynamoDB's attribute-value JSON (`{"id": {"S": "u1"}}`), as the stream sends them.
#[derive(Debug, Clone, PartialEq)]
pub struct DynamoDbChange {
    event_name: &'static str,
    keys: Value,
    new_image: Option<Value>,
    old_image: Option<Value>,
    size: usize,
}

impl DynamoDbChange {
    fn new(
        event_name: &'static str,
        keys: Value,
        new_image: Option<Value>,
        old_image: Option<Value>,
    ) -> Self {
        let size = [Some(&keys), new_image.as_ref(), old_image.as_ref()]
            .into_iter()
            .flatten()
            .map(|v| v.to_string().len())
            .sum();
        DynamoDbChange {
            event_name,
            keys,
            new_image,
            old_image,
            size,
        }
    }

    /// An item put: its keys and the new item.
    pub fn insert(keys: Value, new_image: Value) -> Self {
        Self::new("INSERT", keys, Some(new_image), None)
    }

    /// An item changed: its keys, the item before and after.
    pub fn modify(keys: Value, old_image: Value, new_image: Value) -> Self {
        Self::new("MODIFY", keys, Some(new_image), Some(old_image))
    }

    /// An item deleted: its keys and the item before.
    pub fn remove(keys: Value, old_image: Value) -> Self {
        Self::new("REMOVE", keys, None, Some(old_image))
    }
}
