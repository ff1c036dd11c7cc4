//! `chalice package OUT`: a Lambda deployment package and the template that deploys it.
//!
//! In order, so that mistakes surface before the long release build:
//! 1. the stage's configuration, the role's policy file and the `--merge-template` are read;
//! 2. a debug build of the app tells its manifest (`app --manifest`), which is validated
//!    with the stage ([`crate::validate`]);
//! 3. the template is generated (SAM or Terraform) and merged;
//! 4. the rustup target of the stage's `lambda_architecture` is installed if missing, and a
//!    release build for it becomes `OUT/deployment.zip` (`bootstrap`, mode 0755);
//! 5. the template is written beside it, and a summary says what was written and how to
//!    deploy it.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use serde_json::Value;

use crate::UsageError;
use crate::bundle::write_bootstrap_zip;
use crate::cli::{Package, PkgFormat, TemplateFormat};
use crate::config::StageConfig;
use crate::functions::builtin_authorizers;
use crate::merge::{merge, read_template};
use crate::output::{Output, size};
use crate::policy::{default_policy, policy_file};
use crate::project::{Profile, Project};
use crate::sam::sam_template;
use crate::terraform::terraform;
use crate::validate::validate;
use crate::yaml::to_yaml;

/// The deployment package's file name, as the templates refer to it.
pub(crate) const ZIP_NAME: &str = "deployment.zip";

pub(crate) fn package(project: &Project, args: &Package, output: Output) -> anyhow::Result<()> {
    if args.pkg_format == PkgFormat::Terraform {
        if args.template_format == TemplateFormat::Yaml {
            return Err(UsageError(
                "--template-format yaml is for CloudFormation templates; Terraform's is always \
                 JSON (chalice.tf.json)"
                    .to_owned(),
            )
            .into());
        }
        if args.merge_template.is_some() {
            return Err(UsageError(
                "--merge-template is for CloudFormation templates; with Terraform, add your \
                 resources in another .tf file beside chalice.tf.json"
                    .to_owned(),
            )
            .into());
        }
    }
    let stage = project.config.stage(&args.stage)?;
    let policy = role_policy(project, &stage)?;
    let user_template = args
        .merge_template
        .as_deref()
        .map(read_template)
        .transpose()?;

    let binary = project.build(Profile::Debug, None, output)?;
    let manifest = project.manifest(&binary)?;
    validate(&manifest, &stage)?;

    let (file_name, text, what) = match args.pkg_format {
        PkgFormat::Cloudformation => {
            let mut template = sam_template(&manifest, &stage, &format!("./{ZIP_NAME}"), &policy)?;
            if let Some(user) = user_template {
                merge(&mut template, user)?;
            }
            let (name, text) = match args.template_format {
                TemplateFormat::Json => ("sam.json", pretty_json(&template)),
                TemplateFormat::Yaml => ("sam.yaml", to_yaml(&template)),
            };
            (name, text, "SAM template")
        }
        PkgFormat::Terraform => {
            let config = terraform(&manifest, &stage, ZIP_NAME, &policy)?;
            (
                "chalice.tf.json",
                pretty_json(&config),
                "Terraform configuration",
            )
        }
    };

    let target = stage.lambda_architecture.rust_target();
    ensure_target(target, &project.dir, output)?;
    let bootstrap = project.build(Profile::Release, Some(target), output)?;

    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let zip_path = args.out.join(ZIP_NAME);
    output.status("Packaging", format!("{} as bootstrap", bootstrap.display()));
    let zip_size = write_bootstrap_zip(&bootstrap, &zip_path)?;
    let template_path = args.out.join(file_name);
    std::fs::write(&template_path, text)
        .with_context(|| format!("cannot write {}", template_path.display()))?;

    let functions = 1 + builtin_authorizers(&manifest)?.len();
    output.status(
        "Wrote",
        format!(
            "{} ({}: bootstrap for {} Lambda, {target})",
            zip_path.display(),
            size(zip_size),
            stage.lambda_architecture.as_str()
        ),
    );
    output.status(
        "Wrote",
        format!(
            "{} ({what}: {functions} function{}, a REST API with {} route{}, stage {:?})",
            template_path.display(),
            if functions == 1 { "" } else { "s" },
            manifest.routes.len(),
            if manifest.routes.len() == 1 { "" } else { "s" },
            stage.api_gateway_stage
        ),
    );
    output.note(next_steps(args, &template_path, &stage));
    Ok(())
}

/// The managed role's policy: the stage's `iam_policy_file`, else the default one. Unused
/// (but harmless) when the role is not managed.
pub(crate) fn role_policy(project: &Project, stage: &StageConfig) -> Result<Value, UsageError> {
    match (&stage.iam_policy_file, stage.manage_iam_role) {
        (Some(file), true) => policy_file(&project.dir, file),
        _ => Ok(default_policy(stage)),
    }
}

fn pretty_json(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// How to deploy what was written.
fn next_steps(args: &Package, template: &Path, stage: &StageConfig) -> String {
    let out = args.out.display();
    match args.pkg_format {
        PkgFormat::Cloudformation => format!(
            "Deploy with the AWS CLI (it uploads {ZIP_NAME} to your bucket):\n  \
             aws cloudformation package --template-file {} --s3-bucket BUCKET --output-template-file {out}/packaged.yaml\n  \
             aws cloudformation deploy --template-file {out}/packaged.yaml --stack-name {}-{} --capabilities CAPABILITY_IAM",
            template.display(),
            stage.app_name,
            stage.stage
        ),
        PkgFormat::Terraform => {
            format!("Deploy with Terraform:\n  cd {out} && terraform init && terraform apply")
        }
    }
}

/// Installs the rustup target `target` when it is missing. Without rustup (a toolchain
/// from elsewhere), the build says whether the target is there.
pub(crate) fn ensure_target(target: &str, dir: &Path, output: Output) -> anyhow::Result<()> {
    let listed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .current_dir(dir)
        .stderr(Stdio::null())
        .output();
    let installed = match listed {
        Ok(run) if run.status.success() => run.stdout,
        _ => return Ok(()),
    };
    if String::from_utf8_lossy(&installed)
        .lines()
        .any(|line| line.trim() == target)
    {
        return Ok(());
    }
    output.status(
        "Installing",
        format!("the {target} target (rustup target add)"),
    );
    let status = Command::new("rustup")
        .args(["target", "add", target])
        .current_dir(dir)
        .status()
        .context("cannot run rustup")?;
    if !status.success() {
        bail!(
            "`rustup target add {target}` failed ({status}); Lambda needs a static {target} \
             binary: install the target and run chalice package again"
        );
    }
    Ok(())
}
