//! Event handlers and pure functions on Lambda: the same binary, deployed as the function's
//! own Lambda function with `CHALICE_HANDLER` naming it, answers each event with the
//! handler's JSON.

use chalice_core::{Chalice, LambdaContext};

use crate::error::EventError;

/// Answers one event for the function (event handler or pure function) `name`: the event's
/// JSON in, the handler's answer as JSON out (`null` for most handlers,
/// `{"batchItemFailures": [...]}` for a batch handler that reports failures, a pure
/// function's result).
///
/// This is what [`crate::run`] does for each invocation of a function whose
/// `CHALICE_HANDLER` names it, without the Runtime API.
///
/// # Errors
///
/// The invocation fails with an [`EventError`] whose type is `Chalice.InvalidEvent` for an
/// event the function's source does not send (or that is not UTF-8 JSON),
/// `Chalice.UnknownFunction` for a name the app does not have, and the handler's error
/// otherwise: its Chalice code (`BadRequestError`, ...) or `Chalice.HandlerError`, with its
/// message. Lambda then retries the event as its source's rules say.
///
/// ```
/// # let block_on = |f| tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f);
/// use chalice_core::{BatchItemFailures, Chalice, LambdaContext, SqsEvent};
///
/// let mut app = Chalice::new("app");
/// app.on_sqs_message("jobs", |event: SqsEvent| {
///     event.records.iter().filter(|m| m.body == "bad").map(|m| m.message_id.clone()).collect::<BatchItemFailures>()
/// })
/// .name("worker");
/// let event = br#"{"Records": [
///     {"messageId": "1", "receiptHandle": "h1", "body": "good"},
///     {"messageId": "2", "receiptHandle": "h2", "body": "bad"}
/// ]}"#;
/// let answer = block_on(chalice_lambda::handle_function_event(&app, "worker", event, LambdaContext::default()))?;
/// assert_eq!(answer, br#"{"batchItemFailures":[{"itemIdentifier":"2"}]}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn handle_function_event(
    app: &Chalice,
    name: &str,
    event: &[u8],
    context: LambdaContext,
) -> Result<Vec<u8>, EventError> {
    let Ok(text) = simdutf8::basic::from_utf8(event) else {
        return Err(EventError::new(format!(
            "the event for function \"{name}\" is not JSON: it is not UTF-8 text"
        )));
    };
    let answer = app
        .invoke(name, text, context)
        .await
        .map_err(|error| EventError::with_type(error.error_type(), error.to_string()))?;
    serde_json::to_vec(&answer)
        .map_err(|e| EventError::new(format!("could not write the answer: {e}")))
}
