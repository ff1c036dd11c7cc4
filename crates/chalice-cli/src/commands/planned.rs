//! Chalice's commands this CLI does not have yet, and what to use until each exists. The
//! binary accepts them (hidden from `--help`) so that a Chalice user typing `chalice deploy`
//! learns what to do instead of reading "unrecognized subcommand" with a tip that points
//! elsewhere. Each entry leaves when its command arrives.

use crate::error::UsageError;

/// A Chalice command that is not available yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Planned {
    /// `chalice generate-sdk`.
    GenerateSdk,
}

impl Planned {
    /// The command's name, as typed.
    pub fn name(self) -> &'static str {
        match self {
            Planned::GenerateSdk => "generate-sdk",
        }
    }

    /// What to use until the command exists.
    pub fn instead(self) -> &'static str {
        match self {
            Planned::GenerateSdk => {
                "once the API is deployed: `aws apigateway get-sdk --rest-api-id API_ID \
                 --stage-name api --sdk-type javascript sdk.zip` (API_ID is in `chalice url`: \
                 https://API_ID.execute-api...)"
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
