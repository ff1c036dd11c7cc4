//! The short fuzz run, part of `cargo test`: every target on its seeds and on inputs mutated
//! from them. The long, coverage-guided run is `fuzz/run` (docs/fuzzing.md).

use std::path::PathBuf;

use chalice_fuzz::{
    authorizer_event, config_json, lambda_event, local_request, route_definitions, short_run,
};

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

/// Replays the corpus a long run grew (`target/fuzz/corpus/TARGET`, from `fuzz/run`) on the
/// uninstrumented code and prints how many inputs ran and the slowest one, for
/// docs/fuzzing.md: `cargo test --release -p chalice-fuzz --test short -- --ignored --nocapture`.
#[test]
#[ignore = "needs the corpus of a long run (fuzz/run)"]
fn replay_long_run_corpus() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz/corpus");
    let targets: &[(&str, fn(&[u8]))] = &[
        ("lambda_event", lambda_event),
        ("authorizer_event", authorizer_event),
        ("local_request", local_request),
        ("route_definitions", route_definitions),
        ("config_json", config_json),
    ];
    for (name, target) in targets {
        let run = short_run(&[root.join(name)], *target, 0);
        report(&format!(
            "{name}: {} corpus inputs replayed, slowest {:?} ({} bytes)",
            run.inputs, run.slowest, run.slowest_len
        ));
    }
}

#[allow(clippy::print_stderr)]
fn report(line: &str) {
    eprintln!("{line}");
}
