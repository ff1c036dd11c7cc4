//! Route definitions, as a user writes them, and the local router over them.

use std::sync::Arc;

use chalice_core::adapter::{Gateway, HttpRequest};
use chalice_core::{Chalice, Method, Route};

use crate::block_on;

/// Reads `data` as lines: `METHODS /path` defines a route (methods comma-separated),
/// `? /path` asks the router for a concrete path. Definitions must never panic: a mistake is
/// reported by `check`, with a message. When the app checks out, every static route answers
/// its view's 200 for each of its methods (in upper case), and every asked path gets a status in 100–599.
pub fn route_definitions(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut app = Chalice::new("routes");
    let mut statics = Vec::new();
    let mut asked = Vec::new();
    for (i, line) in text.lines().take(64).enumerate() {
        let (methods, path) = line.split_once(' ').unwrap_or(("GET", line));
        if methods == "?" {
            asked.push(path.to_owned());
            continue;
        }
        let methods: Vec<String> = methods.split(',').map(str::to_owned).collect();
        if !path.contains('{') {
            statics.push((methods.clone(), path.to_owned()));
        }
        app.register(
            Route::new(path, || "ok")
                .methods(methods)
                .name(format!("view{i}")),
        );
    }
    if let Err(errors) = app.check() {
        let report = errors.to_string();
        assert!(!report.is_empty(), "definition errors without a message");
        return;
    }
    let gateway = Gateway::new(Arc::new(app));
    for (methods, path) in &statics {
        for method in methods {
            // Methods are declared in any case, as in Chalice, and sent in upper case.
            let Ok(method) = method.to_ascii_uppercase().parse::<Method>() else {
                continue;
            };
            let response = block_on(gateway.handle(HttpRequest::new(method.clone(), path)));
            assert_eq!(
                response.status_code, 200,
                "{method} {path} is a checked static route: {:?}",
                response.body
            );
        }
    }
    for path in &asked {
        let response = block_on(gateway.handle(HttpRequest::new(Method::GET, path)));
        assert!(
            (100..600).contains(&response.status_code),
            "GET {path}: {}",
            response.status_code
        );
    }
}
