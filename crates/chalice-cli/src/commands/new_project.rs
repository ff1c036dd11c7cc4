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

/// The `chalice` crate of the checkout this CLI was built from, when it still exists (a CLI
/// installed with `cargo install --path crates/chalice-cli`).
fn checkout_crate() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()?
        .join("chalice");
    path.join("Cargo.toml").is_file().then_some(path)
}

/// Where the new project gets the `chalice` crate from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Dependency {
    /// A checkout's `crates/chalice`.
    Path(PathBuf),
    /// The repository, for a CLI built away from its checkout: the crates are not on
    /// crates.io yet, and a version requirement would not resolve.
    Git(&'static str),
    /// A published version.
    Version(String),
}

impl Dependency {
    /// The value of `chalice = ...` in Cargo.toml.
    fn toml(&self) -> String {
        match self {
            Dependency::Path(path) => {
                format!("{{ path = {} }}", toml_string(&path.to_string_lossy()))
            }
            Dependency::Git(url) => format!("{{ git = {} }}", toml_string(url)),
            Dependency::Version(version) => toml_string(version),
        }
    }

    fn describe(&self) -> String {
        match self {
            Dependency::Path(path) => format!("the checkout at {}", path.display()),
            Dependency::Git(url) => format!("its repository, {url}"),
            Dependency::Version(version) => format!("crates.io, version {version}"),
        }
    }
}

/// The default: this CLI's checkout, else the repository it was built from.
fn default_dependency() -> Dependency {
    match checkout_crate() {
        Some(path) => Dependency::Path(path),
        None => Dependency::Git(env!("CARGO_PKG_REPOSITORY")),
    }
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
                    "--chalice-path {}: no Cargo.toml there (give the crates/chalice directory \
                     of a checkout)",
                    path.display()
                ))
                .into());
            }
            Dependency::Path(path)
        }
        (None, Some(version)) => Dependency::Version(version.clone()),
        (None, None) => default_dependency(),
    };
    let library = args.name.replace('-', "_");
    let files = [
        ("Cargo.toml", cargo_toml(&args.name, &dependency)),
        ("src/lib.rs", lib_rs(&args.name)),
        ("src/main.rs", main_rs(&library)),
        (&format!("tests/{library}.rs"), test_rs(&library)),
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
    output.status(
        "Using",
        format!(
            "chalice from {} (to switch, edit `chalice = ...` in {}/Cargo.toml: its comment \
             shows how)",
            dependency.describe(),
            args.name
        ),
    );
    output.status(
        "Next",
        format!("cd {} && chalice local (and cargo test)", args.name),
    );
    Ok(())
}

/// A name that works as a directory, a crate and an app: letters, digits, `-` and `_`,
/// starting with a letter, and not a name cargo or Rust keep for themselves or that the
/// project's own dependencies take (such a project was written, then failed its first build).
fn check_name(name: &str) -> Result<(), UsageError> {
    let mut chars = name.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !starts_well || !chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(UsageError(format!(
            "invalid project name {name:?}: use letters, digits, '-' and '_', starting with a letter"
        )));
    }
    if let Some(why) = reserved(name) {
        return Err(UsageError(format!(
            "invalid project name {name:?}: {why}; choose another name, such as \"{name}-app\""
        )));
    }
    Ok(())
}

/// Why `name` cannot name the project's crate, if it cannot.
fn reserved(name: &str) -> Option<&'static str> {
    // The crate's library is `name` with `-` as `_`, which `src/main.rs` names as a path.
    let library = name.replace('-', "_");
    let lower = name.to_ascii_lowercase();
    if ["chalice", "serde_json"].contains(&library.as_str()) {
        return Some("the project depends on a crate of that name");
    }
    if ["std", "core", "alloc", "proc_macro", "test"].contains(&library.as_str()) {
        return Some("it is the name of one of Rust's built-in crates");
    }
    if ["build", "deps", "examples", "incremental"].contains(&name) {
        return Some("cargo keeps it for a directory of its build output");
    }
    if RUST_KEYWORDS.contains(&library.as_str()) {
        return Some("it is a Rust keyword, which cannot name a crate");
    }
    if WINDOWS_DEVICES.contains(&lower.as_str()) {
        return Some("Windows reserves it for a device, so no directory can have it there");
    }
    None
}

