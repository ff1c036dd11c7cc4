//! Before planning: the recorded state checked against AWS, with read calls only.
//!
//! A record whose resource someone deleted is dropped, so the plan creates it again instead
//! of updating nothing. A function's code hash becomes Lambda's own `CodeSha256`, so code
//! changed behind chalice's back is put back. Nothing here changes AWS; `--dry-run` runs it
//! too.

use super::aws::Aws;
use super::errors::Failure;
use super::plan::function_name;
use super::state::{DeployedState, Record};

/// `state` as AWS has it now.
pub(crate) async fn refresh(aws: &Aws, state: &DeployedState) -> anyhow::Result<DeployedState> {
    let mut fresh = state.clone();
    check_region(aws, state)?;
    for record in &state.resources {
        match record {
            Record::IamRole(role) => {
                let result = aws.iam.get_role().role_name(&role.role_name).send().await;
                if let Err(error) = result {
                    gone_or_fail(
                        &Failure::of(&error),
                        &format!("reading role {}", role.role_name),
                    )?;
                    fresh.forget(&role.name);
                }
            }
            Record::LambdaFunction(function) => {
                let name = function_name(function);
                let result = aws
                    .lambda
                    .get_function_configuration()
                    .function_name(&name)
                    .send()
                    .await;
                match result {
                    Ok(configuration) => {
                        if let Some(Record::LambdaFunction(mut updated)) =
                            fresh.get(&function.name).cloned()
                        {
                            updated.code_sha256 =
                                configuration.code_sha256().unwrap_or_default().to_owned();
                            fresh.put(Record::LambdaFunction(updated));
                        }
                    }
                    Err(error) => {
                        gone_or_fail(&Failure::of(&error), &format!("reading function {name}"))?;
                        fresh.forget(&function.name);
                        // The API's permission to invoke it went with it.
                        fresh.forget_invoke_permission(&function.name);
                    }
                }
            }
            Record::HttpApi(api) => {
                let result = aws.apigatewayv2.get_api().api_id(&api.api_id).send().await;
                if let Err(error) = result {
                    gone_or_fail(
                        &Failure::of(&error),
                        &format!("reading HTTP API {}", api.api_id),
                    )?;
                    fresh.forget(&api.name);
                }
            }
            Record::WebsocketApi(api) => {
                let id = &api.websocket_api_id;
                let result = aws.apigatewayv2.get_api().api_id(id).send().await;
                if let Err(error) = result {
                    gone_or_fail(&Failure::of(&error), &format!("reading WebSocket API {id}"))?;
                    fresh.forget(&api.name);
                }
            }
            record @ (Record::CloudwatchEvent(_)
            | Record::S3Event(_)
            | Record::SnsEvent(_)
            | Record::SqsEvent(_)
            | Record::KinesisEvent(_)
            | Record::DynamodbEvent(_)) => match super::events::run::refresh(aws, record).await? {
                Some(updated) => fresh.put(updated),
                None => fresh.forget(record.name()),
            },
            Record::RestApi(api) => {
                let result = aws
                    .apigateway
                    .get_rest_api()
                    .rest_api_id(&api.rest_api_id)
                    .send()
                    .await;
                if let Err(error) = result {
                    gone_or_fail(
                        &Failure::of(&error),
                        &format!("reading REST API {}", api.rest_api_id),
                    )?;
                    fresh.forget(&api.name);
                }
            }
        }
    }
    Ok(fresh)
}

fn gone_or_fail(failure: &Failure, doing: &str) -> anyhow::Result<()> {
    if failure.is_not_found() {
        Ok(())
    } else {
        Err(failure.explain(doing))
    }
}

/// A stage deployed to one region and deployed again with another configured would create
/// a second copy and lose track of the first: refuse, naming both.
pub(crate) fn check_region(aws: &Aws, state: &DeployedState) -> anyhow::Result<()> {
    let recorded = state.resources.iter().find_map(|record| match record {
        Record::LambdaFunction(function) => function.lambda_arn.split(':').nth(3),
        _ => None,
    });
    match recorded {
        Some(region) if !region.is_empty() && region != aws.region => {
            Err(crate::UsageError(format!(
                "this stage is deployed in {region}, but the configured region is {}: set \
                 AWS_REGION={region} (or the profile's region) to work on it",
                aws.region
            ))
            .into())
        }
        _ => Ok(()),
    }
}
