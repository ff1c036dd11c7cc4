//! String maps for query strings, URI captures and stage variables.

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// A multi-valued string map (Chalice's `MultiDict`), used for query parameters.
///
/// [`get`](MultiDict::get) returns the *last* value of a key, as Chalice does;
/// [`get_list`](MultiDict::get_list) returns all of them.
///
/// ```
/// use chalice_core::MultiDict;
///
/// let query = MultiDict::parse("tag=a&tag=b&q=hello+world&empty=").expect("not empty");
/// assert_eq!(query.get("tag"), Some("b"));
/// assert_eq!(query.get_list("tag"), ["a", "b"]);
/// assert_eq!(query.get("q"), Some("hello world"));
/// assert_eq!(query.get("empty"), Some(""));
/// assert_eq!(query.get("missing"), None);
/// assert_eq!(MultiDict::parse(""), None);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MultiDict {
    entries: Vec<(String, String)>,
}

impl MultiDict {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a query string (`a=1&b=2`, without the `?`): `+` is a space, `%XX` escapes are
    /// decoded, a key without `=` has the empty value. `None` when there are no parameters,
    /// as API Gateway sends `null` for an absent or empty query string.
    pub fn parse(query: &str) -> Option<Self> {
        let entries: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        (!entries.is_empty()).then_some(MultiDict { entries })
    }

    /// Adds a value for `key` after the ones it has.
    pub fn push(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.entries.push((key.into(), value.into()));
    }

    /// The last value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order.
    pub fn get_list(&self, key: &str) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Whether `key` has a value.
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    /// The distinct keys, in order of first appearance.
    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.entries
            .iter()
            .enumerate()
            .filter(|(i, (k, _))| !self.entries[..*i].iter().any(|(seen, _)| seen == k))
            .map(|(_, (k, _))| k.as_str())
    }

    /// Every key and value pair, in order, keys repeated.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The number of distinct keys.
    pub fn len(&self) -> usize {
        self.keys().count()
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for MultiDict {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        MultiDict {
            entries: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

impl fmt::Debug for MultiDict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.keys().map(|k| (k, self.get_list(k))))
            .finish()
    }
}

/// Serialized as Chalice's `to_dict()` does: each key with its last value.
impl Serialize for MultiDict {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for key in self.keys() {
            map.serialize_entry(key, &self.get(key))?;
        }
        map.end()
    }
}

/// A string map with one value per key, in insertion order: URI captures, stage variables.
///
/// ```
/// use chalice_core::Params;
///
/// let params: Params = [("name", "bob")].into_iter().collect();
/// assert_eq!(params.get("name"), Some("bob"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params {
    entries: Vec<(String, String)>,
}

impl Params {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value`.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let (key, value) = (key.into(), value.into());
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every key and value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let iter = iter.into_iter();
        // Sized once: every Lambda event with captures builds its parameters this way.
        let mut params = Params {
            entries: Vec::with_capacity(iter.size_hint().0),
        };
        for (k, v) in iter {
            params.insert(k, v);
        }
        params
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Params {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (k, v) in self.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_parse_like_api_gateway() {
        // (query string, expected key -> values)
        let cases: &[(&str, &[(&str, &[&str])])] = &[
            ("a=1", &[("a", &["1"])]),
            ("a=1&a=2&b=3", &[("a", &["1", "2"]), ("b", &["3"])]),
            ("a", &[("a", &[""])]),
            ("a=&b=", &[("a", &[""]), ("b", &[""])]),
            ("q=a+b%20c", &[("q", &["a b c"])]),
            ("%E2%9C%93=%F0%9F%91%8D", &[("✓", &["👍"])]),
            ("bad=%ZZ%", &[("bad", &["%ZZ%"])]),
            ("x=%FF", &[("x", &["\u{FFFD}"])]),
            ("a=1&&b=2", &[("a", &["1"]), ("b", &["2"])]),
            ("k=v=w", &[("k", &["v=w"])]),
        ];
        for (query, expected) in cases {
            let parsed = MultiDict::parse(query).expect(query);
            assert_eq!(parsed.len(), expected.len(), "{query}");
            for (key, values) in *expected {
                assert_eq!(parsed.get_list(key), *values, "{query}: {key}");
            }
        }
        for empty in ["", "&", "&&"] {
            assert_eq!(MultiDict::parse(empty), None, "{empty:?}");
        }
    }

    #[test]
    fn serializes_last_values_like_chalice_to_dict() {
        let query = MultiDict::parse("a=1&b=2&a=3").expect("not empty");
        assert_eq!(
            serde_json::to_string(&query).expect("json"),
            r#"{"a":"3","b":"2"}"#
        );
        assert_eq!(query.keys().collect::<Vec<_>>(), ["a", "b"]);
    }
}
