//! `chalice package --merge-template`: the user's template merged into the generated one,
//! as Chalice's `TemplateDeepMerger` does it.
//!
//! Objects merge key by key, recursively; anywhere else the user's value wins, whole: a
//! list replaces the generated list rather than being appended to, and `null` stays `null`
//! (it does not delete). So a user adds resources and outputs, adds or overrides single
//! properties of generated resources, and replaces lists such as `Layers` outright.

use std::path::Path;

use serde_json::Value;

use crate::error::UsageError;

/// Merges `user` (the template the user gave) into `template` (the generated one).
///
/// The user's template must be an object, as any CloudFormation template is; Chalice would
/// replace the whole template with anything else, which is never what was meant.
pub fn merge(template: &mut Value, user: Value) -> Result<(), UsageError> {
    if !user.is_object() {
        return Err(UsageError(format!(
            "the template to merge must be an object (a CloudFormation template), not {}",
            kind(&user)
        )));
    }
    deep_merge(template, user);
    Ok(())
}

/// Reads the template to merge: JSON when the file is named `*.json`, else YAML (which
/// reads JSON too), CloudFormation's short tags (`!Ref`, `!GetAtt`, ...) expanded.
pub fn read_template(path: &Path) -> Result<Value, UsageError> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        UsageError(format!(
            "--merge-template {}: cannot be read: {error}",
            path.display()
        ))
    })?;
    let is_json = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
    let parsed = if is_json {
        serde_json::from_str(&text).map_err(|error| format!("is not valid JSON: {error}"))
    } else {
        crate::templates::yaml::from_yaml(&text)
            .map_err(|error| format!("is not valid YAML: {error}"))
    };
    parsed.map_err(|problem| UsageError(format!("--merge-template {}: {problem}", path.display())))
}

fn deep_merge(generated: &mut Value, user: Value) {
    match (generated, user) {
        (Value::Object(generated), Value::Object(user)) => {
            for (key, value) in user {
                match generated.get_mut(&key) {
                    Some(existing) => deep_merge(existing, value),
                    None => {
                        generated.insert(key, value);
                    }
                }
            }
        }
        (generated, user) => *generated = user,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null (an empty file?)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merging_follows_chalices_deep_merger() {
        let cases = [
            // New keys are added; generated ones kept.
            (json!({"a": 1}), json!({"b": 2}), json!({"a": 1, "b": 2})),
            // Objects merge recursively; the user's scalar wins.
            (
                json!({"R": {"Type": "T", "Properties": {"M": 128, "T": 60}}}),
                json!({"R": {"Properties": {"M": 512}}}),
                json!({"R": {"Type": "T", "Properties": {"M": 512, "T": 60}}}),
            ),
            // Lists are replaced, not appended to.
            (json!({"L": [1, 2]}), json!({"L": [3]}), json!({"L": [3]})),
            // A value of another type replaces, either way round.
            (json!({"a": {"b": 1}}), json!({"a": "x"}), json!({"a": "x"})),
            (
                json!({"a": "x"}),
                json!({"a": {"b": 1}}),
                json!({"a": {"b": 1}}),
            ),
            // null is a value like any other (Chalice does not delete keys).
            (json!({"a": 1}), json!({"a": null}), json!({"a": null})),
            // Key order: generated keys first, in their order; then the user's new ones.
            (
                json!({"z": 1, "a": 2}),
                json!({"m": 3, "z": 4}),
                json!({"z": 4, "a": 2, "m": 3}),
            ),
        ];
        for (generated, user, expected) in cases {
            let mut merged = generated.clone();
            merge(&mut merged, user.clone()).expect("objects merge");
            assert_eq!(merged, expected, "{generated} + {user}");
            assert_eq!(
                serde_json::to_string(&merged).ok(),
                serde_json::to_string(&expected).ok(),
                "key order of {generated} + {user}"
            );
        }
    }

    #[test]
    fn a_template_that_is_not_an_object_is_refused() {
        for user in [json!(null), json!([]), json!("x")] {
            let mut template = json!({"Resources": {}});
            let error = merge(&mut template, user.clone()).expect_err("refused");
            assert!(error.0.contains("must be an object"), "{user}: {}", error.0);
            assert_eq!(template, json!({"Resources": {}}), "left unchanged");
        }
    }
}
