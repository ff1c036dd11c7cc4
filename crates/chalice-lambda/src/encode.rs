//! A core [`Response`] → the JSON API Gateway expects back, in the event's payload version.
//!
//! Written by hand straight from the response (no `serde_json::Value` tree, no copy of the
//! body: a text body is escaped, a binary one base64-encoded, as it is written).
//!
//! REST API (payload 1.0), as Chalice's `Response.to_dict()` writes it: names with one value
//! in `headers`, names with several in `multiValueHeaders`, never both (API Gateway merges
//! the two maps, so a name in both would be sent twice). HTTP API (payload 2.0) has no
//! `multiValueHeaders`: repeated headers are joined with commas, except `Set-Cookie`, whose
//! values go to `cookies` (a joined `Set-Cookie` cannot be split again).
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html#http-api-develop-integrations-lambda.response>

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chalice_core::Response;
use http::header::{HeaderMap, SET_COOKIE};

use crate::decode::Version;

/// A response ready to be written in the shape its event's version expects.
#[derive(Debug)]
pub(crate) struct Encoded {
    version: Version,
    response: Response,
    /// Whether the body goes out base64-encoded.
    base64: bool,
    /// Whether the body is UTF-8 (checked once, here, for both the choice above and the
    /// writing).
    utf8: bool,
}

impl Encoded {
    /// `binary`: the app counts the response's type among its binary types.
    pub(crate) fn new(version: Version, response: Response, binary: bool) -> Self {
        // A text body that is not UTF-8 cannot be a JSON string. HTTP APIs decode any
        // base64 body, so it goes out base64-encoded there; REST APIs decode only their
        // binary media types, so there it goes out with replacement characters (Chalice
        // would fail to encode it at all).
        let utf8 = !binary && simdutf8::basic::from_utf8(&response.body).is_ok();
        let base64 = binary || (version == Version::V2 && !utf8);
        Encoded {
            version,
            response,
            base64,
            utf8,
        }
    }
}

impl Encoded {
    /// The response's JSON, written straight into a buffer sized for it up front (a body
    /// and a few headers).
    ///
    /// Written by hand rather than by serde: the shape is fixed, header names never need
    /// escaping, and the body, the one long string, is escaped by [`push_str`] in place.
    /// serde_json's writer went through its `io::Write` and formatter layers for every run
    /// of text between two escapes, which in a JSON body is every few bytes.
    pub(crate) fn to_vec(&self) -> serde_json::Result<Vec<u8>> {
        let headers = self.response.headers.as_header_map();
        let body = self.response.body.len();
        let estimate = 128 + 64 * headers.len() + body + body / 8;
        let mut out = Vec::with_capacity(estimate);
        out.extend_from_slice(b"{\"statusCode\":");
        push_u16(&mut out, self.response.status_code);
        match self.version {
            Version::V1 => {
                out.extend_from_slice(b",\"headers\":");
                single_valued(&mut out, headers);
                out.extend_from_slice(b",\"multiValueHeaders\":");
                multi_valued(&mut out, headers);
            }
            Version::V2 => {
                out.extend_from_slice(b",\"headers\":");
                joined(&mut out, headers);
                out.extend_from_slice(b",\"cookies\":");
                values(&mut out, &headers.get_all(SET_COOKIE));
            }
        }
        out.extend_from_slice(b",\"body\":");
        if self.base64 {
            out.push(b'"');
            // Base64's alphabet needs no escaping.
            let start = out.len();
            out.resize(start + base64::encoded_len(body, true).unwrap_or(0), 0);
            let written = STANDARD
                .encode_slice(&self.response.body, &mut out[start..])
                .unwrap_or(0);
            out.truncate(start + written);
            out.push(b'"');
        } else if self.utf8 {
            push_escaped(&mut out, &self.response.body);
        } else {
            // A REST API's text body that is not UTF-8 (see `Encoded::new`).
            push_str(&mut out, &String::from_utf8_lossy(&self.response.body));
        }
        out.extend_from_slice(if self.base64 {
            b",\"isBase64Encoded\":true}"
        } else {
            b",\"isBase64Encoded\":false}"
        });
        Ok(out)
    }
}

/// `n` in decimal.
fn push_u16(out: &mut Vec<u8>, n: u16) {
    let mut digits = [0u8; 5];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// What a byte becomes in a JSON string: 0 for itself, else the letter after `\\` (`u` for
/// `\\u00XX`). serde_json's choice of escapes, so the output is byte for byte what it wrote.
static ESCAPES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = b'u';
        byte += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Appends `text` as a JSON string, quotes included.
fn push_str(out: &mut Vec<u8>, text: &str) {
    push_escaped(out, text.as_bytes());
}

/// Appends UTF-8 `text` as a JSON string, quotes included: the runs between escapes
/// copied whole, into room reserved once.
fn push_escaped(out: &mut Vec<u8>, text: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(text.len() + 2);
    out.push(b'"');
    let mut start = 0;
    for (at, &byte) in text.iter().enumerate() {
        let escape = ESCAPES[usize::from(byte)];
        if escape == 0 {
            continue;
        }
        out.extend_from_slice(&text[start..at]);
        if escape == b'u' {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ]);
        } else {
            out.extend_from_slice(&[b'\\', escape]);
        }
        start = at + 1;
    }
    out.extend_from_slice(&text[start..]);
    out.push(b'"');
}

