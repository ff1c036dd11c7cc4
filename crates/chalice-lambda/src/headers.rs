//! The event's headers, handed to the core unbuilt ([`HeaderSource`]): dispatch looks up
//! `Content-Type` and `Accept` by scanning the event's pairs, and the header map is built
//! only when a view reads `request.headers()`.
//!
//! A REST API event carries twenty-odd headers with mixed-case names; building them into an
//! `http::HeaderMap` (lowercasing and allocating each name that is not a standard one,
//! hashing each into the map, then dropping it all) cost about 19,000 instructions per event
//! of the 74,000 the whole event took, for a view that reads none of them.

use std::borrow::Cow;
use std::ops::Range;

use bytes::Bytes;
use chalice_core::Headers;
use chalice_core::adapter::HeaderSource;
use http::header::{COOKIE, HeaderMap, HeaderName, HeaderValue};

use crate::event::{Pairs, Str};

/// More than a `HeaderMap` holds (32,768) are cut here, so that lookups and the built map
/// see the same headers (one place is left for payload 2.0's joined cookies).
const MAX_HEADERS: usize = (1 << 15) - 1;

/// Headers as (name, value) pairs of the event, in the order received.
pub(crate) struct EventHeaders {
    event: Bytes,
    pairs: Vec<(Piece, Piece)>,
    /// Payload 2.0's `cookies`, joined into one `Cookie` header.
    cookie: Option<String>,
}

/// A name or value: where it lies in the event, or its own text when JSON escapes had to
/// be undone.
enum Piece {
    At(Range<usize>),
    Owned(Box<str>),
}

impl EventHeaders {
    /// The pairs of `headers` or `multiValueHeaders`, whose borrowed strings are slices of
    /// `event`.
    pub(crate) fn new(event: &Bytes, pairs: Pairs<'_>, cookie: Option<String>) -> Self {
        let start = event.as_ptr() as usize;
        let piece = |text: Str<'_>| match text.0 {
            Cow::Borrowed(text)
                if start <= text.as_ptr() as usize
                    && text.as_ptr() as usize + text.len() <= start + event.len() =>
            {
                let at = text.as_ptr() as usize - start;
                Piece::At(at..at + text.len())
            }
            other => Piece::Owned(other.into_owned().into_boxed_str()),
        };
        let pairs = pairs
            .0
            .into_iter()
            .take(MAX_HEADERS)
            .map(|(name, value)| (piece(name), piece(value)))
            .collect();
        EventHeaders {
            event: event.clone(),
            pairs,
            cookie: cookie.filter(|c| valid_value(c.as_bytes())),
        }
    }

    fn bytes<'a>(&'a self, piece: &'a Piece) -> &'a [u8] {
        match piece {
            Piece::At(range) => self.event.get(range.clone()).unwrap_or_default(),
            Piece::Owned(text) => text.as_bytes(),
        }
    }
}

impl std::fmt::Debug for EventHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventHeaders")
            .field("pairs", &self.pairs.len())
            .finish_non_exhaustive()
    }
}

impl HeaderSource for EventHeaders {
    fn get(&self, name: &str) -> Option<&str> {
        if let Some(cookie) = &self.cookie
            && name.eq_ignore_ascii_case("cookie")
        {
            return Some(cookie);
        }
        if !valid_name(name.as_bytes()) {
            return None;
        }
        // The last valid value, as `Headers::get` answers from the built map; a name that
        // equals a valid `name` is itself valid.
        self.pairs
            .iter()
            .rev()
            .map(|(n, v)| (self.bytes(n), self.bytes(v)))
            .find(|(n, v)| n.eq_ignore_ascii_case(name.as_bytes()) && valid_value(v))
            .and_then(|(_, value)| std::str::from_utf8(value).ok())
    }

