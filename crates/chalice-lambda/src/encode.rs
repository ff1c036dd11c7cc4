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
        let escaped = if self.base64 || !self.utf8 {
            0
        } else {
            escaped_len(&self.response.body)
        };
        let body = if self.base64 {
            base64::encoded_len(self.response.body.len(), true).unwrap_or(0)
        } else if self.utf8 {
            escaped
        } else {
            self.response.body.len() + self.response.body.len() / 8
        };
        let estimate = 128 + 64 * headers.len() + body + 16;
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
            push_escaped(&mut out, &self.response.body, escaped);
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

/// The bytes a byte's escape adds to it: 1 for `\\x`, 5 for `\\u00XX`.
static EXTRA: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = match ESCAPES[byte] {
            0 => 0,
            b'u' => 5,
            _ => 1,
        };
        byte += 1;
    }
    table
};

/// Appends `text` as a JSON string, quotes included.
fn push_str(out: &mut Vec<u8>, text: &str) {
    push_escaped(out, text.as_bytes(), escaped_len(text.as_bytes()));
}

/// How many bytes `text` takes as a JSON string, quotes excluded: a table sum, which the
/// compiler vectorizes.
fn escaped_len(text: &[u8]) -> usize {
    text.len()
        + text
            .iter()
            .map(|&byte| usize::from(EXTRA[usize::from(byte)]))
            .sum::<usize>()
}

/// Appends UTF-8 `text` as a JSON string, quotes included, into room of its exact size
/// (`escaped`: [`escaped_len`]), eight bytes at a time: each word is copied whole, and the
/// cursor moves up to the first byte in it that needs an escape (found by bit tricks on
/// the word, not byte by byte). Copying the runs between escapes with a call each, as
/// serde_json does, cost 19,200 instructions for a 1 KB JSON body with 170 quotes.
fn push_escaped(out: &mut Vec<u8>, text: &[u8], escaped: usize) {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGHS: u64 = ONES * 0x80;
    let start = out.len();
    // Eight bytes of slack for the last word's copy.
    out.resize(start + escaped + 2 + 8, 0);
    let room = &mut out[start..];
    room[0] = b'"';
    let mut at = 1;
    let mut rest = text;
    while let Some((word, _)) = rest.split_first_chunk::<8>() {
        let x = u64::from_le_bytes(*word);
        // The high bit of each byte below 0x20, or equal to `"` or `\\`. A flag may be
        // wrong only above a right one (the borrow runs upward), so the lowest is right.
        let control = x.wrapping_sub(ONES * 0x20) & !x;
        let quote = x ^ (ONES * u64::from(b'"'));
        let quote = quote.wrapping_sub(ONES) & !quote;
        let backslash = x ^ (ONES * u64::from(b'\\'));
        let backslash = backslash.wrapping_sub(ONES) & !backslash;
        let flags = (control | quote | backslash) & HIGHS;
        room[at..at + 8].copy_from_slice(word);
        if flags == 0 {
            at += 8;
            rest = &rest[8..];
            continue;
        }
        let clean = (flags.trailing_zeros() / 8) as usize;
        at = push_escape(room, at + clean, rest[clean]);
        rest = &rest[clean + 1..];
    }
    for &byte in rest {
        if ESCAPES[usize::from(byte)] == 0 {
            room[at] = byte;
            at += 1;
        } else {
            at = push_escape(room, at, byte);
        }
    }
    room[at] = b'"';
    out.truncate(start + at + 1);
}

/// Writes the escape of `byte` (one that needs one) at `at`; the position after it.
fn push_escape(room: &mut [u8], at: usize, byte: u8) -> usize {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match ESCAPES[usize::from(byte)] {
        b'u' => {
            room[at..at + 6].copy_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ]);
            at + 6
        }
        escape => {
            room[at] = b'\\';
            room[at + 1] = escape;
            at + 2
        }
    }
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

    /// The same, for each byte that needs an escape at every place in a word and beside
    /// every other one, among runs of every length and bytes just above and below the ones
    /// that need escapes (the word-at-a-time search must find exactly those).
    #[test]
    fn every_escape_at_every_place_in_a_word() {
        let specials = [
            "\"", "\\", "\n", "\u{0}", "\u{1f}", "\u{7f}", "!", "#", "[", "]", " ", "é", "😀",
        ];
        let mut texts = Vec::new();
        for special in specials {
            for other in specials {
                for before in 0..17 {
                    for after in [0, 1, 7, 8, 9] {
                        let mut text = "x".repeat(before);
                        text.push_str(special);
                        text.push_str(&"y".repeat(after));
                        text.push_str(other);
                        texts.push(text);
                    }
                }
            }
        }
        for text in &texts {
            for prefix in [String::new(), "a".repeat(12)] {
                let text = format!("{prefix}{text}");
                let mut ours = b"{".to_vec();
                push_str(&mut ours, &text);
                let theirs = format!("{{{}", serde_json::to_string(&text).expect("json"));
                assert_eq!(String::from_utf8_lossy(&ours), theirs, "{text:?}");
            }
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
