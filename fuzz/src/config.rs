//! `.chalice/config.json`, as the CLI reads it.

use chalice_config::{Config, DEFAULT_STAGE};

/// Reads `data` as a project's `.chalice/config.json`, then resolves every stage it names
/// (and Chalice's default one) for the API handler and a named function. A mistake must be
/// reported with a message naming the file, never panicked on.
pub fn config_json(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let config = match Config::parse(".chalice/config.json".into(), &text) {
        Ok(config) => config,
        Err(errors) => return check_report(&errors.to_string()),
    };
    let mut stages: Vec<String> = config.stages().into_iter().map(str::to_owned).collect();
    stages.push(DEFAULT_STAGE.to_owned());
    for name in &stages {
        match config.stage(name) {
            Ok(stage) => {
                let _ = format!("{:?} {:?}", stage.api_handler(), stage.function("auth"));
            }
            Err(errors) => check_report(&errors.to_string()),
        }
    }
}

fn check_report(report: &str) {
    assert!(
        report.contains(".chalice/config.json"),
        "a configuration mistake that does not name the file: {report}"
    );
}