    /// The headers, lowercased by `http`. A name or value HTTP cannot carry (API Gateway
    /// never sends one; a hand-written event might) is left out rather than failing the
    /// request, as a proxy would drop it. Values are slices of the event (shared, no copy)
    /// unless JSON escapes had to be undone.
    fn build(&self) -> Headers {
        let mut map =
            HeaderMap::try_with_capacity(self.pairs.len().min(256) + 1).unwrap_or_default();
        for (name, value) in &self.pairs {
            let value = match value {
                Piece::At(range) => HeaderValue::from_maybe_shared(self.event.slice(range.clone())),
                Piece::Owned(text) => HeaderValue::from_str(text),
            };
            let name = HeaderName::from_bytes(self.bytes(name));
            let (Ok(name), Ok(value)) = (name, value) else {
                tracing::debug!(target: "chalice::lambda", "a header left out: not valid in HTTP");
                continue;
            };
            // Within the map's capacity: the pairs were cut to fit.
            let _ = map.try_append(name, value);
        }
        if let Some(cookie) = &self.cookie
            && let Ok(value) = HeaderValue::try_from(cookie.as_str())
        {
            let _ = map.try_insert(COOKIE, value);
        }
        Headers::from(map)
    }
}

/// What `HeaderName` accepts: an RFC 9110 token.
fn valid_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// What `HeaderValue` accepts: no control character but tab.
fn valid_value(value: &[u8]) -> bool {
    value.iter().all(|&b| (b >= 32 && b != 127) || b == b'\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `get` answers as the built map does, for every name asked.
    #[test]
    fn lookups_agree_with_the_built_headers() {
        // (headers object as the event has it, cookies, name asked, value)
        let cases: &[(&str, Option<&str>, &str, Option<&str>)] = &[
            (
                r#"{"Content-Type": "text/plain"}"#,
                None,
                "content-type",
                Some("text/plain"),
            ),
            (
                r#"{"Content-Type": "text/plain"}"#,
                None,
                "CONTENT-TYPE",
                Some("text/plain"),
            ),
            (r#"{"Accept": ["a", "b"]}"#, None, "accept", Some("b")),
            (
                r#"{"Accept": "a", "accept": "b"}"#,
                None,
                "Accept",
                Some("b"),
            ),
            (r#"{"X-Q": "say \"hi\""}"#, None, "x-q", Some("say \"hi\"")),
            (
                r#"{"X-Bad": ["ok", "line\nbreak"]}"#,
                None,
                "x-bad",
                Some("ok"),
            ),
            (r#"{"X-Bad": "line\nbreak"}"#, None, "x-bad", None),
            (r#"{"Bad Name": "v"}"#, None, "bad name", None),
            (
                r#"{"Cookie": "a=1"}"#,
                Some("b=2; c=3"),
                "cookie",
                Some("b=2; c=3"),
            ),
            (
                r#"{"Cookie": "a=1"}"#,
                Some("bad\ncookie"),
                "cookie",
                Some("a=1"),
            ),
            (r#"{}"#, None, "accept", None),
            (r#"{"Accept": null}"#, None, "accept", None),
        ];
        for (json, cookie, name, expected) in cases {
            let event = Bytes::copy_from_slice(json.as_bytes());
            let text = std::str::from_utf8(&event).expect("UTF-8");
            let pairs: Pairs<'_> = serde_json::from_str(text).expect("pairs");
            let headers = EventHeaders::new(&event, pairs, cookie.map(str::to_owned));
            assert_eq!(headers.get(name), *expected, "{json} {name}");
            assert_eq!(headers.build().get(name), *expected, "built: {json} {name}");
        }
    }

    #[test]
    fn values_are_slices_of_the_event_unless_escaped() {
        let event = Bytes::from_static(br#"{"A": "plain", "B": "esc\"aped"}"#);
        let text = std::str::from_utf8(&event).expect("UTF-8");
        let pairs: Pairs<'_> = serde_json::from_str(text).expect("pairs");
        let headers = EventHeaders::new(&event, pairs, None);
        assert!(matches!(headers.pairs[0].1, Piece::At(_)));
        assert!(matches!(headers.pairs[1].1, Piece::Owned(_)));
    }
}
