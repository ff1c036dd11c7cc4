//! CORS: the `Access-Control-*` headers a route adds to every response.
//!
//! [`CorsConfig`] is the builder routes take; what it builds is the one model of CORS headers
//! the app and the CLI share ([`CorsManifest`], in `chalice-manifest`), so the headers the app
//! sends and the ones the deployed preflight answers with can't drift apart.

use std::sync::Arc;

use chalice_manifest::CorsManifest;
use http::header::{HeaderName, HeaderValue};

/// A route's CORS configuration (Chalice's `CORSConfig`).
///
/// `Route::cors(true)` uses the default: any origin, the headers API Gateway needs.
///
/// ```
/// use chalice_core::CorsConfig;
///
/// let cors = CorsConfig::new()
///     .allow_origin("https://example.com")
///     .allow_headers(["X-Special-Header"])
///     .max_age(600)
///     .expose_headers(["X-Total-Count"])
///     .allow_credentials(true);
/// let headers = cors.access_control_headers();
/// assert_eq!(headers[0], ("Access-Control-Allow-Origin", "https://example.com".to_owned()));
/// assert_eq!(
///     headers[1].1,
///     "Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key,X-Special-Header"
/// );
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct CorsConfig {
    headers: CorsManifest,
    /// The headers as parsed header names and values, made again by every builder method:
    /// dispatch copies them onto each response of the route and never formats them per
    /// request.
    response_headers: Arc<[(HeaderName, HeaderValue)]>,
}

impl Default for CorsConfig {
    fn default() -> Self {
        CorsConfig {
            headers: CorsManifest::default(),
            response_headers: Arc::new([]),
        }
        .with_response_headers()
    }
}

impl std::fmt::Debug for CorsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CorsConfig").field(&self.headers).finish()
    }
}

impl CorsConfig {
    /// The default configuration: origin `*` and the headers API Gateway requires.
    pub fn new() -> Self {
        Self::default()
    }

    /// `Access-Control-Allow-Origin` (default `*`).
    #[must_use]
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.headers.allow_origin = origin.into();
        self.with_response_headers()
    }

    /// Headers to allow besides the ones API Gateway requires (which are always allowed).
    #[must_use]
    pub fn allow_headers<I, S>(mut self, headers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.headers.add_allow_headers(headers);
        self.with_response_headers()
    }

    /// `Access-Control-Expose-Headers`.
    #[must_use]
    pub fn expose_headers<I, S>(mut self, headers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.headers.expose_headers = headers.into_iter().map(Into::into).collect();
        self.with_response_headers()
    }

    /// `Access-Control-Max-Age`, in seconds.
    #[must_use]
    pub fn max_age(mut self, seconds: u32) -> Self {
        self.headers.max_age = Some(seconds);
        self.with_response_headers()
    }

    /// `Access-Control-Allow-Credentials: true` when set.
    #[must_use]
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.headers.allow_credentials = allow;
        self.with_response_headers()
    }

    /// The headers added to each response, in Chalice's order. `Access-Control-Allow-Methods`
    /// is not among them: API Gateway's preflight answer adds it.
    pub fn access_control_headers(&self) -> Vec<(&'static str, String)> {
        self.headers.access_control_headers()
    }

    /// The headers added to each response, parsed (a value HTTP cannot carry, such as an
    /// origin with a newline, is left out).
    pub(crate) fn response_headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.response_headers
    }

    /// The headers of API Gateway's answer to a preflight on a path whose CORS routes have
    /// `methods` (the one model, [`CorsManifest::preflight_headers`]).
    pub(crate) fn preflight_headers<'m>(
        &self,
        methods: impl IntoIterator<Item = &'m str>,
    ) -> Vec<(&'static str, String)> {
        self.headers.preflight_headers(methods)
    }

    fn with_response_headers(mut self) -> Self {
        self.response_headers = self
            .headers
            .access_control_headers()
            .into_iter()
            .filter_map(|(name, value)| {
                let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
                Some((name, HeaderValue::from_str(&value).ok()?))
            })
            .collect();
        self
    }
}

impl From<&CorsConfig> for CorsManifest {
    fn from(config: &CorsConfig) -> Self {
        config.headers.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_headers_match_chalice() {
        assert_eq!(
            CorsConfig::default().access_control_headers(),
            [
                ("Access-Control-Allow-Origin", "*".to_owned()),
                (
                    "Access-Control-Allow-Headers",
                    "Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key"
                        .to_owned()
                ),
            ]
        );
    }

    #[test]
    fn optional_headers_appear_only_when_set() {
        let names = |c: CorsConfig| {
            c.access_control_headers()
                .into_iter()
                .map(|(n, _)| n)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(CorsConfig::new().allow_credentials(false)).len(), 2);
        assert!(names(CorsConfig::new().max_age(0)).contains(&"Access-Control-Max-Age"));
        assert!(
            names(CorsConfig::new().allow_credentials(true))
                .contains(&"Access-Control-Allow-Credentials")
        );
        assert!(
            names(CorsConfig::new().expose_headers(["X-A"]))
                .contains(&"Access-Control-Expose-Headers")
        );
    }

    #[test]
    fn response_headers_are_the_access_control_headers_made_once() {
        let configs = [
            CorsConfig::new(),
            CorsConfig::new()
                .allow_origin("https://a")
                .allow_headers(["X-A"])
                .expose_headers(["X-B", "X-C"])
                .max_age(60)
                .allow_credentials(true),
        ];
        for config in configs {
            let parsed: Vec<(String, String)> = config
                .response_headers()
                .iter()
                .map(|(name, value)| {
                    let value = value.to_str().expect("ASCII");
                    (name.as_str().to_owned(), value.to_owned())
                })
                .collect();
            let spelled: Vec<(String, String)> = config
                .access_control_headers()
                .into_iter()
                .map(|(name, value)| (name.to_ascii_lowercase(), value))
                .collect();
            assert_eq!(parsed, spelled, "{config:?}");
        }
        // A value HTTP cannot carry is left out, never sent.
        let broken = CorsConfig::new().allow_origin("https://a\nX-Injected: 1");
        let names: Vec<&str> = broken
            .response_headers()
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(names, ["access-control-allow-headers"]);
    }

    #[test]
    fn configs_compare_by_their_headers() {
        assert_eq!(
            CorsConfig::new(),
            CorsConfig::new().allow_headers(["Content-Type"])
        );
        assert_ne!(
            CorsConfig::new(),
            CorsConfig::new().allow_origin("https://a")
        );
    }
}
