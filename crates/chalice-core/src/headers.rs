//! Case-insensitive, multi-valued HTTP headers, for requests and responses alike.

use std::fmt;

use http::header::{HeaderMap, HeaderName, HeaderValue};

/// HTTP headers: names are case-insensitive, a name may have several values.
///
/// Chalice's `headers` mapping, backed by [`http::HeaderMap`] so the local server hands
/// hyper's map over without copying it.
///
/// Setting a name or value HTTP cannot carry (a newline, say) does not panic: the header is
/// left out and the mistake is kept, and dispatch answers such a response with a 500 instead
/// of sending it (Chalice refuses single values with a newline; we refuse multi-valued ones
/// too, which Chalice lets through).
///
/// ```
/// use chalice_core::Headers;
///
/// let mut headers = Headers::new();
/// headers.insert("Content-Type", "text/plain");
/// headers.append("Set-Cookie", "a=1");
/// headers.append("set-cookie", "b=2");
/// assert_eq!(headers.get("content-type"), Some("text/plain"));
/// assert_eq!(headers.get_all("SET-COOKIE").collect::<Vec<_>>(), ["a=1", "b=2"]);
///
/// headers.insert("X-Bad", "line one\nline two");
/// assert!(headers.get("x-bad").is_none());
/// assert_eq!(headers.invalid(), Some(r#"Bad value for header 'X-Bad': "line one\nline two""#));
/// ```
#[derive(Clone, Default)]
pub struct Headers {
    map: HeaderMap,
    invalid: Option<Box<str>>,
}

impl Headers {
    /// An empty set of headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// The last value of `name`, if it is valid UTF-8.
    ///
    /// The last, as API Gateway's single-valued `headers` map keeps the last of repeated
    /// headers.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.last(name)
    }

    /// [`Headers::get`] by a name already parsed (`http::header::CONTENT_TYPE`), for the
    /// lookups dispatch makes on every response.
    pub(crate) fn last(&self, name: impl http::header::AsHeaderName) -> Option<&str> {
        self.map
            .get_all(name)
            .iter()
            .next_back()
            .and_then(|value| std::str::from_utf8(value.as_bytes()).ok())
    }

    /// Every value of `name`, in the order received (values that are not UTF-8 are skipped).
    pub fn get_all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> + 'a {
        self.map
            .get_all(name)
            .iter()
            .filter_map(|value| std::str::from_utf8(value.as_bytes()).ok())
    }

    /// Whether `name` has at least one value.
    pub fn contains_key(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// Sets `name` to `value`, replacing any values it had.
    pub fn insert(&mut self, name: &str, value: impl AsRef<str>) {
        if let Some((name, value)) = self.checked(name, value.as_ref()) {
            self.map.insert(name, value);
        }
    }

    /// Adds `value` to the values of `name`.
    pub fn append(&mut self, name: &str, value: impl AsRef<str>) {
        if let Some((name, value)) = self.checked(name, value.as_ref()) {
            self.map.append(name, value);
        }
    }

    /// Sets `name` to `value`, or says why HTTP cannot carry it.
    ///
    /// ```
    /// let mut headers = chalice_core::Headers::new();
    /// assert!(headers.try_insert("X-Ok", "fine").is_ok());
    /// assert!(headers.try_insert("X-Bad", "a\r\nInjected: yes").is_err());
    /// assert!(headers.invalid().is_none());
    /// ```
    pub fn try_insert(&mut self, name: &str, value: &str) -> Result<(), InvalidHeader> {
        let (name, value) = parse(name, value)?;
        self.map.insert(name, value);
        Ok(())
    }

    /// Removes every value of `name`.
    pub fn remove(&mut self, name: &str) {
        self.map.remove(name);
    }

    /// Each name (lowercase) and value, repeated names once per value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.map.iter().filter_map(|(name, value)| {
            Some((name.as_str(), std::str::from_utf8(value.as_bytes()).ok()?))
        })
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The first header that could not be set, as the message dispatch logs for it.
    pub fn invalid(&self) -> Option<&str> {
        self.invalid.as_deref()
    }

    /// The underlying [`http::HeaderMap`].
    pub fn as_header_map(&self) -> &HeaderMap {
        &self.map
    }

    /// The underlying [`http::HeaderMap`], mutably.
    pub fn as_header_map_mut(&mut self) -> &mut HeaderMap {
        &mut self.map
    }

    /// The underlying [`http::HeaderMap`].
    pub fn into_header_map(self) -> HeaderMap {
        self.map
    }

    fn checked(&mut self, name: &str, value: &str) -> Option<(HeaderName, HeaderValue)> {
        match parse(name, value) {
            Ok(pair) => Some(pair),
            Err(error) => {
                self.invalid
                    .get_or_insert_with(|| error.to_string().into_boxed_str());
                None
            }
        }
    }
}

