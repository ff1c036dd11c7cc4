//! The AWS clients: credentials and region from the standard chain, one HTTPS client, and a
//! count of every call made.
//!
//! Configuration is `aws-config`'s, as every AWS tool reads it: environment variables,
//! `~/.aws/config` and `credentials` (with `--profile`, else `AWS_PROFILE`), SSO, container
//! and instance roles. `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_<SERVICE>`) sends the calls
//! elsewhere, as to an emulator. The HTTPS client is hyper 1 with rustls on ring, built here
//! because the SDK's default one compiles aws-lc, a long C build, for nothing the CLI needs.

use std::sync::{Arc, Mutex};

use aws_config::BehaviorVersion;
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use crate::UsageError;

/// The clients of one command, sharing one configuration and one call log.
#[derive(Debug, Clone)]
pub(crate) struct Aws {
    pub(crate) iam: aws_sdk_iam::Client,
    pub(crate) lambda: aws_sdk_lambda::Client,
    pub(crate) apigateway: aws_sdk_apigateway::Client,
    pub(crate) apigatewayv2: aws_sdk_apigatewayv2::Client,
    pub(crate) logs: aws_sdk_cloudwatchlogs::Client,
    pub(crate) events: aws_sdk_eventbridge::Client,
    pub(crate) s3: aws_sdk_s3::Client,
    pub(crate) sns: aws_sdk_sns::Client,
    /// The region the calls go to.
    pub(crate) region: String,
    calls: CallLog,
}

impl Aws {
    /// Loads the configuration from the standard chain (with `profile` when given).
    /// Credentials are resolved on the first call; a missing region is an error now.
    pub(crate) async fn load(profile: Option<&str>) -> Result<Aws, UsageError> {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http);
        if let Some(profile) = profile {
            loader = loader.profile_name(profile);
        }
        let config = loader.load().await;
        let Some(region) = config.region().map(|region| region.as_ref().to_owned()) else {
            return Err(UsageError(format!(
                "no AWS region is configured{}: set AWS_REGION (or AWS_DEFAULT_REGION), or \
                 `region` in the profile (aws configure set region us-east-1{})",
                profile
                    .map(|p| format!(" for profile {p:?}"))
                    .unwrap_or_default(),
                profile
                    .map(|p| format!(" --profile {p}"))
                    .unwrap_or_default()
            )));
        };
        let calls = CallLog::default();
        Ok(Aws {
            iam: aws_sdk_iam::Client::from_conf(
                aws_sdk_iam::config::Builder::from(&config)
                    .interceptor(calls.clone())
                    .build(),
            ),
            lambda: aws_sdk_lambda::Client::from_conf(
                aws_sdk_lambda::config::Builder::from(&config)
                    .interceptor(calls.clone())
                    .build(),
            ),
            apigateway: aws_sdk_apigateway::Client::from_conf(
                aws_sdk_apigateway::config::Builder::from(&config)
                    .interceptor(calls.clone())
                    .build(),
            ),
            apigatewayv2: aws_sdk_apigatewayv2::Client::from_conf(
                aws_sdk_apigatewayv2::config::Builder::from(&config)
                    .interceptor(calls.clone())
                    .build(),
            ),
            logs: aws_sdk_cloudwatchlogs::Client::from_conf(
                aws_sdk_cloudwatchlogs::config::Builder::from(&config)
                    .interceptor(calls.clone())
                    .build(),
            ),
            events: aws_sdk_eventbridge::Client::from_conf(
                aws_sdk_eventbridge::config::Builder::from(&config)
                    .interceptor(calls.clone())
                    .build(),
            ),
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&config)
                    .interceptor(calls.clone())
                    .build(),
            ),
            sns: aws_sdk_sns::Client::from_conf(
                aws_sdk_sns::config::Builder::from(&config)
                    .interceptor(calls.clone())
                    .build(),
            ),
            region,
            calls,
        })
    }

    /// The calls made so far.
    pub(crate) fn calls(&self) -> Calls {
        let names = self
            .calls
            .0
            .lock()
            .map(|names| names.clone())
            .unwrap_or_default();
        Calls { names }
    }
}

/// The operations sent to AWS, in order (`Lambda.CreateFunction`), retries included.
#[derive(Debug, Clone, Default)]
struct CallLog(Arc<Mutex<Vec<String>>>);

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "chalice-call-log"
    }

    /// Once per attempt, just before it is sent: what AWS sees, retries included.
    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let name = cfg.load::<Metadata>().map_or_else(
            || "unknown".to_owned(),
            |metadata| format!("{}.{}", metadata.service(), metadata.name()),
        );
        if let Ok(mut names) = self.0.lock() {
            names.push(name);
        }
        Ok(())
    }
}

/// A summary of the calls a command made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Calls {
    /// Each call, as `Service.Operation`.
    pub(crate) names: Vec<String>,
}

impl Calls {
    /// The calls that change something (everything but `Get*`, `List*`, `Describe*`,
    /// `Filter*`).
    pub(crate) fn changing(&self) -> usize {
        self.names.iter().filter(|name| changes(name)).count()
    }
}

impl std::fmt::Display for Calls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let total = self.names.len();
        write!(
            f,
            "{total} AWS call{} ({} changing)",
            if total == 1 { "" } else { "s" },
            self.changing()
        )
    }
}

/// Whether the operation `Service.Operation` changes something on AWS.
pub(crate) fn changes(name: &str) -> bool {
    let operation = name.rsplit('.').next().unwrap_or(name);
    !["Get", "List", "Describe", "Filter"]
        .iter()
        .any(|prefix| operation.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_changes_are_told_apart() {
        let calls = Calls {
            names: [
                "Lambda.GetFunction",
                "Lambda.UpdateFunctionCode",
                "IAM.ListRolePolicies",
                "CloudWatch Logs.FilterLogEvents",
                "API Gateway.PutRestApi",
                "API Gateway.GetRestApis",
            ]
            .map(str::to_owned)
            .to_vec(),
        };
        assert_eq!(calls.changing(), 2);
        assert_eq!(calls.to_string(), "6 AWS calls (2 changing)");
    }
}
