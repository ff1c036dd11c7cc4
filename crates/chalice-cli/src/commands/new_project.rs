//! `chalice new-project NAME`: a cargo project that builds and runs at once.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::error::UsageError;
use crate::output::Output;

/// The project to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProjectOptions {
    /// The project's name: the directory, the crate and the app are named after it.
    pub name: String,
    /// Depend on the chalice crate at this path instead of the checkout this CLI was built
    /// from.
    pub chalice_path: Option<PathBuf>,
    /// Depend on this published version of the chalice crate.
    pub chalice_version: Option<String>,
}

/// The `chalice` crate of the checkout this CLI was built from, when it still exists: our
/// crates are not on crates.io, so new projects depend on them by path.
fn checkout_crate() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()?
        .join("chalice");
    path.join("Cargo.toml").is_file().then_some(path)
}

/// Creates the project in `parent/NAME`.
pub fn new_project(parent: &Path, args: &NewProjectOptions, output: Output) -> anyhow::Result<()> {
    check_name(&args.name)?;
    let dir = parent.join(&args.name);
    if dir.exists() {
        return Err(UsageError(format!(
            "there is already a directory or file named {}",
            dir.display()
        ))
        .into());
    }
    let dependency = match (&args.chalice_path, &args.chalice_version) {
        (Some(path), _) => {
            let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            if !path.join("Cargo.toml").is_file() {
                return Err(UsageError(format!(
                    "--chalice-path {}: no Cargo.toml there",
                    path.display()
                ))
                .into());
            }
            format!("{{ path = {} }}", toml_string(&path.to_string_lossy()))
        }
        (None, Some(version)) => toml_string(version),
        (None, None) => match checkout_crate() {
            Some(path) => format!("{{ path = {} }}", toml_string(&path.to_string_lossy())),
            None => {
                return Err(UsageError(
                    "this chalice CLI was built outside its source checkout, so it cannot point the project at the \
                     chalice crate: pass --chalice-path PATH (the crates/chalice directory of a checkout) or \
                     --chalice-version VERSION"
                        .to_owned(),
                )
                .into());
            }
        },
    };
    let files = [
        ("Cargo.toml", cargo_toml(&args.name, &dependency)),
        ("src/main.rs", main_rs(&args.name)),
        (".chalice/config.json", config_json(&args.name)),
        (
            ".gitignore",
            "/target/\n/.chalice/deployments/\n".to_owned(),
        ),
    ];
    for (path, contents) in &files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, contents)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    output.status(
        "Created",
        format!("chalice project `{}` in {}", args.name, dir.display()),
    );
    output.status("Next", format!("cd {} && chalice local", args.name));
    Ok(())
}

/// A name that works as a directory, a crate and an app: letters, digits, `-` and `_`,
/// starting with a letter.
fn check_name(name: &str) -> Result<(), UsageError> {
    let mut chars = name.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !starts_well || !chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(UsageError(format!(
            "invalid project name {name:?}: use letters, digits, '-' and '_', starting with a letter"
        )));
    }
    Ok(())
}

fn cargo_toml(name: &str, chalice: &str) -> String {
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
chalice = {chalice}
serde_json = "1"

# Its own workspace, even when created inside another one.
[workspace]

# Lambda bills cold start and download size: `chalice package` builds with this.
[profile.release]
lto = "thin"
codegen-units = 1
strip = true
"#
    )
}

fn main_rs(name: &str) -> String {
    format!(
        r#"use chalice::{{Chalice, Json}};
use serde_json::{{Value, json}};

fn main() {{
    let mut app = Chalice::new("{name}");
    app.route("/", index);
    app.run();
}}

fn index() -> Json<Value> {{
    Json(json!({{"hello": "world"}}))
}}

// The following routes are examples of what a chalice app can do; see the README of
// chalice for Rust for routes with methods, captures, errors and CORS.
//
// use chalice::{{ChaliceError, Request, Route}};
//
// app.register(Route::new("/users/{{name}}", user).methods(["GET", "PUT"]));
//
// fn user(request: &Request) -> Result<Json<Value>, ChaliceError> {{
//     let name = request.uri_param("name").unwrap_or_default();
//     Ok(Json(json!({{"name": name}})))
// }}
"#
    )
}

/// What Chalice's `new-project` writes, key for key.
fn config_json(name: &str) -> String {
    let config = serde_json::json!({
        "version": "2.0",
        "app_name": name,
        "stages": {"dev": {"api_gateway_stage": "api"}},
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&config).expect("a JSON literal serializes")
    )
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for good in ["todo", "my-app", "App_2"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in ["", "2fast", "-x", "a b", "a/b", "café", "."] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn config_is_chalices() {
        let config: serde_json::Value = serde_json::from_str(&config_json("todo")).expect("json");
        assert_eq!(
            config,
            serde_json::json!({"version": "2.0", "app_name": "todo", "stages": {"dev": {"api_gateway_stage": "api"}}})
        );
        assert!(
            crate::config::Config::parse("x".into(), &config_json("todo"))
                .and_then(|c| c.stage("dev"))
                .is_ok()
        );
    }

    #[test]
    fn toml_strings_escape() {
        assert_eq!(toml_string(r#"C:\a "b""#), r#""C:\\a \"b\"""#);
    }

    #[test]
    fn the_checkout_is_found_from_a_workspace_build() {
        assert!(checkout_crate().is_some());
    }
}
