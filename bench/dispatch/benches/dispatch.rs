//! Per-event Lambda dispatch: API Gateway event JSON in → response JSON out.
//!
//! One group per event (`dispatch_v1_get_user`, …), three functions in each: `ours`,
//! `lambda_http_axum` and `floor` (the parse alone). `bench/run` reads the medians from
//! `target/criterion/<group>/<function>/new/estimates.json`.

use std::hint::black_box;

use bench_dispatch::{EVENTS, LambdaHttpAxum, Ours, check, floor};
use criterion::{Criterion, criterion_group, criterion_main};

fn dispatch(c: &mut Criterion) {
    let ours = Ours::new();
    let mut theirs = LambdaHttpAxum::new();
    for (name, event, expected) in EVENTS {
        // A fast wrong answer is no answer: check each side before timing it.
        check("ours", name, &ours.dispatch(event.as_bytes()), expected);
        check(
            "lambda_http_axum",
            name,
            &theirs.dispatch(event.as_bytes()),
            expected,
        );

        let mut group = c.benchmark_group(format!("dispatch_{name}"));
        group.bench_function("ours", |b| {
            b.iter(|| ours.dispatch(black_box(event.as_bytes())))
        });
        group.bench_function("lambda_http_axum", |b| {
            b.iter(|| theirs.dispatch(black_box(event.as_bytes())));
        });
        group.bench_function("floor", |b| b.iter(|| floor(black_box(event))));
        group.finish();
    }
}

criterion_group!(benches, dispatch);
criterion_main!(benches);
