//! The event sources' planner.

use super::spec::{EventSourceSpec, Trigger};
use crate::deploy::state::{DeployedState, Record};
use crate::deploy::step::Step;

/// Plans the source `spec`: created when it has no record, put again when its spec
/// changed or its function was just created (a new function has no permission, and a
/// mapping or subscription points at the old one).
pub(crate) fn plan(
    spec: &EventSourceSpec,
    state: &DeployedState,
    created_functions: &[String],
    steps: &mut Vec<Step>,
) {
    match config_hash(state.get(&spec.key)) {
        None => steps.push(Step::CreateEventSource(spec.clone())),
        Some(recorded)
            if recorded != spec.config_hash() || created_functions.contains(&spec.function) =>
        {
            steps.push(Step::UpdateEventSource(spec.clone()));
        }
        Some(_) => {}
    }
}

/// Whether `record` describes the source `spec` wants, on AWS: the same rule, bucket,
/// topic or mapped source (a mapping's source can't change, a notification moves with its
/// bucket). When not, the record is deleted before the new one is created.
pub(crate) fn same_resource(spec: &EventSourceSpec, record: &Record) -> bool {
    match (&spec.trigger, record) {
        (Trigger::Rule(rule), Record::CloudwatchEvent(recorded)) => rule.same(recorded),
        (Trigger::S3(s3), Record::S3Event(recorded)) => s3.bucket == recorded.bucket,
        (Trigger::Sns(sns), Record::SnsEvent(recorded)) => sns.topic == recorded.topic,
        (Trigger::Mapping(mapping), record) => mapping.same(record),
        _ => false,
    }
}

/// The spec hash an event source's record keeps.
fn config_hash(record: Option<&Record>) -> Option<&str> {
    match record? {
        Record::CloudwatchEvent(rule) => Some(&rule.config_hash),
        Record::S3Event(s3) => Some(&s3.config_hash),
        Record::SnsEvent(sns) => Some(&sns.config_hash),
        Record::SqsEvent(mapping)
        | Record::KinesisEvent(mapping)
        | Record::DynamodbEvent(mapping) => Some(&mapping.config_hash),
        _ => None,
    }
}
