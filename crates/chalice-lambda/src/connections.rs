//! `websocket_api()` on Lambda: API Gateway's management API (`@connections`), called over
//! HTTPS and signed with the function's own credentials.
//!
//! ```text
//!  websocket_api().send(id, msg) ─► POST   {endpoint}/@connections/{id}  (body: msg)
//!                   .close(id)    ─► DELETE {endpoint}/@connections/{id}
//!                   .info(id)     ─► GET    {endpoint}/@connections/{id}
//!  endpoint: the WebSocket event's https://{domainName}/{stage}, else CHALICE_WEBSOCKET_ENDPOINT
//!  410 Gone ─► WebsocketError::Disconnected
//! ```
//!
//! The HTTP client is hyper's HTTP/1.1 connection (already linked for the Runtime API) over
//! rustls with ring; the CA certificates are the system's (`/etc/pki` on Lambda; the
//! `SSL_CERT_FILE` variable points elsewhere), read once, at the first call. Connections are
//! kept open and reused: a broadcast makes one TLS handshake, not one per message.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use chalice_core::adapter::{BackendFuture, WebsocketBackend};
use chalice_core::{
    ConnectionInfo, WEBSOCKET_ENDPOINT_ENV, WebsocketDisconnected, WebsocketError, WebsocketMessage,
};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::sigv4::{self, Credentials, Unsigned};

/// The management API, through the endpoint of the event being handled or the function's
/// configured one.
pub(crate) struct ManagementApi {
    /// `CHALICE_WEBSOCKET_ENDPOINT`, read at init.
    configured: Option<String>,
    /// Open connections, by `scheme://authority`.
    idle: Mutex<Vec<(String, SendRequest<Full<Bytes>>)>>,
    tls: OnceLock<Result<Arc<rustls::ClientConfig>, String>>,
}

impl ManagementApi {
    pub(crate) fn from_env() -> Self {
        ManagementApi {
            configured: std::env::var(WEBSOCKET_ENDPOINT_ENV)
                .ok()
                .filter(|endpoint| !endpoint.is_empty()),
            idle: Mutex::new(Vec::new()),
            tls: OnceLock::new(),
        }
    }

    /// Calls `method` on the connection: the answer's status and body.
    async fn call(
        &self,
        endpoint: Option<&str>,
        method: http::Method,
        connection_id: &str,
        body: Bytes,
    ) -> Result<(u16, Bytes), WebsocketError> {
        let endpoint = endpoint
            .or(self.configured.as_deref())
            .ok_or(WebsocketError::NoEndpoint)?;
        let target = Endpoint::parse(endpoint)?;
        let path = format!(
            "{}/@connections/{}",
            target.prefix,
            percent_encoding::utf8_percent_encode(connection_id, SEGMENT)
        );
        let credentials = credentials()?;
        let region = region(&target.host)?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let signed = sigv4::sign(
            &Unsigned {
                method: method.as_str(),
                host: &target.authority,
                path: &path,
                query: "",
                headers: &[],
                body: &body,
            },
            &credentials,
            &region,
            "execute-api",
            &sigv4::amz_date(now),
        );
        let mut request = http::Request::builder()
            .method(method)
            .uri(path.as_str())
            .header(http::header::HOST, target.authority.as_str())
            .header("x-amz-date", signed.amz_date.as_str())
            .header(http::header::AUTHORIZATION, signed.authorization.as_str());
        if let Some(token) = &signed.security_token {
            request = request.header("x-amz-security-token", token.as_str());
        }
        let request = request
            .body(Full::new(body))
            .map_err(|e| WebsocketError::transport(format!("could not build the request: {e}")))?;
        let key = format!("{}://{}", target.scheme, target.authority);
        let mut sender = match self.idle_connection(&key) {
            Some(sender) => sender,
            None => self.connect(&target).await?,
        };
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| WebsocketError::transport(format!("{key} did not answer: {e}")))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| WebsocketError::transport(format!("{key} broke off its answer: {e}")))?
            .to_bytes();
        if !sender.is_closed() {
            self.lock_idle().push((key, sender));
        }
        Ok((status, body))
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<(String, SendRequest<Full<Bytes>>)>> {
        // Held only to push or take one entry: a panic cannot leave the list half-changed.
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn idle_connection(&self, key: &str) -> Option<SendRequest<Full<Bytes>>> {
        let mut idle = self.lock_idle();
        idle.retain(|(_, sender)| !sender.is_closed());
        let at = idle
            .iter()
            .position(|(k, sender)| k == key && sender.is_ready())?;
        Some(idle.swap_remove(at).1)
    }

    async fn connect(&self, target: &Endpoint) -> Result<SendRequest<Full<Bytes>>, WebsocketError> {
        let unreachable = |e: &dyn std::fmt::Display| {
            WebsocketError::transport(format!("{}: {e}", target.authority))
        };
        let tcp = TcpStream::connect((target.host.as_str(), target.port))
            .await
            .map_err(|e| unreachable(&e))?;
        let _ = tcp.set_nodelay(true);
        let sender = if target.scheme == "https" {
            let config = self
                .tls
                .get_or_init(tls_config)
                .clone()
                .map_err(WebsocketError::transport)?;
            let name = rustls::pki_types::ServerName::try_from(target.host.clone())
                .map_err(|e| unreachable(&e))?;
            let tls = tokio_rustls::TlsConnector::from(config)
                .connect(name, tcp)
                .await
                .map_err(|e| unreachable(&e))?;
            let (sender, connection) = http1::handshake(TokioIo::new(tls))
                .await
                .map_err(|e| unreachable(&e))?;
            tokio::spawn(connection);
            sender
        } else {
            let (sender, connection) = http1::handshake(TokioIo::new(tcp))
                .await
                .map_err(|e| unreachable(&e))?;
            tokio::spawn(connection);
            sender
        };
        Ok(sender)
    }
}

