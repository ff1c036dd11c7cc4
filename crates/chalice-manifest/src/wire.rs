//! The constants an app binary and the CLI must agree on, outside the manifest itself.

/// The manifest format this crate reads and writes.
///
/// Fields added later carry `#[serde(default)]`, so a CLI reads the manifests of older apps;
/// the version changes only when a change would mislead an older CLI, which then refuses the
/// manifest and asks to be updated.
pub const MANIFEST_VERSION: u32 = 1;

/// The argument that makes an app binary print its [manifest](crate::Manifest) as JSON on
/// stdout and exit, instead of serving.
pub const MANIFEST_ARG: &str = "--manifest";

/// The environment variable that tells a deployed function which of the app's handlers it
/// serves: the name of a built-in authorizer (unset: the API handler).
///
/// Every function of an app is the same `bootstrap` binary; the templates and the deployer
/// set this variable on each authorizer's function, and the Lambda adapter reads it once,
/// at init.
pub const AUTHORIZER_ENV: &str = "CHALICE_AUTHORIZER";
