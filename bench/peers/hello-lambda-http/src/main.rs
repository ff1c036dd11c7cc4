//! `hello-lambda-http`: the hello-world app (`GET /` → `{"hello":"world"}`) written with
//! lambda_http + axum, as their users write it. Like `examples/hello-world`, one binary
//! serves Lambda (when `AWS_LAMBDA_RUNTIME_API` is set) and HTTP on 127.0.0.1:8000
//! otherwise. The peer of the compile-time part of `bench/run`.

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let app = Router::new().route("/", get(index));
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        return lambda_http::run(app).await;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
    axum::serve(listener, app).await?;
    Ok(())
}

async fn index() -> Json<Value> {
    Json(json!({"hello": "world"}))
}
