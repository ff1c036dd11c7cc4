//! A WebSocket app served through the Lambda Runtime API, sending through API Gateway's
//! management API; the end-to-end test (`tests/websocket_lambda.rs`) runs it against a fake
//! Runtime API and an HTTPS server playing `@connections`.
//!
//! Each function of it is the same binary with `CHALICE_HANDLER` naming its handler
//! (`websocket_connect`, `websocket_message`, `kick`); without it, it serves its HTTP API,
//! whose `/send?id=..&text=..` view sends through `CHALICE_WEBSOCKET_ENDPOINT`. It needs
//! the `websocket-api` feature (the test builds it with chalice's dev-dependencies, which
//! enable it):
//!
//! ```text
//! AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001 AWS_LAMBDA_FUNCTION_NAME=ws \
//! AWS_LAMBDA_FUNCTION_VERSION='$LATEST' AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128 \
//! CHALICE_HANDLER=websocket_message cargo run -p chalice --features websocket-api --example websocket-app
//! ```

use chalice::{Chalice, ChaliceError, Request, WebsocketError, WebsocketEvent, websocket_api};

/// Lets in clients that send `x-api-key: letmein`.
#[allow(clippy::needless_pass_by_value)] // handlers take their event by value
fn connect(event: WebsocketEvent) -> Result<(), ChaliceError> {
    match event.headers.get("x-api-key") {
        Some("letmein") => Ok(()),
        _ => Err(ChaliceError::forbidden("an API key is required")),
    }
}

/// Echoes the message; tries a connection that is gone; tells the client its address.
async fn message(event: WebsocketEvent) -> Result<(), ChaliceError> {
    let api = websocket_api();
    let me = event.connection_id.as_str();
    api.send(me, event.body.clone()).await?;
    match api.send("gone=", "anyone there?").await {
        Err(WebsocketError::Disconnected(gone)) => {
            api.send(me, format!("{} is gone", gone.connection_id))
                .await?;
        }
        other => other?,
    }
    let info = api.info(me).await?;
    api.send(me, format!("you are {}", info.source_ip)).await?;
    Ok(())
}

async fn kick(event: WebsocketEvent) -> Result<(), ChaliceError> {
    websocket_api().close(&event.connection_id).await?;
    Ok(())
}

/// Sends from an HTTP view: the endpoint comes from `CHALICE_WEBSOCKET_ENDPOINT`.
async fn send(request: Request) -> String {
    let id = request.query_param("id").unwrap_or_default();
    let text = request.query_param("text").unwrap_or_default();
    match websocket_api().send(id, text).await {
        Ok(()) => "sent".to_owned(),
        Err(error) => format!("not sent: {error}"),
    }
}

fn main() {
    let mut app = Chalice::new("ws");
    app.on_ws_connect(connect);
    app.on_ws_message(message);
    app.on_ws_route("bye", kick);
    app.on_ws_disconnect(|_: WebsocketEvent| {});
    app.route("/send", send);
    chalice::run(app);
}
