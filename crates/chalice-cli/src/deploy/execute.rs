//! The executor: the only code that changes anything on AWS. It carries out a [`Plan`] step
//! by step, and saves the state file after each one, so that a deploy stopped anywhere is
//! recorded up to its last finished step.
//!
//! Two things make a rerun safe even when a step was cut between AWS's answer and the
//! save: every resource is created with the stage's `aws-chalice` tag
//! (`version=…:stage=<stage>:app=<app>`), and a create that finds the name taken looks at
//! that tag. A role or function carrying it is this stage's own, left by an interrupted
//! deploy: it is adopted (recorded, then updated). Anything else is someone else's, and the
//! deploy stops with a message naming it. REST APIs, whose names need not be unique, are
//! looked up by that tag before one is created.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use aws_sdk_apigateway::types::{EndpointConfiguration, EndpointType, Op, PatchOperation, PutMode};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    Architecture, Environment, FunctionCode, LastUpdateStatus, Runtime, State, TracingConfig,
    TracingMode, VpcConfig,
};
use serde_json::Value;

use super::aws::Aws;
use super::errors::{Failure, explain};
use super::graph::{API_HANDLER_KEY, FunctionSpec, HttpApiSpec, RestApiSpec, RoleRef, RoleSpec};
use super::plan::{Plan, Step};
use super::progress::Spinner;
use super::state::{
    DeployedState, FunctionRecord, HttpApiRecord, Record, RestApiRecord, RoleRecord,
};
use super::url::rest_api_url;
use crate::output::{Output, size};

/// The tag every resource of a stage carries (Chalice's), whose value names the app and stage.
const CHALICE_TAG: &str = "aws-chalice";

/// How long to wait for Lambda (a new function, an update) before giving up.
const LAMBDA_PATIENCE: Duration = Duration::from_secs(600);
/// How long a new role may take to be usable by Lambda (IAM is eventually consistent).
const ROLE_PATIENCE: Duration = Duration::from_secs(90);

/// Runs plans against AWS for one stage of one project.
pub(crate) struct Executor<'a> {
    pub(crate) aws: &'a Aws,
    pub(crate) project_dir: &'a Path,
    pub(crate) app_name: &'a str,
    /// The chalice stage (`dev`), which names the state file.
    pub(crate) stage: &'a str,
    /// The deployment package the plan's code steps upload.
    pub(crate) zip: &'a [u8],
    pub(crate) state: DeployedState,
    pub(crate) output: Output,
}

