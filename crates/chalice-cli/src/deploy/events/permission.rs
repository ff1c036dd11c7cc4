//! The statements of a function's resource policy that let a service invoke it: added
//! unless `GetPolicy` shows one already (so a redeploy adds nothing), removed with the
//! source.

use crate::deploy::errors::Failure;
use crate::deploy::execute::{Executor, grants, tolerate_missing};

/// A function's name, the last part of its ARN.
pub(super) fn function_name(lambda_arn: &str) -> &str {
    lambda_arn.rsplit(':').next().unwrap_or(lambda_arn)
}

impl Executor<'_> {
    /// Lets `principal` invoke the function `lambda_arn` from `source_arn` (and, for S3,
    /// whose ARNs name no account, `source_account`), as the statement `statement_id`.
    pub(super) async fn allow_invoke(
        &self,
        lambda_arn: &str,
        statement_id: &str,
        principal: &str,
        source_arn: &str,
        source_account: Option<&str>,
    ) -> anyhow::Result<()> {
        let name = function_name(lambda_arn);
        let doing = format!("allowing {principal} to invoke function {name}");
        let policy = self
            .aws
            .lambda
            .get_policy()
            .function_name(name)
            .send()
            .await;
        match policy {
            Ok(policy) => {
                if policy
                    .policy()
                    .is_some_and(|text| grants(text, principal, source_arn))
                {
                    return Ok(());
                }
            }
            Err(error) => {
                let failure = Failure::of(&error);
                if !failure.is_not_found() {
                    return Err(failure.explain(&doing));
                }
            }
        }
        for attempt in 0..2 {
            let added = self
                .aws
                .lambda
                .add_permission()
                .function_name(name)
                .statement_id(statement_id)
                .action("lambda:InvokeFunction")
                .principal(principal)
                .source_arn(source_arn)
                .set_source_account(source_account.map(str::to_owned))
                .send()
                .await;
            match added {
                Ok(_) => return Ok(()),
                // The statement is there for another source (the topic or bucket changed
                // behind our back): replace it.
                Err(error)
                    if attempt == 0 && Failure::of(&error).is(&["ResourceConflictException"]) =>
                {
                    self.revoke_invoke(lambda_arn, statement_id).await?;
                }
                Err(error) => return Err(Failure::of(&error).explain(&doing)),
            }
        }
        Ok(())
    }

    /// Removes the statement `statement_id` from the function's policy (nothing to do when
    /// the function or the statement is gone).
    pub(super) async fn revoke_invoke(
        &self,
        lambda_arn: &str,
        statement_id: &str,
    ) -> anyhow::Result<()> {
        if lambda_arn.is_empty() {
            return Ok(());
        }
        let name = function_name(lambda_arn);
        let result = self
            .aws
            .lambda
            .remove_permission()
            .function_name(name)
            .statement_id(statement_id)
            .send()
            .await;
        tolerate_missing(
            result,
            &format!("removing permission {statement_id} of function {name}"),
        )
    }
}
