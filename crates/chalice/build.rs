//! `CHALICE_LAMBDA_ONLY=1` in the build's environment (`chalice package` and `chalice deploy`
//! set it for the bootstrap they build; `chalice_manifest::LAMBDA_ONLY_ENV` names it) builds
//! an app whose `chalice::run` serves AWS Lambda only: the local server, which a deployed
//! function never runs, is left out of the binary, making it smaller and quicker to load.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(chalice_lambda_only)");
    println!("cargo::rerun-if-env-changed=CHALICE_LAMBDA_ONLY");
    if std::env::var_os("CHALICE_LAMBDA_ONLY").is_some_and(|value| value == "1") {
        println!("cargo::rustc-cfg=chalice_lambda_only");
    }
}
