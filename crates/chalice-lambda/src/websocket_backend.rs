//! The [`WebsocketBackend`] the Lambda runtime installs for `websocket_api()`: API Gateway's
//! management API with the `websocket-api` feature, else one that says the feature is off.

use std::sync::Arc;

#[cfg(not(feature = "websocket-api"))]
use chalice_core::adapter::BackendFuture;
use chalice_core::adapter::WebsocketBackend;
#[cfg(not(feature = "websocket-api"))]
use chalice_core::{ConnectionInfo, WebsocketError, WebsocketMessage};

/// The backend of this build.
pub(crate) fn backend() -> Arc<dyn WebsocketBackend> {
    #[cfg(feature = "websocket-api")]
    {
        Arc::new(crate::connections::ManagementApi::from_env())
    }
    #[cfg(not(feature = "websocket-api"))]
    {
        Arc::new(Disabled)
    }
}

/// Every call fails, naming the feature that makes them work.
#[cfg(not(feature = "websocket-api"))]
struct Disabled;

#[cfg(not(feature = "websocket-api"))]
impl Disabled {
    fn error() -> WebsocketError {
        WebsocketError::transport(
            "this bootstrap was built without the `websocket-api` feature of chalice (or \
             chalice-lambda), which sends to WebSocket connections on Lambda: enable it in \
             Cargo.toml",
        )
    }
}

#[cfg(not(feature = "websocket-api"))]
impl WebsocketBackend for Disabled {
    fn send<'a>(
        &'a self,
        _: Option<&'a str>,
        _: &'a str,
        _: WebsocketMessage,
    ) -> BackendFuture<'a, ()> {
        Box::pin(std::future::ready(Err(Disabled::error())))
    }

    fn close<'a>(&'a self, _: Option<&'a str>, _: &'a str) -> BackendFuture<'a, ()> {
        Box::pin(std::future::ready(Err(Disabled::error())))
    }

    fn info<'a>(&'a self, _: Option<&'a str>, _: &'a str) -> BackendFuture<'a, ConnectionInfo> {
        Box::pin(std::future::ready(Err(Disabled::error())))
    }
}