/// The characters of a connection id that go percent-encoded in a path segment: all but
/// RFC 3986's unreserved ones (`Kf2dGd9lywMCEng=` is sent as `Kf2dGd9lywMCEng%3D`).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Reads the management API's answer: 2xx is done, 410 is a gone connection, anything
/// else its status and message.
fn outcome(connection_id: &str, status: u16, body: &[u8]) -> Result<(), WebsocketError> {
    match status {
        200..=299 => Ok(()),
        410 => Err(WebsocketDisconnected::new(connection_id).into()),
        _ => {
            let message = serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|json| {
                    json.get("message")
                        .or_else(|| json.get("Message"))
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
            Err(WebsocketError::api(status, message))
        }
    }
}

impl WebsocketBackend for ManagementApi {
    fn send<'a>(
        &'a self,
        endpoint: Option<&'a str>,
        connection_id: &'a str,
        message: WebsocketMessage,
    ) -> BackendFuture<'a, ()> {
        Box::pin(async move {
            let (status, body) = self
                .call(
                    endpoint,
                    http::Method::POST,
                    connection_id,
                    message.into_bytes(),
                )
                .await?;
            outcome(connection_id, status, &body)
        })
    }

    fn close<'a>(
        &'a self,
        endpoint: Option<&'a str>,
        connection_id: &'a str,
    ) -> BackendFuture<'a, ()> {
        Box::pin(async move {
            let (status, body) = self
                .call(endpoint, http::Method::DELETE, connection_id, Bytes::new())
                .await?;
            outcome(connection_id, status, &body)
        })
    }

    fn info<'a>(
        &'a self,
        endpoint: Option<&'a str>,
        connection_id: &'a str,
    ) -> BackendFuture<'a, ConnectionInfo> {
        Box::pin(async move {
            let (status, body) = self
                .call(endpoint, http::Method::GET, connection_id, Bytes::new())
                .await?;
            outcome(connection_id, status, &body)?;
            ConnectionInfo::from_json(&body).map_err(|e| {
                WebsocketError::transport(format!(
                    "GetConnection answered what is not a connection's information ({e}): {}",
                    String::from_utf8_lossy(&body)
                ))
            })
        })
    }
}

/// Where the management API is: `https://{domain}[:port]/{stage}`.
struct Endpoint {
    scheme: &'static str,
    host: String,
    port: u16,
    /// `host` or `host:port`, as the `Host` header and the signature say it.
    authority: String,
    /// The path before `/@connections`: `/{stage}`, or empty.
    prefix: String,
}

impl Endpoint {
    fn parse(endpoint: &str) -> Result<Self, WebsocketError> {
        let bad = |why: &str| {
            WebsocketError::transport(format!(
                "the WebSocket endpoint {endpoint:?} {why}; it is https://{{api-id}}.execute-api.{{region}}.amazonaws.com/{{stage}}"
            ))
        };
        let (scheme, rest) = if let Some(rest) = endpoint.strip_prefix("https://") {
            ("https", rest)
        } else if let Some(rest) = endpoint.strip_prefix("http://") {
            ("http", rest)
        } else {
            return Err(bad("is not an https:// URL"));
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.is_empty() {
            return Err(bad("has no host"));
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse::<u16>()
                    .map_err(|_| bad("has a port that is not a number"))?,
            ),
            None => (authority, if scheme == "https" { 443 } else { 80 }),
        };
        Ok(Endpoint {
            scheme,
            host: host.to_owned(),
            port,
            authority: authority.to_owned(),
            prefix: path.trim_end_matches('/').to_owned(),
        })
    }
}

