//! `lambda-http-axum`: the Lambda bootstrap of the usual Rust stack, lambda_http 1.x serving
//! an axum router, written as lambda_http's README and examples write it.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::run(peer_axum::router()).await
}