impl Executor<'_> {
    /// Carries out `plan`, saving the state after every step.
    pub(crate) async fn run(&mut self, plan: &Plan) -> anyhow::Result<()> {
        for step in &plan.steps {
            self.step(step).await?;
            self.state.save(self.project_dir, self.stage)?;
        }
        Ok(())
    }

    async fn step(&mut self, step: &Step) -> anyhow::Result<()> {
        match step {
            Step::CreateRole(role) => self.create_role(role).await,
            Step::UpdateRolePolicy(role) => {
                self.output
                    .status("Updating", format!("the policy of role {}", role.role_name));
                let policy_hash = self.put_role_policy(role).await?;
                if let Some(mut record) = self.state.role(&role.key).cloned() {
                    record.policy_hash = policy_hash;
                    self.state.put(Record::IamRole(record));
                }
                Ok(())
            }
            Step::CreateFunction(function) => {
                let function = self.resolved(function)?;
                self.create_function(&function).await
            }
            Step::UpdateFunctionCode {
                key,
                function_name,
                architecture,
                code,
            } => {
                self.output.status(
                    "Updating",
                    format!("function code {function_name} ({})", size(code.size)),
                );
                self.update_code(function_name, architecture).await?;
                if let Some(mut record) = self.state.function(key).cloned() {
                    record.code_sha256 = code.sha256.clone();
                    self.state.put(Record::LambdaFunction(record));
                }
                Ok(())
            }
            Step::UpdateFunctionConfiguration(function) => {
                let function = &self.resolved(function)?;
                self.output.status(
                    "Updating",
                    format!("function configuration {}", function.function_name),
                );
                self.update_configuration(function).await?;
                if let Some(mut record) = self.state.function(&function.key).cloned() {
                    record.config_hash = function.config_hash();
                    self.state.put(Record::LambdaFunction(record));
                }
                Ok(())
            }
            Step::CreateRestApi(api) => self.create_rest_api(api).await,
            Step::UpdateRestApi(api) => {
                self.output
                    .status("Updating", format!("REST API {}", api.name));
                let id = self.rest_api_id(&api.key)?;
                self.put_document(&id, api).await?;
                self.update_settings(&id, api).await?;
                if let Some(mut record) = self.state.rest_api(&api.key).cloned() {
                    record.api_hash = api.api_hash();
                    self.state.put(Record::RestApi(record));
                }
                Ok(())
            }
            Step::CreateHttpApi(api) => self.create_http_api(api).await,
            Step::UpdateHttpApi(api) => {
                self.output
                    .status("Updating", format!("HTTP API {}", api.name));
                let id = self.api_id(&api.key)?;
                self.sync_http_api(&id, api, false).await
            }
            Step::DeleteHttpApi { key, api_id } => {
                self.output.status("Deleting", format!("HTTP API {api_id}"));
                let result = self
                    .aws
                    .apigatewayv2
                    .delete_api()
                    .api_id(api_id)
                    .send()
                    .await;
                tolerate_missing(result, &format!("deleting HTTP API {api_id}"))?;
                if self
                    .state
                    .http_api(key)
                    .is_some_and(|api| api.api_id == *api_id)
                {
                    self.state.forget(key);
                }
                Ok(())
            }
            Step::CreateWebsocketApi(api) => self.create_websocket_api(api).await,
            Step::UpdateWebsocketApi(api) => self.update_websocket_api(api).await,
            Step::SyncWebsocketRoutes(routes) => self.sync_websocket_routes(routes).await,
            Step::DeleteWebsocketApi { key, api_id } => {
                self.delete_websocket_api(key, api_id).await
            }
            Step::AddInvokePermission { api, function } => {
                self.add_invoke_permission(api, function).await
            }
            Step::DeployRestApi { key, stage } => self.deploy_rest_api(key, stage).await,
            Step::DeleteRestApi { key, rest_api_id } => {
                self.output
                    .status("Deleting", format!("REST API {rest_api_id}"));
                let result = self
                    .aws
                    .apigateway
                    .delete_rest_api()
                    .rest_api_id(rest_api_id)
                    .send()
                    .await;
                tolerate_missing(result, &format!("deleting REST API {rest_api_id}"))?;
                if self
                    .state
                    .rest_api(key)
                    .is_some_and(|api| api.rest_api_id == *rest_api_id)
                {
                    self.state.forget(key);
                }
                Ok(())
            }
            Step::DeleteFunction { key, function_name } => {
                self.output
                    .status("Deleting", format!("function {function_name}"));
                let result = self
                    .aws
                    .lambda
                    .delete_function()
                    .function_name(function_name)
                    .send()
                    .await;
                tolerate_missing(result, &format!("deleting function {function_name}"))?;
                if self
                    .state
                    .function(key)
                    .is_some_and(|record| super::plan::function_name(record) == *function_name)
                {
                    self.state.forget(key);
                    self.state.forget_invoke_permission(key);
                }
                Ok(())
            }
            Step::CreateEventSource(source) | Step::UpdateEventSource(source) => {
                self.put_event_source(source).await
            }
            Step::DeleteEventSource(record) => self.delete_event_source(record).await,
            Step::DeleteRole { key, role_name } => {
                self.output.status("Deleting", format!("role {role_name}"));
                self.delete_role(role_name).await?;
                if self
                    .state
                    .role(key)
                    .is_some_and(|role| role.role_name == *role_name)
                {
                    self.state.forget(key);
                }
                Ok(())
            }
        }
    }

    /// Whether `tags` mark a resource of this app's stage.
    pub(super) fn ours(&self, tags: Option<&HashMap<String, String>>) -> bool {
        let suffix = format!(":stage={}:app={}", self.stage, self.app_name);
        tags.and_then(|tags| tags.get(CHALICE_TAG))
            .is_some_and(|value| value.ends_with(&suffix))
    }

    async fn create_role(&mut self, role: &RoleSpec) -> anyhow::Result<()> {
        self.output
            .status("Creating", format!("role {}", role.role_name));
        let tags = role
            .tags
            .iter()
            .map(|(key, value)| {
                aws_sdk_iam::types::Tag::builder()
                    .key(key)
                    .value(value)
                    .build()
                    .expect("key and value are set")
            })
            .collect();
        let created = self
            .aws
            .iam
            .create_role()
            .role_name(&role.role_name)
            .assume_role_policy_document(role.trust_policy.to_string())
            .set_tags(Some(tags))
            .send()
            .await;
        let arn = match created {
            Ok(output) => output
                .role()
                .map(|role| role.arn().to_owned())
                .context("CreateRole answered without the role")?,
            Err(error) => {
                let failure = Failure::of(&error);
                if !failure.is(&["EntityAlreadyExists", "EntityAlreadyExistsException"]) {
                    return Err(failure.explain(&format!("creating role {}", role.role_name)));
                }
                self.adopt_role(&role.role_name).await?
            }
        };
        // Recorded before its policy is put: if that fails, the role is still known, and a
        // rerun (or `chalice delete`) finds it.
        self.state.put(Record::IamRole(RoleRecord {
            name: role.key.clone(),
            role_name: role.role_name.clone(),
            role_arn: arn,
            policy_hash: String::new(),
        }));
        self.state.save(self.project_dir, self.stage)?;
        let policy_hash = self.put_role_policy(role).await?;
        self.state.put(Record::IamRole(RoleRecord {
            name: role.key.clone(),
            role_name: role.role_name.clone(),
            role_arn: self
                .state
                .role(&role.key)
                .map(|r| r.role_arn.clone())
                .unwrap_or_default(),
            policy_hash,
        }));
        Ok(())
    }

    /// The ARN of the existing role `name` when it is this stage's own (tagged so).
    async fn adopt_role(&self, name: &str) -> anyhow::Result<String> {
        let found = self
            .aws
            .iam
            .get_role()
            .role_name(name)
            .send()
            .await
            .map_err(|error| explain(&format!("reading role {name}"), &error))?;
        let role = found.role().context("GetRole answered without the role")?;
        let tags: HashMap<String, String> = role
            .tags()
            .iter()
            .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
            .collect();
        if !self.ours(Some(&tags)) {
            anyhow::bail!(
                "role {name} already exists and was not created by chalice for app {} stage {}: \
                 delete it, or use it with \"manage_iam_role\": false and \"iam_role_arn\": \
                 \"{}\" in .chalice/config.json, or choose another app_name",
                self.app_name,
                self.stage,
                role.arn()
            );
        }
        self.output.status(
            "Adopting",
            format!("role {name}, left by an interrupted deploy of this stage"),
        );
        Ok(role.arn().to_owned())
    }

    /// Puts the role's policy (the WebSocket API's ARN filled in) and answers its hash.
    async fn put_role_policy(&self, role: &RoleSpec) -> anyhow::Result<String> {
        let resolved = super::websocket::plan::resolve_role(role, &self.state);
        let role = resolved.as_ref().unwrap_or(role);
        anyhow::ensure!(
            !role
                .policy
                .to_string()
                .contains(super::websocket::record::CONNECTIONS_PLACEHOLDER),
            "the plan puts the policy of role {} before its WebSocket API exists",
            role.role_name
        );
        self.aws
            .iam
            .put_role_policy()
            .role_name(&role.role_name)
            .policy_name(&role.role_name)
            .policy_document(role.policy.to_string())
            .send()
            .await
            .map_err(|error| {
                explain(
                    &format!("putting the policy of role {}", role.role_name),
                    &error,
                )
            })?;
        Ok(role.policy_hash())
    }

    /// `function` with the WebSocket API's host in its environment, which the plan puts
    /// before its functions.
    fn resolved(&self, function: &FunctionSpec) -> anyhow::Result<FunctionSpec> {
        let resolved = super::websocket::plan::resolve_function(function, &self.state)
            .unwrap_or_else(|| function.clone());
        anyhow::ensure!(
            !resolved
                .environment
                .values()
                .any(|value| value.contains(super::websocket::record::HOST_PLACEHOLDER)),
            "the plan creates function {} before its WebSocket API",
            function.function_name
        );
        Ok(resolved)
    }

    async fn delete_role(&self, role_name: &str) -> anyhow::Result<()> {
        let doing = format!("deleting role {role_name}");
        let listed = self
            .aws
            .iam
            .list_role_policies()
            .role_name(role_name)
            .send()
            .await;
        let policies = match listed {
            Ok(listed) => listed.policy_names().to_vec(),
            Err(error) if Failure::of(&error).is_not_found() => return Ok(()),
            Err(error) => return Err(explain(&doing, &error)),
        };
        for policy in policies {
            let result = self
                .aws
                .iam
                .delete_role_policy()
                .role_name(role_name)
                .policy_name(&policy)
                .send()
                .await;
            tolerate_missing(result, &doing)?;
        }
        let result = self.aws.iam.delete_role().role_name(role_name).send().await;
        tolerate_missing(result, &doing)
    }

    /// The ARN of the role a function runs as.
    fn role_arn(&self, role: &RoleRef) -> anyhow::Result<String> {
        match role {
            RoleRef::Arn(arn) => Ok(arn.clone()),
            RoleRef::Managed(key) => self
                .state
                .role(key)
                .map(|record| record.role_arn.clone())
                .with_context(|| format!("the plan creates no role {key} before its functions")),
        }
    }

    async fn create_function(&mut self, function: &FunctionSpec) -> anyhow::Result<()> {
        let name = &function.function_name;
        self.output.status(
            "Creating",
            format!("function {name} ({})", size(function.code.size)),
        );
        let role = self.role_arn(&function.role)?;
        let deadline = tokio::time::Instant::now() + ROLE_PATIENCE;
        let mut spinner = None;
        let created = loop {
            let result = self
                .aws
                .lambda
                .create_function()
                .function_name(name)
                .runtime(Runtime::from(function.runtime.as_str()))
                .handler(&function.handler)
                .role(&role)
                .code(
                    FunctionCode::builder()
                        .zip_file(Blob::new(self.zip))
                        .build(),
                )
                .architectures(Architecture::from(function.architecture.as_str()))
                .memory_size(to_i32(function.memory_size))
                .timeout(to_i32(function.timeout))
                .environment(environment(function))
                .set_tags(Some(function.tags.clone().into_iter().collect()))
                .set_layers(Some(function.layers.clone()))
                .set_vpc_config(vpc_config(function))
                .tracing_config(tracing(function))
                .send()
                .await;
            match result {
                Ok(output) => break Ok(output),
                Err(error) => {
                    let failure = Failure::of(&error);
                    // A new role takes a few seconds to be assumable by Lambda (Chalice
                    // retries the same way).
                    let propagating = failure.is(&["InvalidParameterValueException"])
                        && matches!(&failure, Failure::Service { message, .. }
                            if message.contains("role"));
                    if propagating && tokio::time::Instant::now() < deadline {
                        spinner.get_or_insert_with(|| {
                            Spinner::start(
                                self.output,
                                &format!("waiting for role {role} to propagate"),
                            )
                        });
                        tokio::time::sleep(Duration::from_secs(2)).await;
                        continue;
                    }
                    break Err(failure);
                }
            }
        };
        drop(spinner);
        let arn = match created {
            Ok(output) => output
                .function_arn()
                .context("CreateFunction answered without the function's ARN")?
                .to_owned(),
            Err(failure) if failure.is(&["ResourceConflictException"]) => {
                let arn = self.adopt_function(name).await?;
                // Ours, but its code and configuration are whatever the interrupted deploy
                // left: bring both up to date.
                self.state.put(Record::LambdaFunction(FunctionRecord {
                    name: function.key.clone(),
                    lambda_arn: arn,
                    function_name: name.clone(),
                    code_sha256: String::new(),
                    config_hash: String::new(),
                }));
                self.state.save(self.project_dir, self.stage)?;
                self.update_code(name, &function.architecture).await?;
                self.update_configuration(function).await?;
                return self.record_function(function);
            }
            Err(failure) => return Err(failure.explain(&format!("creating function {name}"))),
        };
        self.state.put(Record::LambdaFunction(FunctionRecord {
            name: function.key.clone(),
            lambda_arn: arn,
            function_name: name.clone(),
            code_sha256: String::new(),
            config_hash: String::new(),
        }));
        self.state.save(self.project_dir, self.stage)?;
        self.wait_for_function(name).await?;
        if let Some(reserved) = function.reserved_concurrency {
            self.aws
                .lambda
                .put_function_concurrency()
                .function_name(name)
                .reserved_concurrent_executions(to_i32(reserved))
                .send()
                .await
                .map_err(|error| explain(&format!("reserving concurrency of {name}"), &error))?;
        }
        self.log_retention(function).await?;
        self.record_function(function)
    }

    fn record_function(&mut self, function: &FunctionSpec) -> anyhow::Result<()> {
        let arn = self
            .state
            .function(&function.key)
            .map(|record| record.lambda_arn.clone())
            .unwrap_or_default();
        self.state.put(Record::LambdaFunction(FunctionRecord {
            name: function.key.clone(),
            lambda_arn: arn,
            function_name: function.function_name.clone(),
            code_sha256: function.code.sha256.clone(),
            config_hash: function.config_hash(),
        }));
        Ok(())
    }

    /// The ARN of the existing function `name` when it is this stage's own (tagged so).
    async fn adopt_function(&self, name: &str) -> anyhow::Result<String> {
        let found = self
            .aws
            .lambda
            .get_function()
            .function_name(name)
            .send()
            .await
            .map_err(|error| explain(&format!("reading function {name}"), &error))?;
        let arn = found
            .configuration()
            .and_then(|configuration| configuration.function_arn())
            .context("GetFunction answered without the function's ARN")?
            .to_owned();
        if !self.ours(found.tags()) {
            anyhow::bail!(
                "function {name} already exists and was not created by chalice for app {} \
                 stage {}: delete it, or choose another app_name or stage",
                self.app_name,
                self.stage
            );
        }
        self.output.status(
            "Adopting",
            format!("function {name}, left by an interrupted deploy of this stage"),
        );
        Ok(arn)
    }

    async fn update_code(&self, name: &str, architecture: &str) -> anyhow::Result<()> {
        self.aws
            .lambda
            .update_function_code()
            .function_name(name)
            .zip_file(Blob::new(self.zip))
            .architectures(Architecture::from(architecture))
            .send()
            .await
            .map_err(|error| explain(&format!("updating the code of function {name}"), &error))?;
        self.wait_for_function(name).await
    }

    async fn update_configuration(&self, function: &FunctionSpec) -> anyhow::Result<()> {
        let name = &function.function_name;
        let role = self.role_arn(&function.role)?;
        let doing = format!("updating the configuration of function {name}");
        self.aws
            .lambda
            .update_function_configuration()
            .function_name(name)
            .role(role)
            .runtime(Runtime::from(function.runtime.as_str()))
            .handler(&function.handler)
            .memory_size(to_i32(function.memory_size))
            .timeout(to_i32(function.timeout))
            .environment(environment(function))
            .set_layers(Some(function.layers.clone()))
            .vpc_config(vpc_config(function).unwrap_or_else(|| {
                // An empty configuration takes the function out of a VPC it was in.
                VpcConfig::builder()
                    .set_subnet_ids(Some(Vec::new()))
                    .set_security_group_ids(Some(Vec::new()))
                    .build()
            }))
            .tracing_config(tracing(function))
            .send()
            .await
            .map_err(|error| explain(&doing, &error))?;
        self.wait_for_function(name).await?;
        let arn = self
            .state
            .function(&function.key)
            .map(|record| record.lambda_arn.clone())
            .unwrap_or_default();
        self.sync_tags(&arn, function).await?;
        match function.reserved_concurrency {
            Some(reserved) => {
                self.aws
                    .lambda
                    .put_function_concurrency()
                    .function_name(name)
                    .reserved_concurrent_executions(to_i32(reserved))
                    .send()
                    .await
                    .map_err(|error| explain(&doing, &error))?;
            }
            None => {
                let result = self
                    .aws
                    .lambda
                    .delete_function_concurrency()
                    .function_name(name)
                    .send()
                    .await;
                tolerate_missing(result, &doing)?;
            }
        }
        self.log_retention(function).await
    }

    /// Makes the function's tags those of the spec: `ListTags`, then untag and tag what
    /// differs.
    async fn sync_tags(&self, arn: &str, function: &FunctionSpec) -> anyhow::Result<()> {
        let doing = format!("tagging function {}", function.function_name);
        let listed = self
            .aws
            .lambda
            .list_tags()
            .resource(arn)
            .send()
            .await
            .map_err(|error| explain(&doing, &error))?;
        let current = listed.tags().cloned().unwrap_or_default();
        let stale: Vec<String> = current
            .keys()
            .filter(|key| !function.tags.contains_key(*key))
            .cloned()
            .collect();
        if !stale.is_empty() {
            self.aws
                .lambda
                .untag_resource()
                .resource(arn)
                .set_tag_keys(Some(stale))
                .send()
                .await
                .map_err(|error| explain(&doing, &error))?;
        }
        let changed: HashMap<String, String> = function
            .tags
            .iter()
            .filter(|(key, value)| current.get(*key) != Some(*value))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        if !changed.is_empty() {
            self.aws
                .lambda
                .tag_resource()
                .resource(arn)
                .set_tags(Some(changed))
                .send()
                .await
                .map_err(|error| explain(&doing, &error))?;
        }
        Ok(())
    }

    /// `log_retention_in_days`: the function's log group, created ahead of Lambda so the
    /// retention applies from the first line.
    async fn log_retention(&self, function: &FunctionSpec) -> anyhow::Result<()> {
        let group = function.log_group();
        let doing = format!("setting the retention of log group {group}");
        let Some(days) = function.log_retention_in_days else {
            return Ok(());
        };
        let created = self
            .aws
            .logs
            .create_log_group()
            .log_group_name(&group)
            .send()
            .await;
        if let Err(error) = created {
            let failure = Failure::of(&error);
            if !failure.is(&["ResourceAlreadyExistsException"]) {
                return Err(failure.explain(&doing));
            }
        }
        self.aws
            .logs
            .put_retention_policy()
            .log_group_name(&group)
            .retention_in_days(to_i32(days))
            .send()
            .await
            .map_err(|error| explain(&doing, &error))?;
        Ok(())
    }

    /// Waits until the function is active and its last update finished.
    async fn wait_for_function(&self, name: &str) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + LAMBDA_PATIENCE;
        let mut spinner = None;
        loop {
            let configuration = self
                .aws
                .lambda
                .get_function_configuration()
                .function_name(name)
                .send()
                .await
                .map_err(|error| explain(&format!("waiting for function {name}"), &error))?;
            let state = configuration.state();
            let update = configuration.last_update_status();
            if matches!(state, Some(State::Failed))
                || matches!(update, Some(LastUpdateStatus::Failed))
            {
                anyhow::bail!(
                    "function {name} failed to become ready: {}",
                    configuration
                        .last_update_status_reason()
                        .or(configuration.state_reason())
                        .unwrap_or("Lambda gave no reason")
                );
            }
            let active = matches!(state, None | Some(State::Active));
            let updated = matches!(update, None | Some(LastUpdateStatus::Successful));
            if active && updated {
                return Ok(());
            }
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "function {name} was still not ready after {} s (state {state:?}, last update \
                 {update:?}); deploy again to resume",
                LAMBDA_PATIENCE.as_secs()
            );
            spinner.get_or_insert_with(|| {
                Spinner::start(self.output, &format!("waiting for function {name}"))
            });
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    fn rest_api_id(&self, key: &str) -> anyhow::Result<String> {
        self.state
            .rest_api(key)
            .map(|record| record.rest_api_id.clone())
            .with_context(|| format!("the plan creates no REST API {key} before using it"))
    }

    async fn create_rest_api(&mut self, api: &RestApiSpec) -> anyhow::Result<()> {
        let id = match self.find_rest_api(api).await? {
            Some(id) => {
                self.output.status(
                    "Adopting",
                    format!("REST API {id}, left by an interrupted deploy of this stage"),
                );
                id
            }
            None => {
                self.output
                    .status("Creating", format!("REST API {}", api.name));
                // Created, then given its document: creation is the one call that takes
                // tags, which let a rerun find an API whose id a cut deploy never recorded.
                let created = self
                    .aws
                    .apigateway
                    .create_rest_api()
                    .name(&api.name)
                    .endpoint_configuration(endpoint_configuration(api))
                    .set_binary_media_types(Some(api.binary_media_types.clone()))
                    .set_minimum_compression_size(api.minimum_compression_size.map(to_i32))
                    .set_tags(Some(api.tags.clone().into_iter().collect()))
                    .send()
                    .await
                    .map_err(|error| explain(&format!("creating REST API {}", api.name), &error))?;
                created
                    .id()
                    .context("CreateRestApi answered without the API's id")?
                    .to_owned()
            }
        };
        self.state.put(Record::RestApi(RestApiRecord {
            name: api.key.clone(),
            rest_api_id: id.clone(),
            rest_api_url: String::new(),
            stage: String::new(),
            api_hash: String::new(),
            invoke_permissions: Vec::new(),
        }));
        self.state.save(self.project_dir, self.stage)?;
        self.put_document(&id, api).await?;
        self.update_settings(&id, api).await?;
        if let Some(mut record) = self.state.rest_api(&api.key).cloned() {
            record.api_hash = api.api_hash();
            self.state.put(Record::RestApi(record));
        }
        Ok(())
    }

    /// This stage's REST API, when an interrupted deploy created it without recording it.
    async fn find_rest_api(&self, api: &RestApiSpec) -> anyhow::Result<Option<String>> {
        let mut position = None;
        loop {
            let page = self
                .aws
                .apigateway
                .get_rest_apis()
                .limit(500)
                .set_position(position)
                .send()
                .await
                .map_err(|error| explain("listing REST APIs", &error))?;
            for item in page.items() {
                if item.name() == Some(api.name.as_str()) && self.ours(item.tags()) {
                    return Ok(item.id().map(str::to_owned));
                }
            }
            match page.position() {
                Some(next) if !page.items().is_empty() => position = Some(next.to_owned()),
                _ => return Ok(None),
            }
        }
    }

    /// `PutRestApi` in overwrite mode with the document, its placeholders filled in.
    async fn put_document(&self, id: &str, api: &RestApiSpec) -> anyhow::Result<()> {
        let document = self.fill_document(api)?;
        self.aws
            .apigateway
            .put_rest_api()
            .rest_api_id(id)
            .mode(PutMode::Overwrite)
            .body(aws_sdk_apigateway::primitives::Blob::new(document))
            .send()
            .await
            .map_err(|error| explain(&format!("putting the API document of {id}"), &error))?;
        Ok(())
    }

    /// The document with the functions' ARNs, the region and the partition in place of its
    /// placeholders.
    fn fill_document(&self, api: &RestApiSpec) -> anyhow::Result<Vec<u8>> {
        let mut text = serde_json::to_string(&api.document).expect("a JSON value serializes");
        let mut partition = "aws".to_owned();
        for key in api.invokes.keys() {
            let record = self
                .state
                .function(key)
                .with_context(|| format!("function {key} is not deployed before the API"))?;
            if let Some(found) = record.lambda_arn.split(':').nth(1) {
                partition = found.to_owned();
            }
            text = text.replace(&format!("{{{key}_lambda_arn}}"), &record.lambda_arn);
        }
        text = text
            .replace("{region_name}", &self.aws.region)
            .replace("{partition}", &partition);
        Ok(text.into_bytes())
    }

    /// `UpdateRestApi` for the settings the document does not carry: the endpoint type and
    /// the minimum compression size. Only what differs from `GetRestApi` is patched. (Binary
    /// media types travel in the document, `x-amazon-apigateway-binary-media-types`, which
    /// `PutRestApi` applies, as Chalice relies on.)
    async fn update_settings(&self, id: &str, api: &RestApiSpec) -> anyhow::Result<()> {
        let doing = format!("updating the settings of REST API {id}");
        let current = self
            .aws
            .apigateway
            .get_rest_api()
            .rest_api_id(id)
            .send()
            .await
            .map_err(|error| explain(&doing, &error))?;
        let mut patches = Vec::new();
        let current_type = current
            .endpoint_configuration()
            .and_then(|config| config.types().first())
            .map(|kind| kind.as_str().to_owned());
        if let Some(current_type) = current_type
            && current_type != api.endpoint_type
        {
            patches.push(patch(
                Op::Replace,
                &format!("/endpointConfiguration/types/{current_type}"),
                Some(&api.endpoint_type),
            ));
        }
        let wanted_compression = api.minimum_compression_size.map(to_i32);
        if current.minimum_compression_size() != wanted_compression {
            let value = wanted_compression.map(|size| size.to_string());
            patches.push(patch(
                Op::Replace,
                "/minimumCompressionSize",
                Some(value.as_deref().unwrap_or("")),
            ));
        }
        if patches.is_empty() {
            return Ok(());
        }
        self.aws
            .apigateway
            .update_rest_api()
            .rest_api_id(id)
            .set_patch_operations(Some(patches))
            .send()
            .await
            .map_err(|error| explain(&doing, &error))?;
        Ok(())
    }

    /// Lets API Gateway invoke the function, unless its policy already does.
    async fn add_invoke_permission(&mut self, api_key: &str, function: &str) -> anyhow::Result<()> {
        let id = self.api_id(api_key)?;
        let record = self
            .state
            .function(function)
            .with_context(|| format!("function {function} is not deployed before the API"))?
            .clone();
        let name = super::plan::function_name(&record);
        let parts: Vec<&str> = record.lambda_arn.split(':').collect();
        let (partition, account) = match parts.as_slice() {
            ["arn", partition, "lambda", _, account, ..] => (*partition, *account),
            _ => anyhow::bail!("{} is not a Lambda function ARN", record.lambda_arn),
        };
        let source_arn = format!(
            "arn:{partition}:execute-api:{}:{account}:{id}/*",
            self.aws.region
        );
        let doing = format!("allowing API Gateway to invoke function {name}");
        let policy = self
            .aws
            .lambda
            .get_policy()
            .function_name(&name)
            .send()
            .await;
        let present = match policy {
            Ok(policy) => policy
                .policy()
                .is_some_and(|text| grants_invoke(text, &source_arn)),
            Err(error) => {
                let failure = Failure::of(&error);
                if !failure.is_not_found() {
                    return Err(failure.explain(&doing));
                }
                false
            }
        };
        if !present {
            self.output
                .status("Allowing", format!("API Gateway to invoke {name}"));
            self.aws
                .lambda
                .add_permission()
                .function_name(&name)
                .statement_id(format!("chalice-{id}"))
                .action("lambda:InvokeFunction")
                .principal("apigateway.amazonaws.com")
                .source_arn(&source_arn)
                .send()
                .await
                .map_err(|error| explain(&doing, &error))?;
        }
        match self.state.get(api_key).cloned() {
            Some(Record::RestApi(mut api)) => {
                if !api.invoke_permissions.iter().any(|f| f == function) {
                    api.invoke_permissions.push(function.to_owned());
                }
                self.state.put(Record::RestApi(api));
            }
            Some(Record::HttpApi(mut api)) => {
                if !api.invoke_permissions.iter().any(|f| f == function) {
                    api.invoke_permissions.push(function.to_owned());
                }
                self.state.put(Record::HttpApi(api));
            }
            Some(Record::WebsocketApi(mut api)) => {
                if !api.invoke_permissions.iter().any(|f| f == function) {
                    api.invoke_permissions.push(function.to_owned());
                }
                self.state.put(Record::WebsocketApi(api));
            }
            _ => {}
        }
        Ok(())
    }

    /// The id of the API (REST or HTTP) recorded as `key`.
    fn api_id(&self, key: &str) -> anyhow::Result<String> {
        match self.state.get(key) {
            Some(Record::RestApi(api)) => Ok(api.rest_api_id.clone()),
            Some(Record::HttpApi(api)) => Ok(api.api_id.clone()),
            Some(Record::WebsocketApi(api)) => Ok(api.websocket_api_id.clone()),
            _ => anyhow::bail!("the plan creates no API {key} before using it"),
        }
    }

    async fn create_http_api(&mut self, api: &HttpApiSpec) -> anyhow::Result<()> {
        let id = match self.find_http_api(api).await? {
            Some(id) => {
                self.output.status(
                    "Adopting",
                    format!("HTTP API {id}, left by an interrupted deploy of this stage"),
                );
                id
            }
            None => {
                self.output
                    .status("Creating", format!("HTTP API {}", api.name));
                let created = self
                    .aws
                    .apigatewayv2
                    .create_api()
                    .name(&api.name)
                    .protocol_type(aws_sdk_apigatewayv2::types::ProtocolType::Http)
                    .set_cors_configuration(api.cors.as_ref().map(http_cors))
                    .set_tags(Some(api.tags.clone().into_iter().collect()))
                    .send()
                    .await
                    .map_err(|error| explain(&format!("creating HTTP API {}", api.name), &error))?;
                created
                    .api_id()
                    .context("CreateApi answered without the API's id")?
                    .to_owned()
            }
        };
        self.state.put(Record::HttpApi(HttpApiRecord {
            name: api.key.clone(),
            api_id: id.clone(),
            api_url: String::new(),
            integration_id: String::new(),
            api_hash: String::new(),
            invoke_permissions: Vec::new(),
        }));
        self.state.save(self.project_dir, self.stage)?;
        self.sync_http_api(&id, api, true).await
    }

    /// This stage's HTTP API, when an interrupted deploy created it without recording it.
    async fn find_http_api(&self, api: &HttpApiSpec) -> anyhow::Result<Option<String>> {
        let mut token = None;
        loop {
            let page = self
                .aws
                .apigatewayv2
                .get_apis()
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| explain("listing HTTP APIs", &error))?;
            for item in page.items() {
                if item.name() == Some(api.name.as_str()) && self.ours(item.tags()) {
                    return Ok(item.api_id().map(str::to_owned));
                }
            }
            match page.next_token() {
                Some(next) if !page.items().is_empty() => token = Some(next.to_owned()),
                _ => return Ok(None),
            }
        }
    }

    /// Brings an HTTP API to `api`: its integration with the API handler, its routes (those
    /// the app no longer has deleted, new ones created), its CORS configuration (unless it
    /// was just created with it) and its self-deploying stage.
    async fn sync_http_api(
        &mut self,
        id: &str,
        api: &HttpApiSpec,
        created: bool,
    ) -> anyhow::Result<()> {
        let client = &self.aws.apigatewayv2;
        let doing = format!("updating HTTP API {id}");
        let handler = self
            .state
            .function(API_HANDLER_KEY)
            .map(|record| record.lambda_arn.clone())
            .context("the API handler is not deployed before its HTTP API")?;
        let mut record = self
            .state
            .http_api(&api.key)
            .cloned()
            .context("the HTTP API is recorded before it is brought up to date")?;

        // One integration, the API handler's, found again rather than duplicated.
        if record.integration_id.is_empty() {
            let existing = client
                .get_integrations()
                .api_id(id)
                .send()
                .await
                .map_err(|error| explain(&doing, &error))?;
            let found = existing
                .items()
                .iter()
                .find(|integration| integration.integration_uri() == Some(handler.as_str()))
                .and_then(|integration| integration.integration_id().map(str::to_owned));
            record.integration_id = match found {
                Some(found) => found,
                None => client
                    .create_integration()
                    .api_id(id)
                    .integration_type(aws_sdk_apigatewayv2::types::IntegrationType::AwsProxy)
                    .integration_uri(&handler)
                    .payload_format_version("2.0")
                    .send()
                    .await
                    .map_err(|error| explain(&doing, &error))?
                    .integration_id()
                    .context("CreateIntegration answered without an id")?
                    .to_owned(),
            };
            self.state.put(Record::HttpApi(record.clone()));
            self.state.save(self.project_dir, self.stage)?;
        }

        // Routes: what is there, by key.
        let mut existing = Vec::new();
        let mut token = None;
        loop {
            let page = client
                .get_routes()
                .api_id(id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| explain(&doing, &error))?;
            for route in page.items() {
                existing.push((
                    route.route_key().unwrap_or_default().to_owned(),
                    route.route_id().unwrap_or_default().to_owned(),
                ));
            }
            match page.next_token() {
                Some(next) if !page.items().is_empty() => token = Some(next.to_owned()),
                _ => break,
            }
        }
        for (key, route_id) in &existing {
            if !api.routes.contains(key) {
                let result = client
                    .delete_route()
                    .api_id(id)
                    .route_id(route_id)
                    .send()
                    .await;
                tolerate_missing(result, &doing)?;
            }
        }
        let target = format!("integrations/{}", record.integration_id);
        for key in &api.routes {
            if !existing.iter().any(|(existing, _)| existing == key) {
                client
                    .create_route()
                    .api_id(id)
                    .route_key(key)
                    .target(&target)
                    .send()
                    .await
                    .map_err(|error| explain(&format!("{doing}: route {key}"), &error))?;
            }
        }

        if !created {
            match &api.cors {
                Some(cors) => {
                    client
                        .update_api()
                        .api_id(id)
                        .cors_configuration(http_cors(cors))
                        .send()
                        .await
                        .map_err(|error| explain(&doing, &error))?;
                }
                None => {
                    let result = client.delete_cors_configuration().api_id(id).send().await;
                    tolerate_missing(result, &doing)?;
                }
            }
        }

        // The stage deploys every change by itself (apigatewayv2's CreateDeployment is for
        // stages without auto-deploy).
        let stage = client
            .get_stage()
            .api_id(id)
            .stage_name(&api.stage)
            .send()
            .await;
        if let Err(error) = stage {
            let failure = Failure::of(&error);
            if !failure.is_not_found() {
                return Err(failure.explain(&doing));
            }
            self.output
                .status("Deploying", format!("HTTP API to stage {}", api.stage));
            client
                .create_stage()
                .api_id(id)
                .stage_name(&api.stage)
                .auto_deploy(true)
                .send()
                .await
                .map_err(|error| explain(&doing, &error))?;
        }
        record.api_url = rest_api_url(id, &self.aws.region, &api.stage);
        record.api_hash = api.api_hash();
        self.state.put(Record::HttpApi(record));
        Ok(())
    }

    async fn deploy_rest_api(&mut self, key: &str, stage: &str) -> anyhow::Result<()> {
        let id = self.rest_api_id(key)?;
        self.output
            .status("Deploying", format!("API to stage {stage}"));
        self.aws
            .apigateway
            .create_deployment()
            .rest_api_id(&id)
            .stage_name(stage)
            .send()
            .await
            .map_err(|error| {
                explain(&format!("deploying REST API {id} to stage {stage}"), &error)
            })?;
        if let Some(mut record) = self.state.rest_api(key).cloned() {
            record.stage = stage.to_owned();
            record.rest_api_url = rest_api_url(&id, &self.aws.region, stage);
            self.state.put(Record::RestApi(record));
        }
        Ok(())
    }
}

