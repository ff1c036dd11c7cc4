//! [`BatchItemFailures`]: what an SQS, Kinesis or DynamoDB handler answers to say which
//! records failed, so that only those are retried (Lambda's `ReportBatchItemFailures`).

use serde::{Deserialize, Serialize};

/// The records of a batch that failed (Lambda's `ReportBatchItemFailures` response).
///
/// A handler of `on_sqs_message`, `on_kinesis_record` or `on_dynamodb_record` that returns
/// it (or `Result<BatchItemFailures, E>`) has its event source mapping declared with
/// `FunctionResponseTypes: ["ReportBatchItemFailures"]`: Lambda then retries (or sends to
/// the dead-letter queue) only the records listed, not the whole batch. Name SQS messages
/// by their `message_id`, Kinesis and DynamoDB records by their `sequence_number`; an empty
/// list means every record succeeded. An `Err` still fails the whole batch.
///
/// ```
/// use chalice_core::BatchItemFailures;
///
/// let mut failures = BatchItemFailures::new();
/// failures.push("059f36b4-87a3-44ab-83d2-661975830a7d");
/// assert_eq!(
///     serde_json::to_string(&failures).unwrap(),
///     r#"{"batchItemFailures":[{"itemIdentifier":"059f36b4-87a3-44ab-83d2-661975830a7d"}]}"#
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchItemFailures {
    /// The failed records.
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<BatchItemFailure>,
}

/// One failed record of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchItemFailure {
    /// The SQS message id, or the Kinesis / DynamoDB sequence number.
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

impl BatchItemFailures {
    /// No failures: every record succeeded.
    pub fn new() -> Self {
        BatchItemFailures::default()
    }

    /// Adds the record `item_identifier` (an SQS message id, a Kinesis or DynamoDB sequence
    /// number) to the failures.
    pub fn push(&mut self, item_identifier: impl Into<String>) -> &mut Self {
        self.batch_item_failures.push(BatchItemFailure {
            item_identifier: item_identifier.into(),
        });
        self
    }

    /// Whether no record failed.
    pub fn is_empty(&self) -> bool {
        self.batch_item_failures.is_empty()
    }

    /// The identifiers of the failed records, in order.
    pub fn identifiers(&self) -> impl Iterator<Item = &str> + '_ {
        self.batch_item_failures
            .iter()
            .map(|failure| failure.item_identifier.as_str())
    }
}

impl<S: Into<String>> FromIterator<S> for BatchItemFailures {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut failures = BatchItemFailures::new();
        for id in iter {
            failures.push(id);
        }
        failures
    }
}