/// Rust's keywords, strict and reserved, of every edition.
const RUST_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Device names Windows refuses as file names, whatever the case.
const WINDOWS_DEVICES: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// The oldest Rust an app builds with: the workspace's `rust-version` (the runtime crates'),
/// not this CLI's own, which the AWS SDK raises (tests/readme.rs checks they agree).
pub const APP_RUST_VERSION: &str = "1.88";

fn cargo_toml(name: &str, chalice: &Dependency) -> String {
    let rust_version = APP_RUST_VERSION;
    let repository = env!("CARGO_PKG_REPOSITORY");
    let dependency = chalice.toml();
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
rust-version = "{rust_version}"
publish = false

[dependencies]
# chalice for Rust, from {from}. To take it from elsewhere, replace the line with one of:
#   chalice = {{ path = "/path/to/a/checkout/crates/chalice" }}
#   chalice = {{ git = "{repository}" }}
#   chalice = "0.1"    # once chalice is published on crates.io
chalice = {dependency}
serde_json = "1"

# Its own workspace, even when created inside another one.
[workspace]

# Lambda bills cold start and download size: `chalice package` builds with this
# (fat LTO: a smaller bootstrap than thin, for less build CPU with one codegen unit).
[profile.release]
lto = "fat"
codegen-units = 1
strip = true
"#,
        from = chalice.describe(),
    )
}

fn lib_rs(name: &str) -> String {
    format!(
        r#"//! The {name} app: its routes, for `main` to run and the tests to call.

use chalice::{{Chalice, Json}};
use serde_json::{{Value, json}};

/// The app, with its routes.
pub fn app() -> Chalice {{
    let mut app = Chalice::new("{name}");
    app.route("/", index);
    // More examples: uncomment these two lines and the views at the end of this file.
    // app.register(hello_name::route());
    // app.register(Route::new("/users", create_user).methods(["POST"]));
    app
}}

/// `GET /` answers with a JSON greeting.
fn index() -> Json<Value> {{
    Json(json!({{"hello": "world"}}))
}}

// use chalice::{{ChaliceError, Request, Route, route}};
//
// /// `GET /hello/james` answers {{"hello": "james"}}: a capture of the path is a parameter
// /// of the view, parsed into its type (a capture that does not parse is a 400).
// #[route("/hello/{{name}}")]
// fn hello_name(name: String) -> Json<Value> {{
//     Json(json!({{"hello": name}}))
// }}
//
// /// `POST /users` with a JSON body echoes it back under "user"; a body that is not
// /// JSON answers 400 {{"Code":"BadRequestError","Message":"Error Parsing JSON"}}.
// fn create_user(request: &Request) -> Result<Json<Value>, ChaliceError> {{
//     let user = request.json_body()?.cloned();
//     Ok(Json(json!({{"user": user}})))
// }}
//
// The README of chalice for Rust shows query strings, custom responses, errors, CORS,
// authorizers, blueprints, events and WebSockets.
"#
    )
}

fn main_rs(library: &str) -> String {
    format!(
        r#"//! Run with `chalice local` (or `cargo run`); `chalice package` builds it for Lambda.

fn main() {{
    chalice::run({library}::app());
}}
"#
    )
}

