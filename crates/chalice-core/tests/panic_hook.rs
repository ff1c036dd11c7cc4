//! The core has no global side effects: dispatch never installs a panic hook by itself; an
//! adapter that owns its process installs it with `adapter::install_panic_hook`.
//!
//! One test in its own binary: the panic hook is process-wide.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chalice_core::adapter::{RouteMatch, install_panic_hook};
use chalice_core::{Chalice, Method, Request};

/// The debug page of a view that panics, and how many panics reached the process's own hook.
fn answer(app: &Chalice, seen: &AtomicUsize) -> (u16, String, usize) {
    let before = seen.load(Ordering::SeqCst);
    let route = RouteMatch::by_template(app, "/boom", &Method::GET).expect("a route");
    let request = Request::builder(Method::GET, Arc::clone(route.template())).build();
    let response = chalice_core::__private::block_on(route.handle(request));
    let body = String::from_utf8_lossy(&response.body).into_owned();
    (
        response.status_code,
        body,
        seen.load(Ordering::SeqCst) - before,
    )
}

#[test]
fn dispatch_leaves_the_panic_hook_to_the_adapters() {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&seen);
    std::panic::set_hook(Box::new(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    }));
    let mut app = Chalice::new("app");
    app.set_debug(true);
    app.route("/boom", || -> String { panic!("deliberate") });

    // Without the hook: still a 500, the panic reaches the process's hook, and the error
    // says what panicked but not where.
    let (status, body, reached) = answer(&app, &seen);
    assert_eq!((status, reached), (500, 1));
    assert!(body.starts_with("panicked: deliberate"), "{body}");

    // With it: the process's hook is spared, and the error names the place.
    install_panic_hook();
    let (status, body, reached) = answer(&app, &seen);
    assert_eq!((status, reached), (500, 0));
    let place = format!("panicked at {}:", file!());
    assert!(body.starts_with(&place), "{body}");
    assert!(body.contains(": deliberate"), "{body}");

    // Panics outside view code still reach the hook that was there before.
    let outside = std::panic::catch_unwind(|| panic!("not in a view"));
    assert!(outside.is_err());
    assert_eq!(seen.load(Ordering::SeqCst), 2);
}
