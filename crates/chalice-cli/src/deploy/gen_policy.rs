//! `chalice gen-policy [--stage S]`: the inline policy a deploy puts on the functions' role
//! (the stage's `iam_policy_file`, else the default one), as JSON on stdout.

use super::command::print_json;
use crate::cli::GenPolicy;
use crate::package::role_policy;
use crate::project::Project;

pub(crate) fn gen_policy(project: &Project, args: &GenPolicy) -> anyhow::Result<()> {
    let stage = project.config.stage(&args.stage)?;
    print_json(&role_policy(project, &stage)?)
}
