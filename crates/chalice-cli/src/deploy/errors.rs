//! AWS's errors as messages that name the resource and the fix.
//!
//! The SDK's own text (`service error`, or a dispatch failure buried in causes) tells a user
//! neither what chalice was doing nor what to change. Each call site says what it was
//! doing (`creating function todo-dev`); this module adds why it failed, and what to do.

use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::error::display::DisplayErrorContext;

/// What went wrong with an AWS call, for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The service answered with this error code (`ResourceNotFoundException`, ...;
    /// `Unknown` when the answer has none).
    Service {
        code: String,
        message: String,
        /// The answer, for an error the SDK could not classify or the service's own failure
        /// (HTTP 5xx); `None` for the errors the code says enough about.
        answer: Option<Answer>,
    },
    /// No credentials could be found.
    NoCredentials(String),
    /// The call never got an answer (network, endpoint, timeout).
    Unreachable(String),
}

/// What the endpoint answered, when its error code does not say what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    /// The HTTP status.
    status: u16,
    /// Who answered: `AWS_ENDPOINT_URL` when it is set.
    endpoint: Option<String>,
    /// The start of the body, on one line.
    body: String,
}

/// How much of an answer's body a message quotes.
const BODY_EXCERPT: usize = 300;

impl Answer {
    /// The answer `raw` from `endpoint`, if its error needs it to be understood: no error
    /// code, or a failure of the service (5xx).
    fn of(code: Option<&str>, raw: &HttpResponse, endpoint: Option<String>) -> Option<Answer> {
        let status = raw.status().as_u16();
        if code.is_some() && status < 500 {
            return None;
        }
        let body = String::from_utf8_lossy(raw.body().bytes().unwrap_or_default());
        let mut body = body.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some((cut, _)) = body.char_indices().nth(BODY_EXCERPT) {
            body.truncate(cut);
            body.push('…');
        }
        Some(Answer {
            status,
            endpoint,
            body,
        })
    }
}

impl Failure {
    /// The failure of an SDK call.
    pub(crate) fn of<E, R>(error: &SdkError<E, R>) -> Failure
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        match error {
            SdkError::ServiceError(service) => {
                let code = service.err().code();
                let endpoint = std::env::var("AWS_ENDPOINT_URL")
                    .ok()
                    .filter(|url| !url.is_empty());
                Failure::Service {
                    code: code.unwrap_or("Unknown").to_owned(),
                    message: service.err().message().unwrap_or_default().to_owned(),
                    // The SDK's calls answer with an `HttpResponse`.
                    answer: (service.raw() as &dyn std::any::Any)
                        .downcast_ref::<HttpResponse>()
                        .and_then(|raw| Answer::of(code, raw, endpoint)),
                }
            }
            other => {
                let text = DisplayErrorContext(other).to_string();
                if text.contains("credentials") || text.contains("Credentials") {
                    // The chain's own account of each provider it tried, without the
                    // Debug dump of the same that follows it.
                    let readable = text.split(" (DispatchFailure").next().unwrap_or(&text);
                    let readable = readable
                        .trim_start_matches("dispatch failure: ")
                        .trim_start_matches("other: ");
                    Failure::NoCredentials(readable.to_owned())
                } else {
                    Failure::Unreachable(text)
                }
            }
        }
    }

    /// Whether the service answered `code` (or one of the codes AWS uses for it).
    pub(crate) fn is(&self, codes: &[&str]) -> bool {
        matches!(self, Failure::Service { code, .. } if codes.contains(&code.as_str()))
    }

    /// Whether the resource does not exist.
    pub(crate) fn is_not_found(&self) -> bool {
        self.is(&[
            "ResourceNotFoundException",
            "NoSuchEntity",
            "NoSuchEntityException",
            "NotFoundException",
            // SNS's code for a topic or subscription that does not exist.
            "NotFound",
        ])
    }

    /// The message for a user: `doing` failed, why, and what to do about it.
    pub(crate) fn explain(&self, doing: &str) -> anyhow::Error {
        match self {
            Failure::NoCredentials(detail) => anyhow::anyhow!(
                "{doing}: no AWS credentials were found. Configure them as for the AWS CLI \
                 (`aws configure`, `aws sso login`, AWS_PROFILE or --profile, or \
                 AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)\n  ({detail})"
            ),
            Failure::Unreachable(detail) => anyhow::anyhow!(
                "{doing}: AWS could not be reached ({detail}); check the network, and \
                 AWS_ENDPOINT_URL if it is set"
            ),
            Failure::Service {
                code,
                message,
                answer: Some(answer),
            } => {
                let who = match &answer.endpoint {
                    Some(url) => format!("the endpoint {url}"),
                    None => "AWS".to_owned(),
                };
                let code = if code == "Unknown" {
                    String::new()
                } else {
                    format!(" ({code})")
                };
                let said = if !message.is_empty() {
                    format!(": {message}")
                } else if !answer.body.is_empty() {
                    format!(": {}", answer.body)
                } else {
                    " with an empty body".to_owned()
                };
                anyhow::anyhow!("{doing}: {who} answered HTTP {}{code}{said}", answer.status)
            }
            Failure::Service { code, message, .. } => {
                let advice = match code.as_str() {
                    "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
                        "; the credentials in use lack this permission: grant the action named \
                         above to them (or deploy with a profile that has it, --profile)"
                    }
                    "UnrecognizedClientException"
                    | "InvalidClientTokenId"
                    | "ExpiredToken"
                    | "ExpiredTokenException"
                    | "InvalidSignatureException"
                    | "SignatureDoesNotMatch" => {
                        "; the credentials are not valid (expired or for another account): \
                         renew them (`aws sso login`, `aws configure`)"
                    }
                    "TooManyRequestsException" | "Throttling" | "ThrottlingException" => {
                        "; AWS is throttling this account: wait a minute and deploy again (the \
                         deploy resumes where it stopped)"
                    }
                    _ => "",
                };
                let message = if message.is_empty() {
                    String::new()
                } else {
                    format!(": {message}")
                };
                anyhow::anyhow!("{doing}: {code}{message}{advice}")
            }
        }
    }
}