fn parse(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), InvalidHeader> {
    let invalid = || InvalidHeader {
        name: name.to_owned(),
        value: value.to_owned(),
    };
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
    let value = HeaderValue::from_str(value).map_err(|_| invalid())?;
    Ok((name, value))
}

impl From<HeaderMap> for Headers {
    fn from(map: HeaderMap) -> Self {
        Headers { map, invalid: None }
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl PartialEq for Headers {
    fn eq(&self, other: &Self) -> bool {
        self.map == other.map && self.invalid == other.invalid
    }
}

impl<N: AsRef<str>, V: AsRef<str>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        let mut headers = Headers::new();
        for (name, value) in iter {
            headers.append(name.as_ref(), value);
        }
        headers
    }
}

/// A header name or value that HTTP cannot carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidHeader {
    name: String,
    value: String,
}

impl fmt::Display for InvalidHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Chalice's wording (`Bad value for header '%s': %r`), with Rust's quoting.
        write!(f, "Bad value for header '{}': {:?}", self.name, self.value)
    }
}

impl std::error::Error for InvalidHeader {}

/// Headers an adapter hands over unbuilt: looked up by name without building a map, built
/// into [`Headers`] only when a view (or middleware) reads [`crate::Request::headers`].
///
/// Dispatch itself reads two or three headers per request (`Content-Type` for the 415
/// check and the JSON body, `Accept` for a binary response); an API Gateway event carries
/// twenty or more, each of which would otherwise be parsed into a [`HeaderName`] and hashed
/// into a map. The Lambda adapter passes the event's headers as slices of the event.
///
/// `get` and `build` must agree: `get(name)` is `build().get(name)`.
///
/// ```
/// use chalice_core::adapter::HeaderSource;
/// use chalice_core::{Headers, Method, Request};
///
/// struct Pairs(Vec<(&'static str, &'static str)>);
///
/// impl HeaderSource for Pairs {
///     fn get(&self, name: &str) -> Option<&str> {
///         self.0.iter().rev().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
///     }
///     fn build(&self) -> Headers {
///         let mut headers = Headers::new();
///         for (name, value) in &self.0 {
///             headers.append(name, value);
///         }
///         headers
///     }
/// }
///
/// let request = Request::builder(Method::GET, "/")
///     .header_source(Pairs(vec![("Accept", "text/html"), ("X-Trace", "1")]))
///     .build();
/// assert_eq!(request.header("accept"), Some("text/html"));
/// assert_eq!(request.headers().get("x-trace"), Some("1"));
/// ```
pub trait HeaderSource: Send + Sync + 'static {
    /// The last value of `name` (ASCII case-insensitive), as [`Headers::get`] answers it.
    fn get(&self, name: &str) -> Option<&str>;

    /// Every header, in the order received.
    fn build(&self) -> Headers;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_names_and_values() {
        // (name, value, accepted)
        let cases = [
            ("X-A", "plain", true),
            ("X-A", "tab\tinside", true),
            ("X-A", "unicode é", true),
            ("X-A", "new\nline", false),
            ("X-A", "carriage\rreturn", false),
            ("X-A", "nul\0", false),
            ("Bad Name", "v", false),
            ("Bad:Name", "v", false),
            ("", "v", false),
        ];
        for (name, value, accepted) in cases {
            let mut headers = Headers::new();
            headers.append(name, value);
            assert_eq!(headers.invalid().is_none(), accepted, "{name:?}: {value:?}");
            assert_eq!(
                headers.get(name) == Some(value),
                accepted,
                "{name:?}: {value:?}"
            );
        }
    }

    #[test]
    fn first_mistake_is_kept() {
        let mut headers = Headers::new();
        headers.append("Set-Cookie", "a=1");
        headers.append("Set-Cookie", "b=2\nInjected: 1");
        headers.append("X", "c\r");
        assert_eq!(
            headers.invalid(),
            Some(r#"Bad value for header 'Set-Cookie': "b=2\nInjected: 1""#)
        );
        assert_eq!(headers.get_all("set-cookie").collect::<Vec<_>>(), ["a=1"]);
    }

    #[test]
    fn get_returns_the_last_value() {
        let headers: Headers = [("Accept", "a"), ("accept", "b")].into_iter().collect();
        assert_eq!(headers.get("ACCEPT"), Some("b"));
        assert_eq!(headers.len(), 2);
    }
}
