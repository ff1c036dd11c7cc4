//! The Lambda Runtime API, as its client: a keep-alive HTTP/1.1 connection to
//! `AWS_LAMBDA_RUNTIME_API`, the next invocation (its context headers and its event's bytes,
//! as received), and the posts that answer it.
//! <https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html>
//!
//! Written on hyper's own client connection rather than lambda_runtime: lambda_runtime hands
//! a handler the event only after deserializing it (one more pass over every event, and a
//! copy), and its tower stack, connection pool and stream machinery weigh on the bootstrap's
//! size and cold start. The Runtime API is one local peer that keeps its connection alive;
//! one connection per worker is all a client needs.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST, HeaderMap, HeaderValue, USER_AGENT};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::error::EventError;

/// A boxed error of the Runtime API loop: a Runtime API that cannot be reached or answers
/// out of contract, a Lambda environment without the variables the runtime needs.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

const USER_AGENT_VALUE: &str = concat!("chalice-rust/", env!("CARGO_PKG_VERSION"));

/// `AWS_LAMBDA_RUNTIME_API`, which Lambda sets for every function: `host:port`.
pub(crate) fn address() -> Result<String, BoxError> {
    let value = std::env::var("AWS_LAMBDA_RUNTIME_API").map_err(|_| {
        "AWS_LAMBDA_RUNTIME_API is not set: this binary serves the Lambda Runtime API and runs on \
         AWS Lambda (run the app locally with the local server instead)"
    })?;
    match value.parse::<http::uri::Authority>() {
        Ok(authority) if authority.port().is_some() => Ok(value),
        Ok(_) => Err(format!("AWS_LAMBDA_RUNTIME_API has no port ({value:?})").into()),
        Err(e) => Err(format!(
            "AWS_LAMBDA_RUNTIME_API is not a host:port address ({value:?}): {e}"
        )
        .into()),
    }
}

/// One invocation, as `GET /runtime/invocation/next` hands it out.
pub(crate) struct Invocation {
    /// `Lambda-Runtime-Aws-Request-Id`.
    pub(crate) id: String,
    /// `Lambda-Runtime-Deadline-Ms`: milliseconds since the Unix epoch.
    pub(crate) deadline_ms: u64,
    /// `Lambda-Runtime-Invoked-Function-Arn`.
    pub(crate) invoked_function_arn: String,
    /// `Lambda-Runtime-Trace-Id`, when X-Ray tracing is on.
    pub(crate) trace_id: Option<String>,
    /// The event, the bytes the Runtime API sent.
    pub(crate) event: Bytes,
}

/// A client of the Runtime API: one connection, opened on first use and again whenever the
/// Runtime API closed it.
pub(crate) struct RuntimeApi {
    address: String,
    host: HeaderValue,
    connection: Option<SendRequest<Full<Bytes>>>,
}

impl RuntimeApi {
    /// A client of the Runtime API at `address` (`host:port`); connects on first use.
    pub(crate) fn new(address: String) -> Result<Self, BoxError> {
        let host = HeaderValue::try_from(address.as_str())?;
        Ok(RuntimeApi {
            address,
            host,
            connection: None,
        })
    }

    /// The next invocation: waits for it as long as Lambda keeps the request open.
    pub(crate) async fn next(&mut self) -> Result<Invocation, BoxError> {
        let response = self
            .send(
                Method::GET,
                "/2018-06-01/runtime/invocation/next",
                None,
                Bytes::new(),
            )
            .await?;
        let (parts, body) = response.into_parts();
        // The whole body as one buffer: hyper hands a body read in one go over as is.
        let event = body.collect().await?.to_bytes();
        if !parts.status.is_success() {
            return Err(format!(
                "the Runtime API answered GET /runtime/invocation/next with HTTP {}: {}",
                parts.status,
                String::from_utf8_lossy(&event)
            )
            .into());
        }
        let headers = &parts.headers;
        let id = header(headers, "lambda-runtime-aws-request-id").ok_or(
            "the Runtime API sent an invocation without a Lambda-Runtime-Aws-Request-Id header",
        )?;
        Ok(Invocation {
            id: id.to_owned(),
            deadline_ms: header(headers, "lambda-runtime-deadline-ms")
                .and_then(|v| v.parse().ok())
                .unwrap_or_default(),
            invoked_function_arn: header(headers, "lambda-runtime-invoked-function-arn")
                .unwrap_or_default()
                .to_owned(),
            trace_id: header(headers, "lambda-runtime-trace-id").map(str::to_owned),
            event,
        })
    }

