//! Router scale: route lookup alone, with 10, 100, 1,000 and 10,000 routes.
//!
//! Two ways in (DESIGN.md rule 3): by template, as on Lambda (`Chalice::template`, a hash
//! lookup of `/users/{name}`), and by concrete path, as the local server and the test client
//! do (`Chalice::match_path`, the radix tree, captures decoded: `/users/bob`). The app has
//! `/users/{name}` plus filler routes `/r{i}/{id}`, like the benchmark app. Groups
//! `router_template` and `router_path`, one function per size; lookups of a filler in the
//! middle of the table are in `router_template_filler` and `router_path_filler`.

use std::hint::black_box;

use chalice_core::Chalice;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

fn app(routes: usize) -> Chalice {
    let mut app = Chalice::new("scale");
    app.route("/users/{name}", || "user");
    for i in 0..routes - 1 {
        app.register(chalice_core::Route::new(format!("/r{i}/{{id}}"), || "filler").name(format!("r{i}")));
    }
    app.check().expect("a valid app");
    app
}

fn router(c: &mut Criterion) {
    let apps: Vec<(usize, Chalice)> = SIZES.iter().map(|&n| (n, app(n))).collect();

    let mut group = c.benchmark_group("router_template");
    for (n, app) in &apps {
        assert!(app.template("/users/{name}").is_some());
        group.bench_with_input(BenchmarkId::from_parameter(n), app, |b, app| {
            b.iter(|| app.template(black_box("/users/{name}")).is_some());
        });
    }
    group.finish();

    let mut group = c.benchmark_group("router_path");
    for (n, app) in &apps {
        let found = app.match_path("/users/bob").expect("a route");
        assert_eq!(found.uri_params().and_then(|p| p.get("name")), Some("bob"));
        group.bench_with_input(BenchmarkId::from_parameter(n), app, |b, app| {
            b.iter(|| app.match_path(black_box("/users/bob")).is_some());
        });
    }
    group.finish();

    let mut group = c.benchmark_group("router_template_filler");
    for (n, app) in &apps {
        let template = format!("/r{}/{{id}}", n / 2);
        assert!(app.template(&template).is_some());
        group.bench_with_input(BenchmarkId::from_parameter(n), app, |b, app| {
            b.iter(|| app.template(black_box(&template)).is_some());
        });
    }
    group.finish();

    let mut group = c.benchmark_group("router_path_filler");
    for (n, app) in &apps {
        let path = format!("/r{}/42", n / 2);
        assert!(app.match_path(&path).is_some());
        group.bench_with_input(BenchmarkId::from_parameter(n), app, |b, app| {
            b.iter(|| app.match_path(black_box(&path)).is_some());
        });
    }
    group.finish();
}

criterion_group!(benches, router);
criterion_main!(benches);
