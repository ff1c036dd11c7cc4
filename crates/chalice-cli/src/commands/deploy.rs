//! `chalice deploy [--stage S] [--profile P] [--dry-run] [--json]`: the app on AWS.
//!
//! In order, so that mistakes surface before the long release build and before any AWS
//! call: the stage's configuration and the policy files are read; a debug build tells the
//! app's manifest, validated with the stage; the API document is generated; the release
//! build for the stage's architecture becomes `.chalice/deployments/<stage>.zip`; then the
//! deployer (`crate::deploy`): graph → refresh → plan → execute, each step recorded in
//! `.chalice/deployed/<stage>.json`.

use anyhow::Context;
use serde::Serialize;
use serde_json::Value;

use crate::bundle::write_bootstrap_zip;
use crate::cargo::Profile;
use crate::commands::package::ensure_target;
use crate::config::StageConfig;
use crate::deploy::aws::Aws;
use crate::deploy::execute::Executor;
use crate::deploy::graph::{Code, Graph, Inputs};
use crate::deploy::plan::plan;
use crate::deploy::refresh::refresh;
use crate::deploy::runtime;
use crate::deploy::state::DeployedState;
use crate::deploy::websocket;
use crate::error::UsageError;
use crate::output::Output;
use crate::project::Project;
use crate::templates::functions::api_functions;
use crate::templates::openapi::{Target, openapi};
use crate::templates::policy::{api_policy, role_policy, stage_policy_file};
use crate::validate::validate;

/// Where the deployment package of a stage is written (ignored by git, as in Chalice).
pub const DEPLOYMENTS_DIR: &str = ".chalice/deployments";

/// What to deploy, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployOptions {
    /// The stage to deploy.
    pub stage: String,
    /// The AWS profile (default: the standard chain).
    pub profile: Option<String>,
    /// Plan only: change nothing.
    pub dry_run: bool,
}

/// What a deploy did (or, with `--dry-run`, would do): `--json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeployReport {
    /// The app.
    pub app_name: String,
    /// The stage.
    pub stage: String,
    /// Whether nothing was (or would be) changed.
    pub up_to_date: bool,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// The API's URL, once deployed.
    pub url: Option<String>,
    /// The WebSocket API's `wss://` URL, once deployed.
    pub websocket_url: Option<String>,
    /// The plan's steps for people, one line each.
    #[serde(skip)]
    pub plan: String,
    /// The plan's steps, with their parameters.
    pub steps: Value,
    /// Every AWS call made, as `Service.Operation`.
    pub calls: Vec<String>,
    /// How many of them changed something.
    pub changing_calls: usize,
    /// The state file's records after the deploy.
    pub resources: Value,
}

/// Builds the app (debug for its manifest, release for Lambda) and deploys the stage, or
/// with `dry_run` plans it and changes nothing.
pub fn deploy(
    project: &Project,
    options: &DeployOptions,
    output: Output,
) -> anyhow::Result<DeployReport> {
    let stage = project.config.stage(&options.stage)?;
    let file_policy = stage_policy_file(&project.dir, &stage)?;
    let api_policy = api_policy(&project.dir, &stage)?;
    let binary = project.build(Profile::Debug, None, output)?;
    let manifest = project.manifest(&binary, output)?;
    validate(&manifest, &stage)?;
    let functions = api_functions(&stage, &manifest)?;
    let document = openapi(&manifest, api_policy.as_ref(), Target::Templated)?;

    let target = stage.lambda_architecture.rust_target();
    ensure_target(target, &project.dir, output)?;
    let bootstrap = project.build(Profile::Release, Some(target), output)?;
    let deployments = project.dir.join(DEPLOYMENTS_DIR);
    std::fs::create_dir_all(&deployments)
        .with_context(|| format!("cannot create {}", deployments.display()))?;
    let zip_path = deployments.join(format!("{}.zip", stage.stage));
    write_bootstrap_zip(&bootstrap, &zip_path)?;
    let zip =
        std::fs::read(&zip_path).with_context(|| format!("cannot read {}", zip_path.display()))?;

    let inputs = Inputs {
        manifest: &manifest,
        stage: &stage,
        functions: &functions,
        code: Code::of(&zip),
        api_document: document,
        // The role's policy is the one `chalice package` writes, event sources included;
        // it may manage the WebSocket API's connections (their ARN filled in once the API
        // exists).
        policy: role_policy(
            file_policy,
            &stage,
            &manifest,
            &functions,
            &Value::String(websocket::CONNECTIONS_PLACEHOLDER.to_owned()),
        ),
    };
    let graph = Graph::build(&inputs)?;
    execute(project, &stage, &graph, &zip, options, output)
}

