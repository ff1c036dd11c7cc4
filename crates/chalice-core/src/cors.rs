//! CORS: the `Access-Control-*` headers a route adds to every response.

use std::collections::BTreeSet;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsConfig {
    allow_origin: String,
    allow_headers: BTreeSet<String>,
    expose_headers: Vec<String>,
    max_age: Option<u32>,
    allow_credentials: bool,
}

impl Default for CorsConfig {
    fn default() -> Self {
        CorsConfig {
            allow_origin: "*".to_owned(),
            allow_headers: REQUIRED_HEADERS.iter().map(|h| (*h).to_owned()).collect(),
            expose_headers: Vec::new(),
            max_age: None,
            allow_credentials: false,
        }
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
        self
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
        self
    }

    /// `Access-Control-Expose-Headers`.
    #[must_use]
    pub fn expose_headers<I, S>(mut self, headers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.expose_headers = headers.into_iter().map(Into::into).collect();
        self
    }

    /// `Access-Control-Max-Age`, in seconds.
    #[must_use]
    pub fn max_age(mut self, seconds: u32) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// `Access-Control-Allow-Credentials: true` when set.
    #[must_use]
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.allow_credentials = allow;
        self
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

    /// The headers added to each response, in Chalice's order. `Access-Control-Allow-Methods`
    /// is not among them: API Gateway's preflight answer adds it.
    pub fn access_control_headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            ("Access-Control-Allow-Origin", self.allow_origin.clone()),
            (
                "Access-Control-Allow-Headers",
                self.allow_headers
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        ];
        if !self.expose_headers.is_empty() {
            headers.push((
                "Access-Control-Expose-Headers",
                self.expose_headers.join(","),
            ));
        }
        if let Some(max_age) = self.max_age {
            headers.push(("Access-Control-Max-Age", max_age.to_string()));
        }
        if self.allow_credentials {
            headers.push(("Access-Control-Allow-Credentials", "true".to_owned()));
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
