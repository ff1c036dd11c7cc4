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

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use serde::Serialize;
use serde_json::Value;

use crate::bundle::write_bootstrap_zip;
use crate::cargo::Profile;
use crate::config::{FunctionConfig, StageConfig};
use crate::output::{Output, size};
use crate::project::Project;
use crate::templates::functions::builtin_authorizers;
use crate::templates::merge::{merge, read_template};
use crate::templates::policy::{Policies, api_policy, app_policy, stage_policy_file};
use crate::templates::sam::sam_template;
use crate::templates::terraform::terraform;
use crate::templates::yaml::to_yaml;
use crate::validate::validate;

/// The deployment package's file name, as the templates refer to it.
pub const ZIP_NAME: &str = "deployment.zip";

/// What to package, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageOptions {
    /// The directory to write the deployment package and the template to.
    pub out: PathBuf,
    /// The stage whose configuration to package.
    pub stage: String,
    /// The kind of template, with its own options.
    pub format: PackageFormat,
}

/// The kinds of template `package` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageFormat {
    /// A SAM template for CloudFormation (`sam.json` / `sam.yaml`).
    Cloudformation {
        /// JSON or YAML.
        template_format: TemplateFormat,
        /// A template to merge over the generated one.
        merge_template: Option<PathBuf>,
    },
    /// A Terraform configuration (`chalice.tf.json`).
    Terraform,
}

/// The SAM template's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateFormat {
    /// `sam.json`.
    Json,
    /// `sam.yaml`.
    Yaml,
}

/// What `package` wrote: the summary people read on stderr, and `--json` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageReport {
    /// The stage packaged.
    pub stage: String,
    /// `cloudformation` or `terraform`.
    pub pkg_format: &'static str,
    /// The deployment package (`OUT/deployment.zip`).
    pub deployment_package: PathBuf,
    /// Its size in bytes.
    pub deployment_package_bytes: u64,
    /// The template (`OUT/sam.json`, `OUT/sam.yaml` or `OUT/chalice.tf.json`).
    pub template: PathBuf,
    /// The Lambda functions it deploys.
    pub functions: Vec<String>,
    /// How many (path, method) routes the REST API has (none: no REST API).
    pub routes: usize,
    /// How many routes the WebSocket API has (none: no WebSocket API).
    pub websocket_routes: usize,
    /// API Gateway's stage.
    pub api_gateway_stage: String,
    /// Lambda's architecture of the functions.
    pub lambda_architecture: &'static str,
    /// The Rust target the bootstrap was built for.
    pub rust_target: &'static str,
}

