//! CORS: the one model of a route's `Access-Control-*` headers, for the app (which adds them
//! to every response) and for the CLI (which writes them into API Gateway's preflight).

use serde::{Deserialize, Serialize};

/// The request headers API Gateway's own features use; Chalice always allows them.
pub const REQUIRED_HEADERS: [&str; 5] = [
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
];

/// A CORS configuration: what the app's `CorsConfig` holds, and what the manifest carries.
///
/// [`CorsManifest::default`] is Chalice's default (`cors=True`): any origin, the
/// [`REQUIRED_HEADERS`].
///
/// ```
/// use chalice_manifest::CorsManifest;
///
/// let mut cors = CorsManifest::default();
/// cors.add_allow_headers(["X-Special"]);
/// cors.max_age = Some(600);
/// assert_eq!(
///     cors.access_control_headers(),
///     [
///         ("Access-Control-Allow-Origin", "*".to_owned()),
///         (
///             "Access-Control-Allow-Headers",
///             "Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key,X-Special"
///                 .to_owned()
///         ),
///         ("Access-Control-Max-Age", "600".to_owned()),
///     ]
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CorsManifest {
    /// `Access-Control-Allow-Origin`.
    pub allow_origin: String,
    /// `Access-Control-Allow-Headers`, sorted, without duplicates, the required ones
    /// included (keep it so with [`CorsManifest::add_allow_headers`]).
    pub allow_headers: Vec<String>,
    /// `Access-Control-Expose-Headers`.
    #[serde(default)]
    pub expose_headers: Vec<String>,
    /// `Access-Control-Max-Age`, in seconds.
    #[serde(default)]
    pub max_age: Option<u32>,
    /// `Access-Control-Allow-Credentials: true`.
    #[serde(default)]
    pub allow_credentials: bool,
}

impl Default for CorsManifest {
    fn default() -> Self {
        let mut cors = CorsManifest {
            allow_origin: "*".to_owned(),
            allow_headers: Vec::new(),
            expose_headers: Vec::new(),
            max_age: None,
            allow_credentials: false,
        };
        cors.add_allow_headers(REQUIRED_HEADERS);
        cors
    }
}

impl CorsManifest {
    /// Adds headers to `allow_headers`, keeping it sorted and free of duplicates (the order
    /// Chalice writes them in, and what makes two configurations compare equal).
    pub fn add_allow_headers<I, S>(&mut self, headers: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allow_headers
            .extend(headers.into_iter().map(Into::into));
        self.allow_headers.sort_unstable();
        self.allow_headers.dedup();
    }

    /// The headers each response of the route carries, in Chalice's order.
    /// `Access-Control-Allow-Methods` is not among them: only the preflight answer
    /// ([`CorsManifest::preflight_headers`]) has it.
    pub fn access_control_headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            ("Access-Control-Allow-Origin", self.allow_origin.clone()),
            ("Access-Control-Allow-Headers", self.allow_headers.join(",")),
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

    /// The headers of API Gateway's answer to a preflight on a path whose CORS routes have
    /// `methods`: `Access-Control-Allow-Methods` (those methods, then `OPTIONS`), then
    /// [`CorsManifest::access_control_headers`]. This is the mock integration Chalice
    /// defines for the path, and what the local server answers in its place.
    ///
    /// ```
    /// use chalice_manifest::CorsManifest;
    ///
    /// let headers = CorsManifest::default().preflight_headers(["GET", "PUT"]);
    /// assert_eq!(headers[0], ("Access-Control-Allow-Methods", "GET,PUT,OPTIONS".to_owned()));
    /// assert_eq!(headers[1].0, "Access-Control-Allow-Origin");
    /// ```
    pub fn preflight_headers<'m>(
        &self,
        methods: impl IntoIterator<Item = &'m str>,
    ) -> Vec<(&'static str, String)> {
        let methods: Vec<&str> = methods.into_iter().chain(["OPTIONS"]).collect();
        let mut headers = vec![("Access-Control-Allow-Methods", methods.join(","))];
        headers.extend(self.access_control_headers());
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_follow_the_configuration() {
        let full = CorsManifest {
            allow_origin: "https://a".to_owned(),
            allow_headers: vec!["X-B".to_owned()],
            expose_headers: vec!["X-C".to_owned(), "X-D".to_owned()],
            max_age: Some(0),
            allow_credentials: true,
        };
        let cases: &[(CorsManifest, &[(&str, &str)])] = &[
            (
                CorsManifest::default(),
                &[
                    ("Access-Control-Allow-Origin", "*"),
                    (
                        "Access-Control-Allow-Headers",
                        "Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key",
                    ),
                ],
            ),
            (
                full,
                &[
                    ("Access-Control-Allow-Origin", "https://a"),
                    ("Access-Control-Allow-Headers", "X-B"),
                    ("Access-Control-Expose-Headers", "X-C,X-D"),
                    ("Access-Control-Max-Age", "0"),
                    ("Access-Control-Allow-Credentials", "true"),
                ],
            ),
        ];
        for (cors, expected) in cases {
            let headers = cors.access_control_headers();
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            assert_eq!(headers, *expected, "{cors:?}");
        }
    }

    #[test]
    fn allowed_headers_stay_sorted_and_unique() {
        let mut cors = CorsManifest::default();
        cors.add_allow_headers(["X-Z", "Content-Type", "Accept"]);
        assert_eq!(
            cors.allow_headers,
            [
                "Accept",
                "Authorization",
                "Content-Type",
                "X-Amz-Date",
                "X-Amz-Security-Token",
                "X-Api-Key",
                "X-Z"
            ]
        );
    }

    #[test]
    fn the_preflight_names_the_methods_then_the_headers() {
        let headers = CorsManifest::default().preflight_headers(["DELETE"]);
        let names: Vec<&str> = headers.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            names,
            [
                "Access-Control-Allow-Methods",
                "Access-Control-Allow-Origin",
                "Access-Control-Allow-Headers"
            ]
        );
        assert_eq!(headers[0].1, "DELETE,OPTIONS");
    }
}
