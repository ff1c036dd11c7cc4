//! Keys the file has that chalice for Rust does not act on: a typo (with a did-you-mean), a
//! Chalice key not supported yet, a Python-only key, or a key at a level where it means
//! nothing. Chalice ignores unknown keys silently; a typo like `lambda_timout` then deploys
//! with the default timeout. These are warnings, not errors: the file stays Chalice's.

use std::fmt;

use crate::levels::{ConfigFile, FunctionLevel, FunctionSettings, StageLevel, StageSettings, key};

/// A key the CLI does not act on, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    /// The dotted key.
    pub key: String,
    /// Why it is not acted on, and what to do.
    pub message: String,
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// The top level's own keys.
const TOP_LEVEL_KEYS: [&str; 3] = ["app_name", "version", "stages"];

/// Chalice's keys that this CLI reads but does not act on yet, and what happens instead.
const NOT_SUPPORTED_YET: [(&str, &str); 2] = [
    (
        "api_gateway_custom_domain",
        "not supported by chalice deploy yet: chalice package writes the domain and its base \
         path mapping (SAM and Terraform); after chalice deploy, map a domain to the API's \
         stage yourself",
    ),
    (
        "websocket_api_custom_domain",
        "not supported by chalice deploy yet: chalice package writes the domain and its API \
         mapping (SAM and Terraform); after chalice deploy, map a domain to the API's stage \
         yourself",
    ),
];

/// Chalice's keys that have no meaning for a Rust app.
const PYTHON_ONLY: [(&str, &str); 1] = [(
    "automatic_layer",
    "has no effect: it puts an app's Python dependencies in a Lambda layer, and a Rust app is \
     one binary",
)];

/// Every warning about the file's keys, in the file's order.
pub(crate) fn warnings(file: &ConfigFile) -> Vec<ConfigWarning> {
    let mut warnings = Vec::new();
    level_warnings(&file.top, "", true, &mut warnings);
    for (name, stage) in file.stages.get().into_iter().flatten() {
        if let Some(stage) = stage.get() {
            level_warnings(stage, &key("stages", name), false, &mut warnings);
        }
    }
    warnings
}

fn level_warnings(level: &StageLevel, prefix: &str, top: bool, out: &mut Vec<ConfigWarning>) {
    for name in level.stage.present() {
        if let Some(message) = known_but_inert(name) {
            out.push(warning(prefix, name, message));
        }
    }
    if level.function.autogen_policy.get() == Some(&true) {
        out.push(warning(prefix, "autogen_policy", AUTOGEN_POLICY.to_owned()));
    }
    let mut known: Vec<&str> = StageSettings::KEYS
        .iter()
        .chain(FunctionSettings::KEYS)
        .copied()
        .chain(["lambda_functions"])
        .collect();
    if top {
        known.extend(TOP_LEVEL_KEYS);
    }
    for name in level.other_keys.keys() {
        let message = if !top && TOP_LEVEL_KEYS.contains(&name.as_str()) {
            "belongs at the top level of the file, not in a stage; ignored here".to_owned()
        } else {
            unknown(name, &known)
        };
        out.push(warning(prefix, name, message));
    }
    for (function, settings) in level.lambda_functions.get().into_iter().flatten() {
        if let Some(settings) = settings.get() {
            let at = key(&key(prefix, "lambda_functions"), function);
            function_warnings(settings, &at, out);
        }
    }
}

fn function_warnings(level: &FunctionLevel, prefix: &str, out: &mut Vec<ConfigWarning>) {
    if level.settings.autogen_policy.get() == Some(&true) {
        out.push(warning(prefix, "autogen_policy", AUTOGEN_POLICY.to_owned()));
    }
    for name in level.other_keys.keys() {
        let message = if StageSettings::KEYS.contains(&name.as_str()) {
            "applies to the stage as a whole, not to one function: move it to the stage or \
             the top level; ignored here"
                .to_owned()
        } else {
            unknown(name, FunctionSettings::KEYS)
        };
        out.push(warning(prefix, name, message));
    }
}

const AUTOGEN_POLICY: &str = "true has no effect: the CLI can't read the AWS calls of a \
    compiled binary to write a policy; the role gets chalice's default policy (logs, plus X-Ray \
    and VPC when used) unless iam_policy_file names one (or autogen_policy is false, which \
    uses .chalice/policy-<stage>.json, as Chalice does)";

fn known_but_inert(name: &str) -> Option<String> {
    NOT_SUPPORTED_YET
        .iter()
        .chain(&PYTHON_ONLY)
        .find(|(key, _)| *key == name)
        .map(|(_, message)| (*message).to_owned())
}

fn unknown(name: &str, known: &[&str]) -> String {
    match did_you_mean(name, known) {
        Some(suggestion) => format!("unknown key, ignored; did you mean {suggestion:?}?"),
        None => "unknown key, ignored".to_owned(),
    }
}

/// The known key `name` was most likely meant to be: within two edits (a typo), or the one
/// key that contains it (`memory_size` for `lambda_memory_size`).
fn did_you_mean<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    let nearest = known
        .iter()
        .map(|key| (strsim::damerau_levenshtein(name, key), *key))
        .min();
    if let Some((distance, key)) = nearest
        && distance <= 2.min(name.len() / 3).max(1)
    {
        return Some(key);
    }
    let containing: Vec<&str> = known
        .iter()
        .copied()
        .filter(|key| name.len() >= 4 && key.contains(name))
        .collect();
    match containing.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

fn warning(prefix: &str, name: &str, message: String) -> ConfigWarning {
    ConfigWarning {
        key: key(prefix, name),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_fix_typos_only() {
        let known = FunctionSettings::KEYS
            .iter()
            .chain(StageSettings::KEYS)
            .copied()
            .collect::<Vec<_>>();
        let cases = [
            ("lambda_timout", Some("lambda_timeout")),
            ("lamda_memory_size", Some("lambda_memory_size")),
            ("enviroment_variables", Some("environment_variables")),
            ("xrya", Some("xray")),
            ("memory_size", Some("lambda_memory_size")),
            ("subnets", None),
            ("tag", Some("tags")),
            ("profile", None),
            ("x", None),
        ];
        for (name, expected) in cases {
            assert_eq!(did_you_mean(name, &known), expected, "{name}");
        }
    }
}
