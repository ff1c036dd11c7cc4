//! `axum-server --port N`: the axum peer of the local server, on 127.0.0.1 only.
//!
//! `#[tokio::main]` (a thread per core) and `axum::serve`, as axum's examples do; Nagle off,
//! as our local server has it, so neither side waits on delayed ACKs.

use axum::serve::ListenerExt;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = port_from_args().unwrap_or(3000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await?
        .tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
    axum::serve(listener, peer_axum::router()).await
}

fn port_from_args() -> Option<u16> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--port" {
            return args.next()?.parse().ok();
        }
    }
    None
}
