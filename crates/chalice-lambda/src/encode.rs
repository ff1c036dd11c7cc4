//! A core [`Response`] → the JSON API Gateway expects back, in the event's payload version.
//!
//! Written by serde straight from borrowed views of the response (no `serde_json::Value`
//! tree, no copy of the body: a binary body is base64-encoded as it is written).
//!
//! REST API (payload 1.0), as Chalice's `Response.to_dict()` writes it: names with one value
//! in `headers`, names with several in `multiValueHeaders`, never both (API Gateway merges
//! the two maps, so a name in both would be sent twice). HTTP API (payload 2.0) has no
//! `multiValueHeaders`: repeated headers are joined with commas, except `Set-Cookie`, whose
//! values go to `cookies` (a joined `Set-Cookie` cannot be split again).
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html#http-api-develop-integrations-lambda.response>

use std::borrow::Cow;

use base64::display::Base64Display;
use base64::engine::general_purpose::STANDARD;
use chalice_core::Response;
use http::header::{HeaderMap, SET_COOKIE};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, SerializeStruct, Serializer};

use crate::decode::Version;

/// A response ready to be written in the shape its event's version expects.
#[derive(Debug)]
pub(crate) struct Encoded {
    version: Version,
    response: Response,
    /// Whether the body goes out base64-encoded.
    base64: bool,
}

impl Encoded {
    /// `binary`: the app counts the response's type among its binary types.
    pub(crate) fn new(version: Version, response: Response, binary: bool) -> Self {
        // A text body that is not UTF-8 cannot be a JSON string. HTTP APIs decode any
        // base64 body, so it goes out base64-encoded there; REST APIs decode only their
        // binary media types, so there it goes out with replacement characters (Chalice
        // would fail to encode it at all).
        let base64 =
            binary || (version == Version::V2 && std::str::from_utf8(&response.body).is_err());
        Encoded {
            version,
            response,
            base64,
        }
    }
}

impl Encoded {
    /// The response's JSON, written into a buffer sized for it up front (a body and a few
    /// headers), not grown step by step.
    pub(crate) fn to_vec(&self) -> serde_json::Result<Vec<u8>> {
        let body = self.response.body.len();
        let estimate = 128 + 64 * self.response.headers.len() + body + body / 8;
        let mut out = Vec::with_capacity(estimate);
        serde_json::to_writer(&mut out, self)?;
        Ok(out)
    }
}

impl Serialize for Encoded {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let headers = self.response.headers.as_header_map();
        let body = Body {
            bytes: &self.response.body,
            base64: self.base64,
        };
        let mut out = serializer.serialize_struct("Response", 5)?;
        out.serialize_field("statusCode", &self.response.status_code)?;
        match self.version {
            Version::V1 => {
                out.serialize_field("headers", &SingleValued(headers))?;
                out.serialize_field("multiValueHeaders", &MultiValued(headers))?;
            }
            Version::V2 => {
                out.serialize_field("headers", &Joined(headers))?;
                out.serialize_field("cookies", &SetCookies(headers))?;
            }
        }
        out.serialize_field("body", &body)?;
        out.serialize_field("isBase64Encoded", &self.base64)?;
        out.end()
    }
}

/// Header values are bytes; ours come from `&str`, but a middleware may have put anything
/// in the map.
fn text(value: &http::HeaderValue) -> Cow<'_, str> {
    String::from_utf8_lossy(value.as_bytes())
}

/// Payload 1.0 `headers`: the names with exactly one value.
struct SingleValued<'a>(&'a HeaderMap);

impl Serialize for SingleValued<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for name in self.0.keys() {
            let mut values = self.0.get_all(name).iter();
            if let (Some(value), None) = (values.next(), values.next()) {
                map.serialize_entry(name.as_str(), &text(value))?;
            }
        }
        map.end()
    }
}

/// Payload 1.0 `multiValueHeaders`: the names with several values.
struct MultiValued<'a>(&'a HeaderMap);

