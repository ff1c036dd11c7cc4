//! The wire shape of API Gateway proxy events, read in one borrowed serde pass.
//!
//! One struct holds the fields of both payload versions, so an event is parsed once and
//! then told apart by its `version` field (DESIGN.md rule 5). lambda_http instead tries
//! each shape in turn through an untagged enum, which buffers the whole event into serde's
//! `Content` tree first. Strings borrow from the event unless they contain escapes;
//! `requestContext` is kept as raw JSON and parsed only if a view reads it.
//!
//! Field reference:
//! REST API (payload 1.0): <https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format>,
//! HTTP API (payload 2.0): <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html>.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// Every field either payload version may carry; absent and `null` are both `None`.
///
/// Read by [`crate::scan::event`] when the event is plain (the usual case), by serde's
/// derive otherwise: both give the same fields.
#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Event<'a> {
    /// `"2.0"` for HTTP API payload 2.0; `"1.0"` or absent for REST API proxy events (and
    /// HTTP API payload 1.0, which has the REST shape).
    #[serde(borrow, default)]
    pub(crate) version: Option<Str<'a>>,

    // Payload 1.0.
    #[serde(borrow, default)]
    pub(crate) resource: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) path: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) http_method: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) multi_value_headers: Option<Pairs<'a>>,
    #[serde(borrow, default)]
    pub(crate) multi_value_query_string_parameters: Option<Pairs<'a>>,

    // Payload 2.0.
    #[serde(borrow, default)]
    pub(crate) route_key: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) raw_path: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) raw_query_string: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) cookies: Option<Strs<'a>>,

    // Both.
    #[serde(borrow, default)]
    pub(crate) headers: Option<Pairs<'a>>,
    #[serde(borrow, default)]
    pub(crate) query_string_parameters: Option<Pairs<'a>>,
    #[serde(borrow, default)]
    pub(crate) path_parameters: Option<Pairs<'a>>,
    #[serde(borrow, default)]
    pub(crate) stage_variables: Option<Pairs<'a>>,
    #[serde(borrow, default)]
    pub(crate) request_context: Option<RawObject<'a>>,
    #[serde(borrow, default)]
    pub(crate) body: Option<Str<'a>>,
    #[serde(default)]
    pub(crate) is_base64_encoded: Option<bool>,
}

/// The few `requestContext` fields routing may need, read from the raw context only when
/// the top-level fields do not settle the route (a `$default` route, an `ANY` method, a
/// template the app does not know).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContextFields<'a> {
    #[serde(borrow, default)]
    pub(crate) stage: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) resource_path: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) http: Option<HttpFields<'a>>,
}

/// `requestContext.http` of payload 2.0.
#[derive(Deserialize, Default)]
pub(crate) struct HttpFields<'a> {
    #[serde(borrow, default)]
    pub(crate) method: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) path: Option<Str<'a>>,
}

/// A JSON object kept as its text (`requestContext`), checked to be an object and otherwise
/// left unparsed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawObject<'a>(pub(crate) &'a str);

impl<'de: 'a, 'a> Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(deserializer)?;
        if raw.get().starts_with('{') {
            return Ok(RawObject(raw.get()));
        }
        // The value as the event has it, cut short: `5`, `"x"`, `[]`.
        let text = raw.get();
        let shown = match text.char_indices().nth(40) {
            Some((end, _)) => format!("{}…", &text[..end]),
            None => text.to_owned(),
        };
        Err(de::Error::custom(format_args!(
            "requestContext must be an object, not {shown}"
        )))
    }
}

/// A string borrowed from the event, or owned when JSON escapes had to be undone.
///
/// serde's own `Cow<str>` always copies unless a derive marks the field `borrow`, which
/// does not reach into maps and lists; this type borrows wherever it appears.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Str<'a>(pub(crate) Cow<'a, str>);

impl Deref for Str<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

// `'de: 'a`, not `Str<'de>`: serde's `borrow` attribute asks for `Str<'a>: Deserialize<'de>`.
impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(StrVisitor)
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Str<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Str(Cow::Owned(v)))
    }
}

/// A list of strings (`cookies`); `null` items are skipped.
#[derive(Debug, Default)]
pub(crate) struct Strs<'a>(pub(crate) Vec<Str<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for Strs<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut out = Vec::new();
        deserializer.deserialize_seq(ListVisitor {
            out: &mut out,
            key: None,
        })?;
        Ok(Strs(out))
    }
}

/// A JSON object of strings or lists of strings, flattened into (name, value) pairs in
/// document order: `{"a": "1", "b": ["2", "3"]}` is `[(a, 1), (b, 2), (b, 3)]`.
///
/// One type for all the maps of both payloads (`headers`, `multiValueHeaders`, the query
/// maps, `pathParameters`, `stageVariables`), one allocation per map. `null` values and
/// `null` list items are skipped: API Gateway sends `null` for empty maps, and hand-written
/// events put it anywhere.
#[derive(Debug, Default)]
pub(crate) struct Pairs<'a>(pub(crate) Vec<(Str<'a>, Str<'a>)>);