fn execute(
    project: &Project,
    stage: &StageConfig,
    graph: &Graph,
    zip: &[u8],
    options: &DeployOptions,
    output: Output,
) -> anyhow::Result<DeployReport> {
    runtime()?.block_on(async {
        let aws = Aws::load(options.profile.as_deref()).await?;
        let recorded = DeployedState::load(&project.dir, &stage.stage)?.unwrap_or_default();
        let state = if recorded.resources.is_empty() {
            recorded
        } else {
            output.status("Checking", format!("what stage {} has on AWS", stage.stage));
            refresh(&aws, &recorded).await?
        };
        let plan = plan(graph, &state);
        let mut report = DeployReport {
            app_name: stage.app_name.clone(),
            stage: stage.stage.clone(),
            up_to_date: plan.is_empty(),
            dry_run: options.dry_run,
            url: state.api_url().map(str::to_owned),
            websocket_url: state.websocket_url().map(str::to_owned),
            plan: plan.to_string(),
            steps: serde_json::to_value(&plan.steps).expect("steps serialize"),
            calls: Vec::new(),
            changing_calls: 0,
            resources: Value::Null,
        };
        if options.dry_run {
            let calls = aws.calls();
            report.changing_calls = calls.changing();
            report.calls = calls.names;
            report.resources = serde_json::to_value(&state.resources).expect("records serialize");
            return Ok(report);
        }
        let mut executor = Executor {
            aws: &aws,
            project_dir: &project.dir,
            app_name: &stage.app_name,
            stage: &stage.stage,
            zip,
            state,
            output,
        };
        let result = executor.run(&plan).await;
        let calls = aws.calls();
        if let Err(error) = result {
            output.note(format!(
                "The deploy stopped; what it did is recorded in {}: run `chalice deploy` again \
                 to resume, or `chalice delete` to remove it ({calls}).",
                DeployedState::path(&project.dir, &stage.stage).display()
            ));
            return Err(error);
        }
        output.status(
            if plan.is_empty() {
                "Up to date"
            } else {
                "Deployed"
            },
            format!("{} stage {} ({calls})", stage.app_name, stage.stage),
        );
        report.url = executor.state.api_url().map(str::to_owned);
        report.websocket_url = executor.state.websocket_url().map(str::to_owned);
        report.changing_calls = calls.changing();
        report.calls = calls.names;
        report.resources =
            serde_json::to_value(&executor.state.resources).expect("records serialize");
        Ok(report)
    })
}

/// What to delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteOptions {
    /// The stage to delete.
    pub stage: String,
    /// The AWS profile (default: the standard chain).
    pub profile: Option<String>,
}

/// What a delete did: `--json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeleteReport {
    /// The app.
    pub app_name: String,
    /// The stage.
    pub stage: String,
    /// The steps, with their parameters.
    pub steps: Value,
    /// Every AWS call made, as `Service.Operation`.
    pub calls: Vec<String>,
}

/// `chalice delete`: everything the stage's state file lists, dependents first, then the
/// file. Resources already gone are fine.
pub fn delete(
    project: &Project,
    options: &DeleteOptions,
    output: Output,
) -> anyhow::Result<DeleteReport> {
    let stage_name = &options.stage;
    let app_name = project.config.app_name().to_owned();
    let Some(state) = DeployedState::load(&project.dir, stage_name)? else {
        output.status(
            "Nothing",
            format!(
                "to delete: {} does not exist",
                DeployedState::path(&project.dir, stage_name).display()
            ),
        );
        return Ok(DeleteReport {
            app_name,
            stage: stage_name.clone(),
            steps: Value::Array(Vec::new()),
            calls: Vec::new(),
        });
    };
    runtime()?.block_on(async {
        let aws = Aws::load(options.profile.as_deref()).await?;
        crate::deploy::refresh::check_region(&aws, &state)?;
        let plan = crate::deploy::plan::deletion(&app_name, stage_name, &state);
        let mut executor = Executor {
            aws: &aws,
            project_dir: &project.dir,
            app_name: &app_name,
            stage: stage_name,
            zip: &[],
            state,
            output,
        };
        executor.run(&plan).await?;
        DeployedState::remove(&project.dir, stage_name)?;
        let calls = aws.calls();
        output.status(
            "Deleted",
            format!("{app_name} stage {stage_name} ({calls})"),
        );
        Ok(DeleteReport {
            app_name: app_name.clone(),
            stage: stage_name.clone(),
            steps: serde_json::to_value(&plan.steps).expect("steps serialize"),
            calls: calls.names,
        })
    })
}

/// The error of `url`, `logs` and `invoke` when the stage has no state file.
pub(crate) fn not_deployed(project: &Project, stage: &str) -> UsageError {
    UsageError(format!(
        "stage {stage} is not deployed ({} does not exist): deploy it with `chalice deploy \
         --stage {stage}`",
        DeployedState::path(&project.dir, stage).display()
    ))
}
