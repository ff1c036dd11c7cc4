//! CORS: the `Access-Control-*` headers a route adds to every response.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use http::header::{self, HeaderName, HeaderValue};

/// The headers API Gateway needs for its own features; Chalice always allows them.
const REQUIRED_HEADERS: [&str; 5] = [
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
];

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
    allow_origin: String,
    allow_headers: BTreeSet<String>,
    expose_headers: Vec<String>,
    max_age: Option<u32>,
    allow_credentials: bool,
    /// [`CorsConfig::access_control_headers`] as parsed header names and values, made
    /// again by every builder method: dispatch copies them onto each response of the route
    /// and never formats them per request.
    response_headers: Arc<[(HeaderName, HeaderValue)]>,
}

impl Default for CorsConfig {
    fn default() -> Self {
        CorsConfig {
            allow_origin: "*".to_owned(),
            allow_headers: REQUIRED_HEADERS.iter().map(|h| (*h).to_owned()).collect(),
            expose_headers: Vec::new(),
            max_age: None,
            allow_credentials: false,
            response_headers: Arc::new([]),
        }
        .with_response_headers()
    }
}

impl fmt::Debug for CorsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsConfig")
            .field("allow_origin", &self.allow_origin)
            .field("allow_headers", &self.allow_headers)
            .field("expose_headers", &self.expose_headers)
            .field("max_age", &self.max_age)
            .field("allow_credentials", &self.allow_credentials)
            .finish()
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
        self.allow_origin = origin.into();
        self.with_response_headers()
    }

    /// Headers to allow besides the ones API Gateway requires (which are always allowed).
    #[must_use]
    pub fn allow_headers<I, S>(mut self, headers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allow_headers
            .extend(headers.into_iter().map(Into::into));
        self.with_response_headers()
    }

    /// `Access-Control-Expose-Headers`.
    #[must_use]
    pub fn expose_headers<I, S>(mut self, headers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.expose_headers = headers.into_iter().map(Into::into).collect();
        self.with_response_headers()
    }

    /// `Access-Control-Max-Age`, in seconds.
    #[must_use]
    pub fn max_age(mut self, seconds: u32) -> Self {
        self.max_age = Some(seconds);
        self.with_response_headers()
    }

    /// `Access-Control-Allow-Credentials: true` when set.
    #[must_use]
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.allow_credentials = allow;
        self.with_response_headers()
    }

    /// The configuration's values: origin, allowed headers (sorted), exposed headers, max
    /// age, credentials.
    pub(crate) fn parts(&self) -> (String, Vec<String>, Vec<String>, Option<u32>, bool) {
        (
            self.allow_origin.clone(),
            self.allow_headers.iter().cloned().collect(),
            self.expose_headers.clone(),
            self.max_age,
            self.allow_credentials,
        )
    }

    /// The headers added to each response, parsed (a value HTTP cannot carry, such as an
    /// origin with a newline, is left out).
    pub(crate) fn response_headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.response_headers
    }

    fn with_response_headers(mut self) -> Self {
        self.response_headers = self
            .headers()
            .into_iter()
            .filter_map(|(_, name, value)| Some((name, HeaderValue::from_str(&value).ok()?)))
            .collect();
        self
    }

    /// The headers added to each response, in Chalice's order. `Access-Control-Allow-Methods`
    /// is not among them: API Gateway's preflight answer adds it.
    pub fn access_control_headers(&self) -> Vec<(&'static str, String)> {
        self.headers()
            .into_iter()
            .map(|(spelled, _, value)| (spelled, value))
            .collect()
    }

    /// Each header: its name as Chalice spells it, parsed, and its value.
    fn headers(&self) -> Vec<(&'static str, HeaderName, String)> {
        let allow_headers = self
            .allow_headers
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(",");
        let mut headers = vec![
            (
                "Access-Control-Allow-Origin",
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                self.allow_origin.clone(),
            ),
            (
                "Access-Control-Allow-Headers",
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                allow_headers,
            ),
        ];
        if !self.expose_headers.is_empty() {
            headers.push((
                "Access-Control-Expose-Headers",
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                self.expose_headers.join(","),
            ));
        }
        if let Some(max_age) = self.max_age {
            headers.push((
                "Access-Control-Max-Age",
                header::ACCESS_CONTROL_MAX_AGE,
                max_age.to_string(),
            ));
        }
        if self.allow_credentials {
            headers.push((
                "Access-Control-Allow-Credentials",
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                "true".to_owned(),
            ));
        }
        headers
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
            .map(|(n, _)| n.as_str())
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
