//! The short fuzz run, part of `cargo test`: every target on its seeds and on inputs mutated
//! from them. The long, coverage-guided run is `fuzz/run` (docs/fuzzing.md).

use std::path::PathBuf;

use chalice_fuzz::{authorizer_event, lambda_event, local_request, route_definitions, short_run};

fn dirs(names: &[&str]) -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    names.iter().map(|name| root.join(name)).collect()
}

#[test]
fn short_runs() {
    let cases: &[(&str, fn(&[u8]), &[&str], usize)] = &[
        (
            "lambda_event",
            lambda_event,
            &["seeds/lambda_event", "../crates/chalice-lambda/tests/data"],
            3000,
        ),
        (
            "authorizer_event",
            authorizer_event,
            &["seeds/authorizer_event"],
            3000,
        ),
        (
            "local_request",
            local_request,
            &["seeds/local_request"],
            3000,
        ),
        (
            "route_definitions",
            route_definitions,
            &["seeds/route_definitions"],
            3000,
        ),
    ];
    for (name, target, seeds, mutations) in cases {
        let run = short_run(&dirs(seeds), *target, *mutations);
        assert_eq!(run.inputs, run.seeds + mutations, "{name}");
    }
}
