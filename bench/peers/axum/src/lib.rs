//! The benchmark app written with axum 0.8: the same routes and answers as `bench-ours`.
//!
//! Used by the local-server peer (`axum-server`), the lambda_http peer's bootstrap and the
//! dispatch benches.

use axum::extract::Path;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

/// How many filler routes `/r{i}/{id}` the app has (as in `bench-ours`).
pub const FILLER_ROUTES: usize = 100;

/// The benchmark app.
pub fn router() -> Router {
    let mut router = Router::new()
        .route("/", get(index))
        .route("/users/{name}", get(user))
        .route("/echo", post(echo));
    for i in 0..FILLER_ROUTES {
        router = router.route(
            &format!("/r{i}/{{id}}"),
            get(move |Path(id): Path<String>| async move { Json(json!({"route": i, "id": id})) }),
        );
    }
    router
}

async fn index() -> Json<Value> {
    Json(json!({"hello": "world"}))
}

async fn user(Path(name): Path<String>) -> Json<Value> {
    Json(json!({"name": name}))
}

async fn echo(Json(body): Json<Value>) -> Json<Value> {
    Json(body)
}