/// The function's credentials, which Lambda puts in its environment.
fn credentials() -> Result<Credentials, WebsocketError> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let missing = |name: &str| {
        WebsocketError::transport(format!(
            "{name} is not set: the management API's requests are signed with the function's \
             credentials, which Lambda sets in its environment"
        ))
    };
    Ok(Credentials {
        access_key_id: var("AWS_ACCESS_KEY_ID").ok_or_else(|| missing("AWS_ACCESS_KEY_ID"))?,
        secret_access_key: var("AWS_SECRET_ACCESS_KEY")
            .ok_or_else(|| missing("AWS_SECRET_ACCESS_KEY"))?,
        session_token: var("AWS_SESSION_TOKEN"),
    })
}

/// The region to sign for: the function's (`AWS_REGION`), else the one the API's domain
/// names (`{id}.execute-api.{region}.amazonaws.com`).
fn region(host: &str) -> Result<String, WebsocketError> {
    if let Some(region) = ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    {
        return Ok(region);
    }
    host.split('.')
        .skip_while(|part| *part != "execute-api")
        .nth(1)
        .map(str::to_owned)
        .ok_or_else(|| {
            WebsocketError::transport(
                "AWS_REGION is not set, and the endpoint's domain names no region",
            )
        })
}

/// rustls with ring, HTTP/1.1, and the system's CA certificates.
fn tls_config() -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    for certificate in found.certs {
        // One unreadable certificate in the bundle is not a reason to trust none.
        let _ = roots.add(certificate);
    }
    if roots.is_empty() {
        return Err(format!(
            "no CA certificates found to check the WebSocket API's certificate (set SSL_CERT_FILE \
             to a PEM bundle){}",
            found
                .errors
                .first()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        ));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_read_or_refused() {
        // (endpoint, Ok((scheme, host, port, authority, prefix)) or the error's end)
        let cases: &[(&str, Result<(&str, &str, u16, &str, &str), &str>)] = &[
            (
                "https://abc.execute-api.us-east-1.amazonaws.com/dev",
                Ok((
                    "https",
                    "abc.execute-api.us-east-1.amazonaws.com",
                    443,
                    "abc.execute-api.us-east-1.amazonaws.com",
                    "/dev",
                )),
            ),
            (
                "http://127.0.0.1:9000/api/",
                Ok(("http", "127.0.0.1", 9000, "127.0.0.1:9000", "/api")),
            ),
            (
                "https://ws.example.com",
                Ok(("https", "ws.example.com", 443, "ws.example.com", "")),
            ),
            ("wss://abc/dev", Err("is not an https:// URL")),
            (
                "https://host:port/dev",
                Err("has a port that is not a number"),
            ),
        ];
        for (endpoint, expected) in cases {
            let got = Endpoint::parse(endpoint).map(|e| {
                (
                    e.scheme,
                    e.host.clone(),
                    e.port,
                    e.authority.clone(),
                    e.prefix.clone(),
                )
            });
            match (got, expected) {
                (Ok(got), Ok(want)) => assert_eq!(
                    (got.0, got.1.as_str(), got.2, got.3.as_str(), got.4.as_str()),
                    *want,
                    "{endpoint}"
                ),
                (Err(error), Err(end)) => {
                    let text = error.to_string();
                    assert!(text.contains(end), "{endpoint}: {text}");
                }
                (got, want) => panic!("{endpoint}: got {:?}, want {want:?}", got.map(|g| g.0)),
            }
        }
    }

    #[test]
    fn answers_become_outcomes() {
        let cases: &[(u16, &str, &str)] = &[
            (200, "", "ok"),
            (410, "", "WebSocket connection abc= is gone"),
            (
                403,
                r#"{"message":"Forbidden"}"#,
                "the WebSocket management API answered 403: Forbidden",
            ),
            (
                413,
                r#"{"Message":"Payload too large"}"#,
                "the WebSocket management API answered 413: Payload too large",
            ),
            (
                500,
                "oops",
                "the WebSocket management API answered 500: oops",
            ),
        ];
        for (status, body, expected) in cases {
            let got = match outcome("abc=", *status, body.as_bytes()) {
                Ok(()) => "ok".to_owned(),
                Err(error) => error.to_string(),
            };
            assert_eq!(got, *expected, "{status}");
        }
    }

    #[test]
    fn the_region_is_the_functions_or_the_domains() {
        // Only the domain's case: the environment is the process's, shared by tests.
        if std::env::var("AWS_REGION").is_err() && std::env::var("AWS_DEFAULT_REGION").is_err() {
            assert_eq!(
                region("abc.execute-api.eu-west-3.amazonaws.com")
                    .ok()
                    .as_deref(),
                Some("eu-west-3")
            );
            assert!(region("ws.example.com").is_err());
        }
    }
}
