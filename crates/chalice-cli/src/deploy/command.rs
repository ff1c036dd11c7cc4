//! `chalice deploy [--stage S] [--profile P] [--dry-run] [--json]` and `chalice delete`.
//!
//! Deploy, in order, so that mistakes surface before the long release build and before any
//! AWS call: the stage's configuration and the role's policy are read; a debug build tells
//! the app's manifest, validated with the stage; the API document is generated; the
//! release build for the stage's architecture becomes `.chalice/deployments/<stage>.zip`;
//! then graph → refresh → plan → execute, and the URL.

use std::io::Write;

use anyhow::Context;
use serde_json::json;

use super::aws::Aws;
use super::execute::Executor;
use super::graph::{Code, Graph, Inputs};
use super::openapi3;
use super::plan::{Plan, delete_step, plan};
use super::refresh::{check_region, refresh};
use super::state::DeployedState;
use crate::bundle::write_bootstrap_zip;
use crate::cli::{Delete, Deploy};
use crate::output::Output;
use crate::package::{ensure_target, role_policy};
use crate::policy::private_api_policy;
use crate::project::{Profile, Project};
use crate::swagger::{Target, swagger};
use crate::validate::validate;

/// Where the deployment package of a stage is written (ignored by git, as in Chalice).
const DEPLOYMENTS_DIR: &str = ".chalice/deployments";

/// A runtime for the SDK's futures: the CLI makes one call at a time.
pub(super) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub(crate) fn deploy(project: &Project, args: &Deploy, output: Output) -> anyhow::Result<()> {
    let stage = project.config.stage(&args.stage)?;
    let policy = role_policy(project, &stage)?;
    let binary = project.build(Profile::Debug, None, output)?;
    let manifest = project.manifest(&binary)?;
    validate(&manifest, &stage)?;
    let document = swagger(
        &manifest,
        private_api_policy(&stage).as_ref(),
        Target::Templated,
    )?;

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
        code: Code::of(&zip),
        api_document: openapi3::from_swagger2(&document),
        policy,
    };
    let graph = Graph::build(&inputs)?;

    runtime()?.block_on(async {
        let aws = Aws::load(args.profile.as_deref()).await?;
        let recorded = DeployedState::load(&project.dir, &stage.stage)?.unwrap_or_default();
        let state = if recorded.resources.is_empty() {
            recorded
        } else {
            output.status("Checking", format!("what stage {} has on AWS", stage.stage));
            refresh(&aws, &recorded).await?
        };
        let plan = plan(&graph, &state);
        if args.dry_run {
            print_plan(&plan, &aws, args.json)?;
            return Ok(());
        }
        let mut executor = Executor {
            aws: &aws,
            project_dir: &project.dir,
            app_name: &stage.app_name,
            stage: &stage.stage,
            zip: &zip,
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
        let url = executor.state.api_url().map(str::to_owned);
        output.status(
            if plan.is_empty() {
                "Up to date"
            } else {
                "Deployed"
            },
            format!("{} stage {} ({calls})", stage.app_name, stage.stage),
        );
        if args.json {
            print_json(&json!({
                "app_name": stage.app_name,
                "stage": stage.stage,
                "url": url,
                "up_to_date": plan.is_empty(),
                "steps": plan.steps,
                "calls": calls.names,
                "changing_calls": calls.changing(),
                "resources": executor.state.resources,
            }))
        } else {
            if let Some(url) = url {
                print_line(&format!("Rest API URL: {url}"))?;
            }
            Ok(())
        }
    })
}

/// `--dry-run`: the plan for people (stdout), or as JSON.
fn print_plan(plan: &Plan, aws: &Aws, as_json: bool) -> anyhow::Result<()> {
    let calls = aws.calls();
    if as_json {
        return print_json(&json!({
            "app_name": plan.app_name,
            "stage": plan.stage,
            "up_to_date": plan.is_empty(),
            "steps": plan.steps,
            "calls": calls.names,
        }));
    }
    let mut text = plan.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("(dry run: nothing changed; {calls})\n"));
    print_text(&text)
}

pub(crate) fn delete(project: &Project, args: &Delete, output: Output) -> anyhow::Result<()> {
    let stage_name = &args.stage;
    let Some(state) = DeployedState::load(&project.dir, stage_name)? else {
        output.status(
            "Nothing",
            format!(
                "to delete: {} does not exist",
                DeployedState::path(&project.dir, stage_name).display()
            ),
        );
        return Ok(());
    };
    let app_name = project.config.app_name()?;
    runtime()?.block_on(async {
        let aws = Aws::load(args.profile.as_deref()).await?;
        check_region(&aws, &state)?;
        // Dependents first: the state lists records in creation order.
        let plan = Plan {
            app_name: app_name.clone(),
            stage: stage_name.clone(),
            steps: state.resources.iter().rev().map(delete_step).collect(),
        };
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
        if args.json {
            print_json(&json!({
                "app_name": app_name,
                "stage": stage_name,
                "steps": plan.steps,
                "calls": calls.names,
            }))?;
        }
        Ok(())
    })
}

pub(super) fn print_json(value: &serde_json::Value) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value).expect("a JSON value serializes");
    text.push('\n');
    print_text(&text)
}

pub(super) fn print_line(line: &str) -> anyhow::Result<()> {
    print_text(&format!("{line}\n"))
}

pub(super) fn print_text(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to stdout")
}