fn test_rs(library: &str) -> String {
    format!(
        r#"//! The app through the test client: in-process, no server, no socket.

use chalice::test::Client;
use serde_json::json;

#[test]
fn index_says_hello() {{
    let client = Client::new({library}::app());
    let response = client.http().get("/").send();
    assert_eq!(response.status_code, 200);
    assert_eq!(response.json(), json!({{"hello": "world"}}));
}}
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

    /// Regression: these were accepted, and the project written failed its first build.
    #[test]
    fn names_cargo_or_rust_keep_are_refused_with_why() {
        let cases = [
            ("chalice", "the project depends on a crate of that name"),
            ("serde-json", "the project depends on a crate of that name"),
            ("test", "it is the name of one of Rust's built-in crates"),
            ("std", "it is the name of one of Rust's built-in crates"),
            (
                "proc-macro",
                "it is the name of one of Rust's built-in crates",
            ),
            (
                "build",
                "cargo keeps it for a directory of its build output",
            ),
            ("self", "it is a Rust keyword, which cannot name a crate"),
            ("fn", "it is a Rust keyword, which cannot name a crate"),
            (
                "Con",
                "Windows reserves it for a device, so no directory can have it there",
            ),
        ];
        for (name, why) in cases {
            let error = check_name(name).expect_err(name);
            assert_eq!(
                error.0,
                format!(
                    "invalid project name {name:?}: {why}; choose another name, such as \"{name}-app\""
                )
            );
        }
        for fine in ["chalice-app", "tests", "builder", "self_service", "console"] {
            assert!(check_name(fine).is_ok(), "{fine}");
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

    /// The end-to-end tests (deploy, workflow) change the app by editing `"world"` and
    /// `app.route("/", index);` in lib.rs: each must stay there once, in the code.
    #[test]
    fn lib_rs_has_the_lines_the_tests_edit_once() {
        let lib_rs = lib_rs("todo");
        for line in [r#""world""#, r#"app.route("/", index);"#, "fn index()"] {
            assert_eq!(lib_rs.matches(line).count(), 1, "{line} in:\n{lib_rs}");
        }
        assert!(
            lib_rs.contains(r#"Json(json!({"hello": "world"}))"#),
            "{lib_rs}"
        );
    }

    #[test]
    fn toml_strings_escape() {
        assert_eq!(toml_string(r#"C:\a "b""#), r#""C:\\a \"b\"""#);
    }

    #[test]
    fn the_checkout_is_found_from_a_workspace_build() {
        assert!(checkout_crate().is_some());
        assert!(matches!(default_dependency(), Dependency::Path(_)));
    }

    #[test]
    fn every_kind_of_dependency_is_valid_toml_and_says_where_from() {
        let cases = [
            (
                Dependency::Path("/x/chalice".into()),
                r#"{ path = "/x/chalice" }"#,
                "the checkout at /x/chalice",
            ),
            (
                Dependency::Git("https://github.com/chalice-rs/chalice"),
                r#"{ git = "https://github.com/chalice-rs/chalice" }"#,
                "its repository, https://github.com/chalice-rs/chalice",
            ),
            (
                Dependency::Version("0.1".into()),
                r#""0.1""#,
                "crates.io, version 0.1",
            ),
        ];
        for (dependency, toml, described) in cases {
            assert_eq!(dependency.toml(), toml);
            assert_eq!(dependency.describe(), described);
            let manifest = cargo_toml("todo", &dependency);
            assert!(
                manifest.contains(&format!("\nchalice = {toml}\n")),
                "{manifest}"
            );
            assert!(
                manifest.contains(&format!("rust-version = \"{APP_RUST_VERSION}\"")),
                "{manifest}"
            );
        }
    }

    #[test]
    fn cargo_reads_the_manifest_with_every_kind_of_dependency() {
        let dir = std::env::temp_dir().join(format!("chalice-new-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src")).expect("temp dir");
        std::fs::write(dir.join("src/lib.rs"), "").expect("write");
        for dependency in [
            default_dependency(),
            Dependency::Git("https://github.com/chalice-rs/chalice"),
            Dependency::Version("0.1".into()),
        ] {
            std::fs::write(dir.join("Cargo.toml"), cargo_toml("todo", &dependency)).expect("write");
            // --no-deps: the manifest is read and checked, nothing is fetched.
            let run = crate::cargo::cargo()
                .args([
                    "metadata",
                    "--no-deps",
                    "--offline",
                    "--format-version",
                    "1",
                ])
                .current_dir(&dir)
                .output()
                .expect("cargo runs");
            assert!(
                run.status.success(),
                "{dependency:?}: {}",
                String::from_utf8_lossy(&run.stderr)
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