/// Whether a function's resource policy (JSON text) lets API Gateway invoke it from
/// `source_arn`.
fn grants_invoke(policy: &str, source_arn: &str) -> bool {
    grants(policy, "apigateway.amazonaws.com", source_arn)
}

/// Whether a function's resource policy (JSON text) lets the service `principal` invoke it
/// from `source_arn`.
pub(crate) fn grants(policy: &str, principal: &str, source_arn: &str) -> bool {
    let Ok(policy) = serde_json::from_str::<Value>(policy) else {
        return false;
    };
    policy["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|statement| {
            let named = &statement["Principal"];
            let service = named["Service"].as_str().or(named.as_str());
            let source = &statement["Condition"]["ArnLike"]["AWS:SourceArn"];
            service == Some(principal)
                && (source.as_str() == Some(source_arn)
                    || source
                        .as_array()
                        .is_some_and(|arns| arns.iter().any(|arn| arn == source_arn)))
        })
}

/// A JSON patch operation of API Gateway.
fn patch(op: Op, path: &str, value: Option<&str>) -> PatchOperation {
    PatchOperation::builder()
        .op(op)
        .path(path)
        .set_value(value.map(str::to_owned))
        .build()
}

fn http_cors(cors: &super::graph::HttpCors) -> aws_sdk_apigatewayv2::types::Cors {
    aws_sdk_apigatewayv2::types::Cors::builder()
        .set_allow_origins(Some(cors.allow_origins.clone()))
        .set_allow_headers(Some(cors.allow_headers.clone()))
        .set_allow_methods(Some(cors.allow_methods.clone()))
        .set_expose_headers(Some(cors.expose_headers.clone()))
        .set_max_age(cors.max_age.map(to_i32))
        .allow_credentials(cors.allow_credentials)
        .build()
}