    /// Posts the invocation's response (`/invocation/{id}/response`).
    pub(crate) async fn respond(&mut self, id: &str, body: Vec<u8>) -> Result<(), BoxError> {
        let path = format!("/2018-06-01/runtime/invocation/{id}/response");
        self.post(&path, None, Bytes::from(body)).await
    }

    /// Fails the invocation (`/invocation/{id}/error`) with the error's type and message.
    pub(crate) async fn fail(&mut self, id: &str, error: &EventError) -> Result<(), BoxError> {
        let path = format!("/2018-06-01/runtime/invocation/{id}/error");
        let body = diagnostic(error.error_type(), error.message());
        self.post(&path, Some(error.error_type()), body).await
    }

    /// Reports that the function could not start (`/init/error`).
    pub(crate) async fn init_error(
        &mut self,
        error_type: &str,
        message: &str,
    ) -> Result<(), BoxError> {
        let body = diagnostic(error_type, message);
        self.post("/2018-06-01/runtime/init/error", Some(error_type), body)
            .await
    }

    /// A JSON post the Runtime API must accept (202).
    async fn post(
        &mut self,
        path: &str,
        error_type: Option<&str>,
        body: Bytes,
    ) -> Result<(), BoxError> {
        let response = self.send(Method::POST, path, error_type, body).await?;
        let status = response.status();
        // Read to the end, so the connection is free for the next request.
        let text = response.into_body().collect().await?.to_bytes();
        if status.is_success() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&text);
        // 413: a response over Lambda's payload limit; Lambda fails the invocation itself.
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            tracing::error!(target: "chalice::lambda", "the Runtime API refused the response: {text}");
            return Ok(());
        }
        Err(format!("the Runtime API answered POST {path} with HTTP {status}: {text}").into())
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        error_type: Option<&str>,
        body: Bytes,
    ) -> Result<http::Response<hyper::body::Incoming>, BoxError> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, self.host.clone())
            .header(USER_AGENT, USER_AGENT_VALUE);
        if !body.is_empty() {
            request = request.header(CONTENT_TYPE, "application/json");
        }
        if let Some(error_type) = error_type {
            request = request.header("lambda-runtime-function-error-type", error_type);
        }
        let request = request.body(Full::new(body))?;
        let reused = matches!(&self.connection, Some(c) if !c.is_closed());
        if !reused {
            self.connection = Some(connect(&self.address).await?);
        }
        let mut connection = self.connection.take().ok_or("no Runtime API connection")?;
        if let Err(error) = connection.ready().await {
            if !reused {
                return Err(error.into());
            }
            // A kept connection the Runtime API closed meanwhile: one fresh attempt.
            connection = connect(&self.address).await?;
            connection.ready().await?;
        }
        let response = connection.send_request(request);
        self.connection = Some(connection);
        Ok(response.await?)
    }
}

/// Opens a connection; a task of its own drives it until either side closes it.
async fn connect(address: &str) -> Result<SendRequest<Full<Bytes>>, BoxError> {
    let stream = TcpStream::connect(address)
        .await
        .map_err(|e| format!("cannot reach the Runtime API at {address}: {e}"))?;
    // Small requests and answers, one at a time: no Nagle delay.
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(target: "chalice::lambda", "the Runtime API connection closed: {error}");
        }
    });
    Ok(sender)
}

/// The error document Lambda shows the invoker: `{"errorType": ..., "errorMessage": ...}`.
fn diagnostic(error_type: &str, message: &str) -> Bytes {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Diagnostic<'a> {
        error_type: &'a str,
        error_message: &'a str,
    }
    let diagnostic = Diagnostic {
        error_type,
        error_message: message,
    };
    // Two strings into a `Vec`: serde_json cannot fail on them.
    Bytes::from(serde_json::to_vec(&diagnostic).unwrap_or_default())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