impl Serialize for MultiValued<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for name in self.0.keys() {
            let values = self.0.get_all(name);
            if values.iter().nth(1).is_some() {
                map.serialize_entry(name.as_str(), &Values(values))?;
            }
        }
        map.end()
    }
}

struct Values<'a>(http::header::GetAll<'a, http::HeaderValue>);

impl Serialize for Values<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for value in &self.0 {
            seq.serialize_element(&text(value))?;
        }
        seq.end()
    }
}

/// Payload 2.0 `headers`: repeated values joined with `, `; `Set-Cookie` left out.
struct Joined<'a>(&'a HeaderMap);

impl Serialize for Joined<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for name in self.0.keys().filter(|name| *name != SET_COOKIE) {
            let mut values = self.0.get_all(name).iter();
            let Some(first) = values.next() else { continue };
            match values.next() {
                None => map.serialize_entry(name.as_str(), &text(first))?,
                Some(second) => {
                    let mut joined = format!("{}, {}", text(first), text(second));
                    for value in values {
                        joined.push_str(", ");
                        joined.push_str(&text(value));
                    }
                    map.serialize_entry(name.as_str(), &joined)?;
                }
            }
        }
        map.end()
    }
}

/// Payload 2.0 `cookies`: every `Set-Cookie` value.
struct SetCookies<'a>(&'a HeaderMap);

impl Serialize for SetCookies<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Values(self.0.get_all(SET_COOKIE)).serialize(serializer)
    }
}

/// The body as a JSON string: text as is, or base64 written straight into the output.
struct Body<'a> {
    bytes: &'a [u8],
    base64: bool,
}

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.base64 {
            serializer.collect_str(&Base64Display::new(self.bytes, &STANDARD))
        } else {
            serializer.serialize_str(&String::from_utf8_lossy(self.bytes))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn encoded(version: Version, response: Response, binary: bool) -> Value {
        serde_json::to_value(Encoded::new(version, response, binary)).expect("json")
    }

    #[test]
    fn shapes_follow_the_payload_version() {
        let response = || {
            Response::new("hi")
                .status_code(201)
                .header("Content-Type", "text/plain")
                .append_header("X-Many", "1")
                .append_header("X-Many", "2")
                .append_header("Set-Cookie", "a=1; Path=/")
                .append_header("Set-Cookie", "b=2")
        };
        // (version, expected JSON)
        let cases = [
            (
                Version::V1,
                json!({
                    "statusCode": 201,
                    "headers": {"content-type": "text/plain"},
                    "multiValueHeaders": {"x-many": ["1", "2"], "set-cookie": ["a=1; Path=/", "b=2"]},
                    "body": "hi",
                    "isBase64Encoded": false,
                }),
            ),
            (
                Version::V2,
                json!({
                    "statusCode": 201,
                    "headers": {"content-type": "text/plain", "x-many": "1, 2"},
                    "cookies": ["a=1; Path=/", "b=2"],
                    "body": "hi",
                    "isBase64Encoded": false,
                }),
            ),
        ];
        for (version, expected) in cases {
            assert_eq!(encoded(version, response(), false), expected, "{version:?}");
        }
    }

    #[test]
    fn bodies() {
        // (version, body, binary, expected body, expected isBase64Encoded)
        let cases: &[(Version, &'static [u8], bool, &str, bool)] = &[
            (Version::V1, b"\x00\xffpng", true, "AP9wbmc=", true),
            (Version::V2, b"\x00\xffpng", true, "AP9wbmc=", true),
            (Version::V1, b"", true, "", true),
            (Version::V1, b"text \xff", false, "text \u{fffd}", false),
            (Version::V2, b"text \xff", false, "dGV4dCD/", true),
            (
                Version::V1,
                "\"quoted\"\n é".as_bytes(),
                false,
                "\"quoted\"\n é",
                false,
            ),
        ];
        for (version, body, binary, expected, is_base64) in cases {
            let value = encoded(*version, Response::new(*body), *binary);
            assert_eq!(value["body"], *expected, "{version:?} {body:?}");
            assert_eq!(value["isBase64Encoded"], *is_base64, "{version:?} {body:?}");
        }
    }
}
