//! Chalice's commands this CLI does not have yet, and what to use until each exists. The
//! binary accepts them (hidden from `--help`) so that a Chalice user typing `chalice deploy`
//! learns what to do instead of reading "unrecognized subcommand" with a tip that points
//! elsewhere. Each entry leaves when its command arrives.

use crate::error::UsageError;

/// A Chalice command that is not available yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Planned {
    /// `chalice deploy`.
    Deploy,
    /// `chalice delete`.
    Delete,
    /// `chalice url`.
    Url,
    /// `chalice logs`.
    Logs,
    /// `chalice invoke`.
    Invoke,
    /// `chalice gen-policy`.
    GenPolicy,
    /// `chalice generate-sdk`.
    GenerateSdk,
}

impl Planned {
    /// The command's name, as typed.
    pub fn name(self) -> &'static str {
        match self {
            Planned::Deploy => "deploy",
            Planned::Delete => "delete",
            Planned::Url => "url",
            Planned::Logs => "logs",
            Planned::Invoke => "invoke",
            Planned::GenPolicy => "gen-policy",
            Planned::GenerateSdk => "generate-sdk",
        }
    }

    /// What to use until the command exists.
    pub fn instead(self) -> &'static str {
        match self {
            Planned::Deploy => {
                "`chalice package out` writes a SAM template and out/deployment.zip, and prints \
                 the two AWS CLI commands that deploy them (`aws cloudformation package`, then \
                 `aws cloudformation deploy`); or `chalice package terraform out`, then \
                 `terraform apply` in out/"
            }
            Planned::Delete => {
                "delete what you deployed: `aws cloudformation delete-stack --stack-name \
                 STACK`, or `terraform destroy` in the directory you applied"
            }
            Planned::Url => {
                "the stack's EndpointURL output is the URL: `aws cloudformation describe-stacks \
                 --stack-name STACK --query \"Stacks[0].Outputs[?OutputKey=='EndpointURL'].OutputValue\" \
                 --output text`, or `terraform output EndpointURL`"
            }
            Planned::Logs => {
                "`aws logs tail /aws/lambda/FUNCTION --follow`, where FUNCTION is the \
                 APIHandlerName output of the stack (or of `terraform output`)"
            }
            Planned::Invoke => {
                "`aws lambda invoke --function-name FUNCTION --payload fileb://event.json \
                 response.json`"
            }
            Planned::GenPolicy => {
                "the role's policy is DefaultRole's in the template `chalice package out` writes \
                 (Resources.DefaultRole.Properties.Policies), or the stage's iam_policy_file"
            }
            Planned::GenerateSdk => {
                "once the API is deployed: `aws apigateway get-sdk --rest-api-id API_ID \
                 --stage-name api --sdk-type javascript sdk.zip` (API_ID is the RestAPIId output)"
            }
        }
    }

    /// The error the command answers with.
    pub fn error(self) -> UsageError {
        UsageError(format!(
            "`chalice {}` is not available yet in chalice for Rust; until it is, {}",
            self.name(),
            self.instead()
        ))
    }
}