/// `doing` failed with `error`: the message a user reads.
pub(crate) fn explain<E, R>(doing: &str, error: &SdkError<E, R>) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    Failure::of(error).explain(doing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_action_and_the_fix() {
        let service = |code: &str, message: &str| Failure::Service {
            code: code.to_owned(),
            message: message.to_owned(),
            answer: None,
        };
        let cases = [
            (
                service(
                    "AccessDeniedException",
                    "User: arn:aws:iam::1:user/x is not authorized to perform: \
                     lambda:CreateFunction",
                ),
                "creating function todo-dev: AccessDeniedException: User: arn:aws:iam::1:user/x \
                 is not authorized to perform: lambda:CreateFunction; the credentials in use lack \
                 this permission",
            ),
            (
                service("ExpiredToken", ""),
                "creating function todo-dev: ExpiredToken; the credentials are not valid",
            ),
            (
                Failure::NoCredentials("no providers in chain".to_owned()),
                "creating function todo-dev: no AWS credentials were found. Configure them",
            ),
            (
                Failure::Unreachable("connection refused".to_owned()),
                "creating function todo-dev: AWS could not be reached (connection refused)",
            ),
        ];
        for (failure, expected) in cases {
            let text = failure.explain("creating function todo-dev").to_string();
            assert!(text.starts_with(expected), "{text}\n  want: {expected}");
        }
        assert!(service("NoSuchEntity", "").is_not_found());
        assert!(!service("EntityAlreadyExists", "").is_not_found());
    }

    /// A regression test for `chalice deploy` against an endpoint answering HTTP 500 with a
    /// body the SDK can't classify, once reported as `putting the API document of …: Unknown`.
    #[test]
    fn answers_without_a_code_say_what_the_endpoint_answered() {
        use aws_sdk_lambda::error::ErrorMetadata;
        use aws_sdk_lambda::operation::invoke::InvokeError;
        use aws_smithy_types::body::SdkBody;

        let moto = Some("http://127.0.0.1:5000".to_owned());
        let long = "x".repeat(400);
        // Each case: status, error code and message (as the SDK read them), body, endpoint,
        // the message.
        let cases: &[(
            u16,
            Option<&str>,
            Option<&str>,
            &str,
            Option<String>,
            String,
        )] = &[
            (
                500,
                None,
                None,
                "<html>\n<title>500 Internal Server Error</title>\n</html>",
                moto.clone(),
                "putting the API document of abc123: the endpoint http://127.0.0.1:5000 \
                 answered HTTP 500: <html> <title>500 Internal Server Error</title> </html>"
                    .to_owned(),
            ),
            (
                500,
                Some("InternalFailure"),
                Some("put_integration() missing 1 required argument: 'uri'"),
                "{}",
                moto.clone(),
                "putting the API document of abc123: the endpoint http://127.0.0.1:5000 \
                 answered HTTP 500 (InternalFailure): put_integration() missing 1 required \
                 argument: 'uri'"
                    .to_owned(),
            ),
            (
                502,
                None,
                None,
                "",
                None,
                "putting the API document of abc123: AWS answered HTTP 502 with an empty body"
                    .to_owned(),
            ),
            (
                500,
                None,
                None,
                &long,
                None,
                format!(
                    "putting the API document of abc123: AWS answered HTTP 500: {}…",
                    "x".repeat(300)
                ),
            ),
            // A code a 4xx answer carries says enough: as before.
            (
                404,
                Some("NotFoundException"),
                Some("Invalid REST API identifier"),
                "{}",
                moto,
                "putting the API document of abc123: NotFoundException: Invalid REST API \
                 identifier"
                    .to_owned(),
            ),
        ];
        for (status, code, message, body, endpoint, expected) in cases {
            let mut metadata = ErrorMetadata::builder();
            if let Some(code) = code {
                metadata = metadata.code(*code);
            }
            if let Some(message) = message {
                metadata = metadata.message(*message);
            }
            let raw = HttpResponse::new(
                (*status).try_into().expect("a status"),
                SdkBody::from(body.to_owned()),
            );
            let error = SdkError::service_error(InvokeError::generic(metadata.build()), raw);
            let mut failure = Failure::of(&error);
            // The endpoint as AWS_ENDPOINT_URL would give it, without setting the
            // process's environment under other tests.
            if let Failure::Service {
                answer: Some(answer),
                ..
            } = &mut failure
            {
                answer.endpoint = endpoint.clone();
            }
            let text = failure
                .explain("putting the API document of abc123")
                .to_string();
            assert_eq!(text, *expected, "{status} {code:?}");
        }
    }
}
