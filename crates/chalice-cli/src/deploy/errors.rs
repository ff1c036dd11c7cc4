//! AWS's errors as messages that name the resource and the fix.
//!
//! The SDK's own text (`service error`, or a dispatch failure buried in causes) tells a user
//! neither what chalice was doing nor what to change. Each call site says what it was
//! doing (`creating function todo-dev`); this module adds why it failed, and what to do.

use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::error::display::DisplayErrorContext;

/// What went wrong with an AWS call, for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The service answered with this error code (`ResourceNotFoundException`, ...).
    Service { code: String, message: String },
    /// No credentials could be found.
    NoCredentials(String),
    /// The call never got an answer (network, endpoint, timeout).
    Unreachable(String),
}

impl Failure {
    /// The failure of an SDK call.
    pub(crate) fn of<E, R>(error: &SdkError<E, R>) -> Failure
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        match error {
            SdkError::ServiceError(service) => Failure::Service {
                code: service.err().code().unwrap_or("Unknown").to_owned(),
                message: service.err().message().unwrap_or_default().to_owned(),
            },
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
            Failure::Service { code, message } => {
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
    R: std::fmt::Debug,
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
}
