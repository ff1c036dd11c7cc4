//! The app under fuzz: a little of everything dispatch knows, with views that never fail
//! and never echo raw input (so any 5xx, or any stray bytes, is the framework's).

use std::sync::{Arc, OnceLock};

use chalice_core::{
    AuthRequest, AuthResponse, AuthRoute, Chalice, ChaliceError, CorsConfig, Json, Request, Route,
};
use serde_json::json;

/// The app, built once.
pub(crate) fn app() -> &'static Arc<Chalice> {
    static APP: OnceLock<Arc<Chalice>> = OnceLock::new();
    APP.get_or_init(|| Arc::new(build()))
}

fn build() -> Chalice {
    let mut app = Chalice::new("fuzz");
    let auth = app.authorizer("auth", |request: &AuthRequest| {
        if request.token.is_empty() || request.token == "deny" {
            return Err(ChaliceError::unauthorized("no"));
        }
        Ok(AuthResponse::new("fuzzer")
            .route(AuthRoute::new("/private/{id}", ["GET"]))
            .route("/users/{name}"))
    });
    app.route("/", || Json(json!({"hello": "world"})));
    app.register(
        Route::new("/users/{name}", |r: &Request| {
            Json(json!({"len": r.uri_param("name").map(str::len)}))
        })
        .methods(["GET", "PUT", "DELETE", "HEAD"])
        .cors(true),
    );
    app.register(
        Route::new("/echo", |r: &Request| {
            let parsed = r.json_body().map(|v| v.is_some()).unwrap_or(false);
            Json(json!({"bytes": r.raw_body().len(), "json": parsed}))
        })
        .methods(["POST", "PUT"]),
    );
    app.register(
        Route::new("/upload", |r: &Request| {
            Json(json!({"bytes": r.raw_body().len()}))
        })
        .methods(["POST"])
        .content_types(["application/octet-stream"]),
    );
    app.register(
        Route::new("/binary", || {
            chalice_core::Bytes::from_static(b"\x00\x01\x02")
        })
        .methods(["GET"]),
    );
    app.register(
        Route::new("/files/{path+}", |r: &Request| {
            Json(json!({"depth": r.uri_param("path").map(|p| p.split('/').count())}))
        })
        .cors_config(
            CorsConfig::new()
                .allow_origin("https://example.com")
                .max_age(60),
        ),
    );
    app.register(Route::new("/private/{id}", || Json(json!({"secret": true}))).authorizer(&auth));
    app.register(Route::new("/paid", || "paid").api_key_required(true));
    app.register(Route::new("/query", |r: &Request| {
        Json(json!({"n": r.query_params().map(|q| q.get_list("a").len())}))
    }));
    app.register(Route::new(
        "/typed/{n}",
        |r: &Request| -> Result<Json<serde_json::Value>, ChaliceError> {
            let n: u32 = r
                .uri_param("n")
                .unwrap_or_default()
                .parse()
                .map_err(|_| ChaliceError::bad_request("not a number"))?;
            Ok(Json(json!({"n": n})))
        },
    ));
    if let Err(errors) = app.check() {
        panic!("the fuzz app is well defined: {errors}");
    }
    app
}