fn endpoint_configuration(api: &RestApiSpec) -> EndpointConfiguration {
    EndpointConfiguration::builder()
        .types(EndpointType::from(api.endpoint_type.as_str()))
        .set_vpc_endpoint_ids(
            (!api.vpc_endpoint_ids.is_empty()).then(|| api.vpc_endpoint_ids.clone()),
        )
        .build()
}

fn environment(function: &FunctionSpec) -> Environment {
    Environment::builder()
        .set_variables(Some(function.environment.clone().into_iter().collect()))
        .build()
}

fn vpc_config(function: &FunctionSpec) -> Option<VpcConfig> {
    (!function.subnet_ids.is_empty()).then(|| {
        VpcConfig::builder()
            .set_subnet_ids(Some(function.subnet_ids.clone()))
            .set_security_group_ids(Some(function.security_group_ids.clone()))
            .build()
    })
}

fn tracing(function: &FunctionSpec) -> TracingConfig {
    TracingConfig::builder()
        .mode(if function.xray {
            TracingMode::Active
        } else {
            TracingMode::PassThrough
        })
        .build()
}

/// The configuration's numbers are validated far below `i32::MAX`.
fn to_i32(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// A delete that finds nothing to delete succeeded.
pub(crate) fn tolerate_missing<T, E, R>(
    result: Result<T, aws_sdk_lambda::error::SdkError<E, R>>,
    doing: &str,
) -> anyhow::Result<()>
where
    E: aws_sdk_lambda::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match result {
        Ok(_) => Ok(()),
        Err(error) => {
            let failure = Failure::of(&error);
            if failure.is_not_found() {
                Ok(())
            } else {
                Err(failure.explain(doing))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoke_permissions_are_found_in_the_policy() {
        let source = "arn:aws:execute-api:us-east-1:123456789012:abc/*";
        let policy = |principal: &str, arn: &str| {
            serde_json::json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "x", "Effect": "Allow", "Principal": {"Service": principal},
                "Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:...",
                "Condition": {"ArnLike": {"AWS:SourceArn": arn}}}]})
            .to_string()
        };
        let cases = [
            (policy("apigateway.amazonaws.com", source), true),
            (
                policy(
                    "apigateway.amazonaws.com",
                    "arn:aws:execute-api:us-east-1:123456789012:other/*",
                ),
                false,
            ),
            (policy("events.amazonaws.com", source), false),
            ("not json".to_owned(), false),
        ];
        for (text, expected) in cases {
            assert_eq!(grants_invoke(&text, source), expected, "{text}");
        }
    }

    #[test]
    fn urls_are_chalices() {
        let cases = [
            (
                "us-east-1",
                "https://abc.execute-api.us-east-1.amazonaws.com/api/",
            ),
            (
                "cn-north-1",
                "https://abc.execute-api.cn-north-1.amazonaws.com.cn/api/",
            ),
        ];
        for (region, url) in cases {
            assert_eq!(rest_api_url("abc", region, "api"), url);
        }
    }
}