impl<'de: 'a, 'a> Deserialize<'de> for Pairs<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(PairsVisitor)
    }
}

struct PairsVisitor;

impl<'de> Visitor<'de> for PairsVisitor {
    type Value = Pairs<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of strings or lists of strings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // A size hint is the input's claim: trust it only so far. serde_json gives none; API
        // Gateway's header maps hold twenty to thirty names (one growth from 16).
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(16).min(256));
        while let Some(key) = map.next_key::<Str<'de>>()? {
            map.next_value_seed(Values { key, out: &mut out })?;
        }
        Ok(Pairs(out))
    }
}

/// Pushes the value(s) of one map entry under `key`.
struct Values<'a, 'de> {
    key: Str<'de>,
    out: &'a mut Vec<(Str<'de>, Str<'de>)>,
}

impl<'de> DeserializeSeed<'de> for Values<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Values<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a string or a list of strings for {:?}", &*self.key)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<(), E> {
        self.out.push((self.key, Str(Cow::Borrowed(v))));
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.out.push((self.key, Str(Cow::Owned(v.to_owned()))));
        Ok(())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<(), E> {
        self.out.push((self.key, Str(Cow::Owned(v))));
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        ListVisitor {
            out: self.out,
            key: Some(self.key),
        }
        .visit_seq(seq)
    }
}

/// Collects a list of strings, skipping `null`s; with a key, as pairs under that key.
struct ListVisitor<'a, 'de, T> {
    out: &'a mut Vec<T>,
    key: Option<Str<'de>>,
}

/// What a list item becomes: a bare string, or a pair under the map key.
trait ListItem<'de>: Sized {
    fn make(key: &Option<Str<'de>>, value: Str<'de>) -> Self;
}

impl<'de> ListItem<'de> for Str<'de> {
    fn make(_: &Option<Str<'de>>, value: Str<'de>) -> Self {
        value
    }
}

impl<'de> ListItem<'de> for (Str<'de>, Str<'de>) {
    fn make(key: &Option<Str<'de>>, value: Str<'de>) -> Self {
        // Pairs always pass their key; an empty name would be refused as a header anyway.
        (key.clone().unwrap_or(Str(Cow::Borrowed(""))), value)
    }
}

impl<'de, T: ListItem<'de>> Visitor<'de> for ListVisitor<'_, 'de, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of strings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<Option<Str<'de>>>()? {
            if let Some(value) = item {
                self.out.push(T::make(&self.key, value));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(json: &str) -> Result<Vec<(String, String)>, String> {
        serde_json::from_str::<Pairs<'_>>(json)
            .map(|p| {
                p.0.into_iter()
                    .map(|(k, v)| (k.0.into_owned(), v.0.into_owned()))
                    .collect()
            })
            .map_err(|e| e.to_string())
    }

    #[test]
    fn maps_flatten_into_pairs() {
        // (JSON, pairs or error)
        let cases: &[(&str, Result<&[(&str, &str)], &str>)] = &[
            (r#"{}"#, Ok(&[])),
            (r#"{"a":"1"}"#, Ok(&[("a", "1")])),
            (
                r#"{"a":["1","2"],"b":"3"}"#,
                Ok(&[("a", "1"), ("a", "2"), ("b", "3")]),
            ),
            (r#"{"a":null,"b":[null,"x"]}"#, Ok(&[("b", "x")])),
            (r#"{"a\"q":"v\u00e9\n"}"#, Ok(&[("a\"q", "vé\n")])),
            (
                r#"{"a":1}"#,
                Err(
                    r#"invalid type: integer `1`, expected a string or a list of strings for "a" at line 1 column 6"#,
                ),
            ),
            (
                r#"{"a":[1]}"#,
                Err("invalid type: integer `1`, expected a string at line 1 column 7"),
            ),
            (
                r#"["a"]"#,
                Err(
                    "invalid type: sequence, expected an object of strings or lists of strings at line 1 column 0",
                ),
            ),
        ];
        for (json, expected) in cases {
            let expected = expected
                .map(|p| {
                    p.iter()
                        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                        .collect::<Vec<_>>()
                })
                .map_err(str::to_owned);
            assert_eq!(pairs(json), expected, "{json}");
        }
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let event: Event<'_> = serde_json::from_str(
            r#"{"path":"/plain","resource":"/with\\escape","headers":{"h":"v"}}"#,
        )
        .expect("event");
        assert!(matches!(
            event.path.expect("path").0,
            Cow::Borrowed("/plain")
        ));
        assert!(matches!(event.resource.expect("resource").0, Cow::Owned(_)));
        let headers = event.headers.expect("headers").0;
        assert!(matches!(headers[0].1.0, Cow::Borrowed("v")));
    }
}