/// Header values are bytes; ours come from `&str`, but a middleware may have put anything
/// in the map.
fn text(value: &http::HeaderValue) -> Cow<'_, str> {
    String::from_utf8_lossy(value.as_bytes())
}

/// Appends `"name":`. Header names are lowercase tokens: nothing in them needs escaping.
fn push_key(out: &mut Vec<u8>, first: &mut bool, name: &http::HeaderName) {
    if !std::mem::take(first) {
        out.push(b',');
    }
    out.push(b'"');
    out.extend_from_slice(name.as_str().as_bytes());
    out.extend_from_slice(b"\":");
}

/// Payload 1.0 `headers`: the names with exactly one value.
fn single_valued(out: &mut Vec<u8>, headers: &HeaderMap) {
    out.push(b'{');
    let mut first = true;
    for name in headers.keys() {
        let mut values = headers.get_all(name).iter();
        if let (Some(value), None) = (values.next(), values.next()) {
            push_key(out, &mut first, name);
            push_str(out, &text(value));
        }
    }
    out.push(b'}');
}

/// Payload 1.0 `multiValueHeaders`: the names with several values.
fn multi_valued(out: &mut Vec<u8>, headers: &HeaderMap) {
    out.push(b'{');
    let mut first = true;
    for name in headers.keys() {
        let all = headers.get_all(name);
        if all.iter().nth(1).is_some() {
            push_key(out, &mut first, name);
            values(out, &all);
        }
    }
    out.push(b'}');
}

/// A list of header values.
fn values(out: &mut Vec<u8>, all: &http::header::GetAll<'_, http::HeaderValue>) {
    out.push(b'[');
    for (index, value) in all.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        push_str(out, &text(value));
    }
    out.push(b']');
}

/// Payload 2.0 `headers`: repeated values joined with `, `; `Set-Cookie` left out (its
/// values go to `cookies`).
fn joined(out: &mut Vec<u8>, headers: &HeaderMap) {
    out.push(b'{');
    let mut first = true;
    for name in headers.keys().filter(|name| *name != SET_COOKIE) {
        let mut values = headers.get_all(name).iter();
        let Some(value) = values.next() else { continue };
        push_key(out, &mut first, name);
        match values.next() {
            None => push_str(out, &text(value)),
            Some(second) => {
                let mut joined = format!("{}, {}", text(value), text(second));
                for value in values {
                    joined.push_str(", ");
                    joined.push_str(&text(value));
                }
                push_str(out, &joined);
            }
        }
    }
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn encoded(version: Version, response: Response, binary: bool) -> Value {
        let json = Encoded::new(version, response, binary)
            .to_vec()
            .expect("written");
        serde_json::from_slice(&json).expect("the response is JSON")
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

    /// Strings come out as serde_json writes them, byte for byte: the escapes JSON
    /// requires, the short forms where there is one, everything else as it is.
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let cases = [
            "",
            "plain",
            r#"{"a":"b\\c"}"#,
            "\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f} \u{7f}",
            "é ünï \u{2028} 😀",
            "ends with a quote\"",
        ];
        for text in cases {
            let mut ours = Vec::new();
            push_str(&mut ours, text);
            let theirs = serde_json::to_string(text).expect("json");
            assert_eq!(String::from_utf8_lossy(&ours), theirs, "{text:?}");
        }
    }

    #[test]
    fn the_whole_response_reads_as_api_gateway_expects() {
        let response = || {
            Response::new("{\"ok\":true}")
                .status_code(404)
                .header("Content-Type", "application/json")
                .header("ETag", "\"v1\"")
        };
        // (version, the JSON written)
        let cases = [
            (
                Version::V1,
                r#"{"statusCode":404,"headers":{"content-type":"application/json","etag":"\"v1\""},"multiValueHeaders":{},"body":"{\"ok\":true}","isBase64Encoded":false}"#,
            ),
            (
                Version::V2,
                r#"{"statusCode":404,"headers":{"content-type":"application/json","etag":"\"v1\""},"cookies":[],"body":"{\"ok\":true}","isBase64Encoded":false}"#,
            ),
        ];
        for (version, expected) in cases {
            let json = Encoded::new(version, response(), false)
                .to_vec()
                .expect("written");
            assert_eq!(String::from_utf8_lossy(&json), expected, "{version:?}");
        }
        for status in [100, 200, 7, 0, 65535] {
            let mut out = Vec::new();
            push_u16(&mut out, status);
            assert_eq!(out, status.to_string().as_bytes());
        }
    }
}
