//! Router scale: route lookup alone, with 10, 100, 1,000 and 10,000 routes.
//!
//! Two ways in (DESIGN.md rule 3): by template, as on Lambda (`RouteMatch::by_template`, a
//! hash lookup of `/users/{name}`), and by concrete path, as the local server and the test
//! client do (`RouteMatch::by_path`, the radix tree, captures decoded: `/users/bob`). Both
//! find the view of the method too, as dispatch takes it. The app has
//! `/users/{name}` plus filler routes `/r{i}/{id}`, like the benchmark app. Groups
//! `router_template` and `router_path`, one function per size; lookups of a filler in the
//! middle of the table are in `router_template_filler` and `router_path_filler`.

use std::hint::black_box;

use chalice_core::adapter::RouteMatch;
use chalice_core::{Chalice, Method};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

fn app(routes: usize) -> Chalice {
    let mut app = Chalice::new("scale");
    app.route("/users/{name}", || "user");
    for i in 0..routes - 1 {
        app.register(
            chalice_core::Route::new(format!("/r{i}/{{id}}"), || "filler").name(format!("r{i}")),
        );
    }
    app.check().expect("a valid app");
    app
}

/// Whether `template` names a route with a `GET` view (the Lambda way in).
fn by_template(app: &Chalice, template: &str) -> bool {
    RouteMatch::by_template(app, template, &Method::GET).is_some_and(|route| route.has_method())
}

/// Whether `path` falls on a route with a `GET` view (the local way in).
fn by_path(app: &Chalice, path: &str) -> bool {
    RouteMatch::by_path(app, path, &Method::GET).is_some_and(|(route, _)| route.has_method())
}

fn router(c: &mut Criterion) {
    let apps: Vec<(usize, Chalice)> = SIZES.iter().map(|&n| (n, app(n))).collect();

    let mut group = c.benchmark_group("router_template");
    for (n, app) in &apps {
        assert!(by_template(app, "/users/{name}"));
        group.bench_with_input(BenchmarkId::from_parameter(n), app, |b, app| {
            b.iter(|| by_template(app, black_box("/users/{name}")));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("router_path");
    for (n, app) in &apps {
        let (_, captures) = RouteMatch::by_path(app, "/users/bob", &Method::GET).expect("a route");
        assert_eq!(captures.as_ref().and_then(|p| p.get("name")), Some("bob"));
        group.bench_with_input(BenchmarkId::from_parameter(n), app, |b, app| {
            b.iter(|| by_path(app, black_box("/users/bob")));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("router_template_filler");
    for (n, app) in &apps {
        let template = format!("/r{}/{{id}}", n / 2);
        assert!(by_template(app, &template));
        group.bench_with_input(BenchmarkId::from_parameter(n), app, |b, app| {
            b.iter(|| by_template(app, black_box(&template)));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("router_path_filler");
    for (n, app) in &apps {
        let path = format!("/r{}/42", n / 2);
        assert!(by_path(app, &path));
        group.bench_with_input(BenchmarkId::from_parameter(n), app, |b, app| {
            b.iter(|| by_path(app, black_box(&path)));
        });
    }
    group.finish();
}

criterion_group!(benches, router);
criterion_main!(benches);