/// Builds and writes the package described by `options`.
pub fn package(
    project: &Project,
    options: &PackageOptions,
    output: Output,
) -> anyhow::Result<PackageReport> {
    let stage = project.config.stage(&options.stage)?;
    let handler = stage.api_handler();
    let role_policy = stage_policy_file(&project.dir, &stage)?;
    let api_policy = api_policy(&project.dir, &stage)?;
    let user_template = match &options.format {
        PackageFormat::Cloudformation {
            merge_template: Some(path),
            ..
        } => Some(read_template(path)?),
        _ => None,
    };

    let binary = project.build(Profile::Debug, None, output)?;
    let manifest = project.manifest(&binary, output)?;
    validate(&manifest, &stage)?;
    let functions: Vec<FunctionConfig> = std::iter::once(handler)
        .chain(
            builtin_authorizers(&manifest)?
                .iter()
                .map(|authorizer| stage.function(authorizer.name)),
        )
        .chain(
            manifest
                .functions
                .iter()
                .map(|function| stage.function(&function.name)),
        )
        .chain(
            manifest
                .websocket
                .iter()
                .flat_map(|api| &api.routes)
                .map(|route| stage.function(&route.handler)),
        )
        .collect();
    let policies = Policies {
        // Unused (but harmless) when the role is not managed.
        role: role_policy.unwrap_or_else(|| app_policy(&stage, &manifest, &functions)),
        api: api_policy,
    };

    let (file_name, text, what) = match &options.format {
        PackageFormat::Cloudformation {
            template_format, ..
        } => {
            let mut template =
                sam_template(&manifest, &stage, &format!("./{ZIP_NAME}"), &policies)?;
            if let Some(user) = user_template {
                merge(&mut template, user)?;
            }
            let (name, text) = match template_format {
                TemplateFormat::Json => ("sam.json", pretty_json(&template)),
                TemplateFormat::Yaml => ("sam.yaml", to_yaml(&template)),
            };
            (name, text, "SAM template")
        }
        PackageFormat::Terraform => {
            let config = terraform(&manifest, &stage, ZIP_NAME, &policies)?;
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

    std::fs::create_dir_all(&options.out)
        .with_context(|| format!("cannot create {}", options.out.display()))?;
    let zip_path = options.out.join(ZIP_NAME);
    output.status("Packaging", format!("{} as bootstrap", bootstrap.display()));
    let zip_size = write_bootstrap_zip(&bootstrap, &zip_path)?;
    let template_path = options.out.join(file_name);
    std::fs::write(&template_path, text)
        .with_context(|| format!("cannot write {}", template_path.display()))?;
    for stale in remove_stale_templates(&options.out, file_name)? {
        output.status(
            "Removed",
            format!("{} (an earlier chalice package's)", stale.display()),
        );
    }

    let report = PackageReport {
        stage: stage.stage.clone(),
        pkg_format: match options.format {
            PackageFormat::Cloudformation { .. } => "cloudformation",
            PackageFormat::Terraform => "terraform",
        },
        deployment_package: zip_path,
        deployment_package_bytes: zip_size,
        template: template_path,
        functions: functions
            .into_iter()
            .map(|f| f.name)
            // Without routes there is no REST API, and no API handler.
            .filter(|name| !manifest.routes.is_empty() || name != crate::config::API_HANDLER)
            .collect(),
        routes: manifest.routes.len(),
        websocket_routes: manifest
            .websocket
            .as_ref()
            .map_or(0, |api| api.routes.len()),
        api_gateway_stage: stage.api_gateway_stage.clone(),
        lambda_architecture: stage.lambda_architecture.as_str(),
        rust_target: target,
    };
    output.status(
        "Wrote",
        format!(
            "{} ({}: bootstrap for {} Lambda, {target})",
            report.deployment_package.display(),
            size(zip_size),
            report.lambda_architecture
        ),
    );
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let functions = report.functions.len();
    let mut parts = vec![format!("{functions} function{}", plural(functions))];
    if report.routes > 0 {
        parts.push(format!(
            "a REST API with {} route{}",
            report.routes,
            plural(report.routes)
        ));
    }
    if report.websocket_routes > 0 {
        parts.push(format!(
            "a WebSocket API with {} route{}",
            report.websocket_routes,
            plural(report.websocket_routes)
        ));
    }
    output.status(
        "Wrote",
        format!(
            "{} ({what}: {}, stage {:?})",
            report.template.display(),
            parts.join(", "),
            report.api_gateway_stage
        ),
    );
    output.note(next_steps(options, &report.template, &stage));
    Ok(report)
}

/// The templates `chalice package` writes, one per run: SAM's in JSON or YAML, Terraform's.
const TEMPLATE_NAMES: [&str; 3] = ["sam.json", "sam.yaml", "chalice.tf.json"];

/// Removes from `out` the templates an earlier run wrote in another format than `kept`'s,
/// which would otherwise lie beside the new one, out of date: only those file names, only
/// regular files (what else is in `out` is the user's). Returns the paths removed.
///
/// Chalice leaves them; here the directory holds one template, the one just written.
fn remove_stale_templates(out: &Path, kept: &str) -> anyhow::Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    for name in TEMPLATE_NAMES.into_iter().filter(|name| *name != kept) {
        let path = out.join(name);
        let is_file = std::fs::symlink_metadata(&path).is_ok_and(|meta| meta.file_type().is_file());
        if is_file {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove the stale {}", path.display()))?;
            removed.push(path);
        }
    }
    Ok(removed)
}

fn pretty_json(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// How to deploy what was written.
fn next_steps(options: &PackageOptions, template: &Path, stage: &StageConfig) -> String {
    let out = options.out.display();
    match options.format {
        PackageFormat::Cloudformation { .. } => format!(
            "Deploy with the AWS CLI (it uploads {ZIP_NAME} to your bucket):\n  \
             aws cloudformation package --template-file {} --s3-bucket BUCKET --output-template-file {out}/packaged.yaml\n  \
             aws cloudformation deploy --template-file {out}/packaged.yaml --stack-name {}-{} --capabilities CAPABILITY_IAM",
            template.display(),
            stage.app_name,
            stage.stage
        ),
        PackageFormat::Terraform => {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A regression test for `chalice package out --template-format yaml` after `chalice
    /// package out`, which left the old `out/sam.json` beside the new `sam.yaml`.
    #[test]
    fn only_our_stale_templates_are_removed() {
        // Each case: the files in `out` before, the template written, the files after.
        let cases: &[(&[&str], &str, &[&str])] = &[
            (&["sam.json"], "sam.yaml", &[]),
            (&["sam.yaml"], "sam.json", &[]),
            (&["sam.json", "chalice.tf.json"], "sam.yaml", &[]),
            (&["sam.json", "sam.yaml"], "chalice.tf.json", &[]),
            (&["sam.json"], "sam.json", &["sam.json"]),
            (
                &[
                    "sam.json",
                    "packaged.yaml",
                    "sam.yml",
                    "notes.txt",
                    "deployment.zip",
                ],
                "chalice.tf.json",
                &["deployment.zip", "notes.txt", "packaged.yaml", "sam.yml"],
            ),
            (&[], "sam.yaml", &[]),
        ];
        for (case, (before, kept, after)) in cases.iter().enumerate() {
            let out = std::env::temp_dir().join(format!(
                "chalice-package-stale-{}-{case}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&out);
            std::fs::create_dir_all(&out).expect("a scratch folder");
            for name in *before {
                std::fs::write(out.join(name), "{}").expect("write");
            }
            let removed = remove_stale_templates(&out, kept).expect("removed");
            let mut left: Vec<String> = std::fs::read_dir(&out)
                .expect("read")
                .map(|entry| {
                    entry
                        .expect("entry")
                        .file_name()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect();
            left.sort();
            assert_eq!(left, *after, "case {case}");
            let expected_removed: Vec<PathBuf> = TEMPLATE_NAMES
                .iter()
                .filter(|name| before.contains(name) && !after.contains(name))
                .map(|name| out.join(name))
                .collect();
            assert_eq!(removed, expected_removed, "case {case}");
            let _ = std::fs::remove_dir_all(&out);
        }
    }

    /// A directory (or anything not a regular file) of a template's name is not ours.
    #[test]
    fn a_directory_named_like_a_template_is_left() {
        let out = std::env::temp_dir().join(format!("chalice-package-dir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(out.join("sam.json")).expect("a scratch folder");
        assert_eq!(
            remove_stale_templates(&out, "sam.yaml").expect("ok"),
            Vec::<PathBuf>::new()
        );
        assert!(out.join("sam.json").is_dir());
        let _ = std::fs::remove_dir_all(&out);
    }
}
