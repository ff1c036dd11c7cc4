//! What the fuzz targets (`fuzz/`) drive: one connection of the real server over an
//! in-memory pipe instead of a socket. Not a public API; compiled with the `fuzzing`
//! feature only.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chalice_core::adapter::Gateway;
use hyper::server::conn::http1;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::budget::BodyBudget;
use crate::connection;
use crate::function::LocalFunction;
use crate::limits::Limits;
use crate::service::State;
use crate::wire::Shared;

/// The server's connection handling for `gateway`, minus the socket.
pub struct Harness {
    state: Arc<State>,
    builder: http1::Builder,
}

impl Harness {
    /// A harness answering with `gateway`.
    pub fn new(gateway: Gateway) -> Self {
        let function = LocalFunction::new(gateway.app().app_name());
        let mut builder = connection::builder();
        // The client closes its side once it has sent everything; the server must still
        // answer every request it has.
        builder.half_close(true);
        Harness {
            state: Arc::new(State {
                gateway,
                function,
                bodies: BodyBudget::new(Limits::new().max_inflight_body_bytes),
                websockets: None,
            }),
            builder,
        }
    }

    /// Serves one connection whose client sends `input`, then closes its side; returns all
    /// the server wrote. Runs on the caller's tokio runtime (with time enabled).
    pub async fn exchange(&self, input: &[u8]) -> Vec<u8> {
        let (mut client, server) = tokio::io::duplex(64 * 1024);
        let shared = Arc::new(Shared::default());
        let peer = SocketAddr::from(([127, 0, 0, 1], 40000));
        let serving = connection::serve(
            &self.builder,
            &self.state,
            server,
            peer,
            &shared,
            Duration::from_secs(5),
        );
        let mut output = Vec::new();
        let talking = async {
            let _ = client.write_all(input).await;
            let _ = client.shutdown().await;
            let _ = client.read_to_end(&mut output).await;
        };
        let (_, ()) = tokio::join!(serving, talking);
        output
    }
}
