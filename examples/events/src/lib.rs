//! Event handlers beside an API: a nightly job, an S3 upload hook and an SQS worker that
//! reports which messages failed, so that only those are retried.
//!
//! `cargo run -p events` serves the API and runs the nightly job at 03:00 UTC; deliver an
//! event to a handler with `curl -X POST localhost:8000/_chalice/invoke/worker -d @event.json`
//! or `chalice invoke --local -n worker < event.json`.

use chalice::{
    BatchItemFailures, Chalice, ChaliceError, CloudWatchEvent, Cron, Json, S3Event, SqsEvent,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// The app: its API, its handlers.
pub fn app() -> Chalice {
    let mut app = Chalice::new("events");
    app.route("/", || Json(json!({"hello": "events"})));
    app.schedule(Cron::new(0, 3, "*", "*", "?", "*"), nightly)
        .description("Nightly cleanup, 03:00 UTC");
    app.on_s3_event("uploads", on_upload)
        .prefix("incoming/")
        .suffix(".csv");
    app.on_sqs_message("jobs", worker).batch_size(10);
    app
}

/// The nightly job: it would delete what expired; here it says when it ran.
fn nightly(event: CloudWatchEvent) {
    let CloudWatchEvent { time, .. } = event;
    chalice::log().info(format!("nightly cleanup at {time}"));
}

/// Each uploaded CSV: refuses empty files (the invocation fails, and S3 retries it).
fn on_upload(event: S3Event) -> Result<(), ChaliceError> {
    for record in event.records {
        if record.size == Some(0) {
            return Err(ChaliceError::bad_request(format!(
                "{} is empty",
                record.key
            )));
        }
        chalice::log().info(format!("new upload {}/{}", record.bucket, record.key));
    }
    Ok(())
}

/// A job: resize an image to a width.
#[derive(Deserialize)]
struct Job {
    image: String,
    width: u32,
}

/// Runs each job; a message that is not a job, or asks for a width of 0, fails alone.
fn worker(event: SqsEvent) -> BatchItemFailures {
    event
        .records
        .into_iter()
        .filter(|message| match serde_json::from_str::<Job>(&message.body) {
            Ok(job) if job.width > 0 => {
                chalice::log().info(format!("resized {} to {}px", job.image, job.width));
                false
            }
            _ => true,
        })
        .map(|message| message.message_id)
        .collect()
}

#[doc(hidden)]
pub fn sample_job(image: &str, width: u32) -> Value {
    json!({"image": image, "width": width})
}
