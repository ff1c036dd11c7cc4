//! The event's top level read by hand, for speed: the fields the adapter uses go to the same
//! serde impls as the derive's, and what it does not use (`requestContext`, unknown fields)
//! is checked to be JSON and skipped by a scanner that reads strings eight bytes at a time.
//!
//! serde_json checks a skipped value byte by byte, a call per string: `requestContext` alone
//! (a kilobyte of short strings in an HTTP API event, more in a REST API one) cost 7,500
//! instructions of the 28,900 an HTTP API GET event took, more than half of the decode.
//!
//! Only plain events take this way: anything unusual (a key with escapes, a field twice,
//! nesting deeper than [`MAX_DEPTH`], a syntax error anywhere) returns `None`, and the
//! caller reads the event with serde's derive as before, for the same fields or the same
//! error. The scanner accepts exactly the JSON serde_json accepts (`tests` hold it to that),
//! so an event is refused or read alike either way.

use serde::Deserialize;

use std::borrow::Cow;

use crate::event::{Event, RawObject, Str};

/// Nesting deeper than this inside a skipped value sends the event to serde (which has no
/// limit for values it skips).
const MAX_DEPTH: usize = 64;

/// The event read from `text`, or `None` if it is anything but a plain, well-formed event
/// (then serde's derive reads it and says what is wrong, if anything is).
pub(crate) fn event(text: &str) -> Option<Event<'_>> {
    let b = text.as_bytes();
    let mut event = Event::default();
    // The fields read so far, one bit each: serde refuses a field given twice.
    let mut seen = 0u32;
    let mut at = whitespace(b, 0);
    if b.get(at) != Some(&b'{') {
        return None;
    }
    at = whitespace(b, at + 1);
    if b.get(at) == Some(&b'}') {
        at += 1;
    } else {
        loop {
            if b.get(at) != Some(&b'"') {
                return None;
            }
            let key_end = to_special(b, at + 1);
            if b.get(key_end) != Some(&b'"') {
                return None;
            }
            let key = &text[at + 1..key_end];
            at = whitespace(b, key_end + 1);
            if b.get(at) != Some(&b':') {
                return None;
            }
            at = whitespace(b, at + 1);
            at = match field_bit(key) {
                None => skip_value(b, at, 0)?,
                Some(bit) => {
                    if seen & bit != 0 {
                        return None;
                    }
                    seen |= bit;
                    read_field(&mut event, key, text, at)?
                }
            };
            at = whitespace(b, at);
            match b.get(at) {
                Some(b',') => at = whitespace(b, at + 1),
                Some(b'}') => {
                    at += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    // Exactly one value: nothing but whitespace after it.
    (whitespace(b, at) == b.len()).then_some(event)
}

/// The fields of [`Event`], by their JSON names.
const FIELDS: [&str; 17] = [
    "version",
    "resource",
    "path",
    "httpMethod",
    "multiValueHeaders",
    "multiValueQueryStringParameters",
    "routeKey",
    "rawPath",
    "rawQueryString",
    "cookies",
    "headers",
    "queryStringParameters",
    "pathParameters",
    "stageVariables",
    "requestContext",
    "body",
    "isBase64Encoded",
];

/// The bit of a field of [`Event`]; `None` for a key it does not have.
fn field_bit(key: &str) -> Option<u32> {
    FIELDS
        .iter()
        .position(|name| *name == key)
        .map(|index| 1 << index)
}

/// Reads the value at `at` into the field named `key`; the index after the value.
fn read_field<'a>(event: &mut Event<'a>, key: &str, text: &'a str, at: usize) -> Option<usize> {
    match key {
        "requestContext" => {
            let b = text.as_bytes();
            match b.get(at) {
                Some(b'{') => {
                    let end = skip_value(b, at, 0)?;
                    event.request_context = Some(RawObject(&text[at..end]));
                    Some(end)
                }
                Some(b'n') if b[at..].starts_with(b"null") => Some(at + 4),
                // Not an object: serde says so, in its words.
                _ => None,
            }
        }
        "version" => value(text, at, &mut event.version),
        "resource" => value(text, at, &mut event.resource),
        "path" => value(text, at, &mut event.path),
        "httpMethod" => value(text, at, &mut event.http_method),
        "multiValueHeaders" => value(text, at, &mut event.multi_value_headers),
        "multiValueQueryStringParameters" => {
            value(text, at, &mut event.multi_value_query_string_parameters)
        }
        "routeKey" => value(text, at, &mut event.route_key),
        "rawPath" => value(text, at, &mut event.raw_path),
        "rawQueryString" => value(text, at, &mut event.raw_query_string),
        "cookies" => value(text, at, &mut event.cookies),
        "headers" => value(text, at, &mut event.headers),
        "queryStringParameters" => value(text, at, &mut event.query_string_parameters),
        "pathParameters" => value(text, at, &mut event.path_parameters),
        "stageVariables" => value(text, at, &mut event.stage_variables),
        "body" => body(text, at, &mut event.body),
        "isBase64Encoded" => value(text, at, &mut event.is_base64_encoded),
        _ => None,
    }
}

/// Reads an `Option<T>` at `at` with serde_json, as the derive reads the field; the index
/// after it.
fn value<'a, T: Deserialize<'a>>(text: &'a str, at: usize, into: &mut Option<T>) -> Option<usize> {
    let mut values = serde_json::Deserializer::from_str(&text[at..]).into_iter::<Option<T>>();
    *into = values.next()?.ok()?;
    Some(at + values.byte_offset())
}

/// Reads `body` at `at`: a string unescaped here unless it has a `\\u` escape, which serde
/// decodes (surrogate pairs and all), as it reads `null` or refuses anything else.
#[inline(never)]
fn body<'a>(text: &'a str, at: usize, into: &mut Option<Str<'a>>) -> Option<usize> {
    if text.as_bytes().get(at) == Some(&b'"') {
        let end = skip_string(text.as_bytes(), at + 1)?;
        if let Some(body) = unescape(&text[at + 1..end - 1]) {
            *into = Some(Str(body));
            return Some(end);
        }
    }
    value(text, at, into)
}

/// The text of a JSON string (`raw`: between its quotes, checked by [`skip_string`]) with its
/// escapes undone; borrowed when it has none. `None` if it has a `\\u` escape, which is left to
/// serde.
///
/// A request body that is JSON has an escaped quote every few bytes (170 in the 1 KB echo
/// body); serde_json copies each run between escapes with a call of its own (about 45,000
/// instructions for that body). Here each eight-byte word is copied whole and the cursor moves
/// up to its first backslash, as the response writer escapes.
fn unescape(raw: &str) -> Option<Cow<'_, str>> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    let b = raw.as_bytes();
    // `raw` has no quote or control character left: the first special byte is a backslash.
    let Some(first) = raw.find('\\') else {
        return Some(Cow::Borrowed(raw));
    };
    // Eight bytes of slack for the last word's copy; the text only shrinks.
    let mut out = vec![0u8; b.len() + 8];
    out[..first].copy_from_slice(&b[..first]);
    let (mut at, mut written) = (first, first);
    loop {
        // `at` is at a backslash.
        let escaped = match *b.get(at + 1)? {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            _ => return None,
        };
        out[written] = escaped;
        written += 1;
        at += 2;
        // Up to the next backslash, a word at a time (the text has no other special byte).
        loop {
            let Some(word) = b.get(at..at + 8) else {
                let rest = &b[at..];
                match rest.iter().position(|&byte| byte == b'\\') {
                    Some(offset) => {
                        out[written..written + offset].copy_from_slice(&rest[..offset]);
                        written += offset;
                        at += offset;
                        break;
                    }
                    None => {
                        out[written..written + rest.len()].copy_from_slice(rest);
                        out.truncate(written + rest.len());
                        return String::from_utf8(out).ok().map(Cow::Owned);
                    }
                }
            };
            out[written..written + 8].copy_from_slice(word);
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(word);
            let x = u64::from_le_bytes(bytes) ^ (ONES * u64::from(b'\\'));
            let flags = x.wrapping_sub(ONES) & !x & (ONES * 0x80);
            if flags == 0 {
                at += 8;
                written += 8;
            } else {
                let clean = (flags.trailing_zeros() / 8) as usize;
                at += clean;
                written += clean;
                break;
            }
        }
    }
}

/// The index of the first byte at or after `at` that is not JSON whitespace.
fn whitespace(b: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\t' | b'\r') = b.get(at) {
        at += 1;
    }
    at
}

/// The index after the JSON value at `at` (whitespace before it already skipped), checked
/// as serde_json checks a value it ignores; `None` if it is not one.
fn skip_value(b: &[u8], at: usize, depth: usize) -> Option<usize> {
    match *b.get(at)? {
        b'"' => skip_string(b, at + 1),
        b'{' => {
            if depth == MAX_DEPTH {
                return None;
            }
            let mut at = whitespace(b, at + 1);
            if b.get(at) == Some(&b'}') {
                return Some(at + 1);
            }
            loop {
                if b.get(at) != Some(&b'"') {
                    return None;
                }
                at = whitespace(b, skip_string(b, at + 1)?);
                if b.get(at) != Some(&b':') {
                    return None;
                }
                at = whitespace(b, at + 1);
                at = whitespace(b, skip_value(b, at, depth + 1)?);
                match *b.get(at)? {
                    b',' => at = whitespace(b, at + 1),
                    b'}' => return Some(at + 1),
                    _ => return None,
                }
            }
        }
        b'[' => {
            if depth == MAX_DEPTH {
                return None;
            }
            let mut at = whitespace(b, at + 1);
            if b.get(at) == Some(&b']') {
                return Some(at + 1);
            }
            loop {
                at = whitespace(b, skip_value(b, at, depth + 1)?);
                match *b.get(at)? {
                    b',' => at = whitespace(b, at + 1),
                    b']' => return Some(at + 1),
                    _ => return None,
                }
            }
        }
        b't' => b[at..].starts_with(b"true").then_some(at + 4),
        b'f' => b[at..].starts_with(b"false").then_some(at + 5),
        b'n' => b[at..].starts_with(b"null").then_some(at + 4),
        b'-' | b'0'..=b'9' => skip_number(b, at),
        _ => None,
    }
}

/// The index after a JSON number at `at`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn skip_number(b: &[u8], mut at: usize) -> Option<usize> {
    if b.get(at) == Some(&b'-') {
        at += 1;
    }
    match *b.get(at)? {
        // One leading zero, not followed by a digit.
        b'0' => {
            at += 1;
            if b.get(at).is_some_and(u8::is_ascii_digit) {
                return None;
            }
        }
        b'1'..=b'9' => at = digits(b, at + 1),
        _ => return None,
    }
    if b.get(at) == Some(&b'.') {
        let start = at + 1;
        at = digits(b, start);
        if at == start {
            return None;
        }
    }
    if let Some(b'e' | b'E') = b.get(at) {
        at += 1;
        if let Some(b'+' | b'-') = b.get(at) {
            at += 1;
        }
        let start = at;
        at = digits(b, start);
        if at == start {
            return None;
        }
    }
    Some(at)
}

/// The index of the first byte at or after `at` that is not an ASCII digit.
fn digits(b: &[u8], mut at: usize) -> usize {
    while b.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    at
}

/// The index after the closing quote of the string whose text starts at `at`; `None` for
/// a control character, an escape JSON does not have, or no closing quote.
fn skip_string(b: &[u8], mut at: usize) -> Option<usize> {
    loop {
        at = to_special(b, at);
        match *b.get(at)? {
            b'"' => return Some(at + 1),
            b'\\' => match *b.get(at + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => at += 2,
                // Four hex digits; which code point they name is not checked (serde_json
                // does not check it for a value it skips either).
                b'u' => {
                    let hex = b.get(at + 2..at + 6)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    at += 6;
                }
                _ => return None,
            },
            // A control character.
            _ => return None,
        }
    }
}

/// The index of the first `"`, `\\` or control character at or after `at` (`b.len()` if
/// none), eight bytes at a time.
fn to_special(b: &[u8], mut at: usize) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    while let Some(word) = b.get(at..at + 8) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let x = u64::from_le_bytes(bytes);
        // The high bit of each byte below 0x20, or equal to `"` or `\\`; the lowest flag is
        // right (a wrong one can only sit above a right one).
        let control = x.wrapping_sub(ONES * 0x20) & !x;
        let quote = x ^ (ONES * u64::from(b'"'));
        let quote = quote.wrapping_sub(ONES) & !quote;
        let backslash = x ^ (ONES * u64::from(b'\\'));
        let backslash = backslash.wrapping_sub(ONES) & !backslash;
        let flags = (control | quote | backslash) & (ONES * 0x80);
        if flags != 0 {
            return at + (flags.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&byte) = b.get(at) {
        if byte < 0x20 || byte == b'"' || byte == b'\\' {
            break;
        }
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The event as serde's derive reads it (what `decode` did before this module).
    fn by_serde(text: &str) -> Option<Event<'_>> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let event = Event::deserialize(&mut deserializer).ok()?;
        deserializer.end().ok()?;
        Some(event)
    }

    /// Skipped values: accepted exactly when serde_json's `IgnoredAny` accepts them.
    #[test]
    fn skips_what_serde_json_accepts_and_nothing_else() {
        let values = [
            "0",
            "-0",
            "12",
            "-12.5e+3",
            "1E5",
            "0.0",
            "1e-0",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "1e+",
            "+1",
            "--1",
            "0x1",
            "1.e5",
            "true",
            "false",
            "null",
            "tru",
            "nul",
            "True",
            "\"\"",
            "\"a\\\"b\"",
            "\"\\u00e9\\/\\b\\f\\n\\r\\t\\\\\"",
            "\"\\u00g9\"",
            "\"\\u00e\"",
            "\"\\x\"",
            "\"\\\"",
            "\"tab\there\"",
            "\"new\nline\"",
            "\"é ünï 😀\"",
            "\"a long string of more than eight bytes, with a \\\" in it\"",
            "\"unterminated",
            "[]",
            "{}",
            "[1, 2 ,3]",
            "[1,]",
            "[,1]",
            "[1 2]",
            "{\"a\":1}",
            "{\"a\" : [ {} ] }",
            "{\"a\":1,}",
            "{\"a\"}",
            "{\"a\":}",
            "{1:2}",
            "{\"a\":1 \"b\":2}",
            "[[[[]]]]",
            "[[[]]",
            "{\"a\":{\"b\":{\"c\":[null,true,{\"d\":\"e\"}]}}}",
            "",
            " ",
            "{",
            "]",
            "\"\u{1f}\"",
            "\"\u{7f}\"",
        ];
        for value in values {
            let text = format!("{{\"unknown\":{value}}}");
            let theirs = serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok();
            let ours = skip_value(value.as_bytes(), 0, 0) == Some(value.len());
            assert_eq!(ours, theirs, "{value:?}");
            assert_eq!(event(&text).is_some(), theirs, "{text:?}");
        }
        // Deep nesting goes to serde.
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(skip_value(deep.as_bytes(), 0, 0), None);
    }

    /// Bodies come out as serde_json unescapes them, whatever the escapes and wherever they
    /// fall in a word.
    #[test]
    fn bodies_unescape_as_serde_json_unescapes_them() {
        let mut bodies = vec![
            String::new(),
            "plain".to_owned(),
            r#"{"a":"b\\c","d":[1,2]}"#.to_owned(),
            "tab\there\nline\r\u{8}\u{c}/\\\"".to_owned(),
            "é ünï 😀 \"quoted\"".to_owned(),
            "\u{1}\u{1f} \u{2028} \u{10ffff}".to_owned(),
        ];
        for special in ["\"", "\\", "\n", "/", "é", "\u{1}"] {
            for before in 0..17 {
                for after in [0, 1, 7, 8, 9, 17] {
                    bodies.push(format!(
                        "{}{special}{}{special}",
                        "x".repeat(before),
                        "y".repeat(after)
                    ));
                }
            }
        }
        for body in &bodies {
            // serde_json writes `/` unescaped and control characters as `\u00XX`; add
            // `\/` by hand so that every short escape is read.
            let json = serde_json::to_string(body)
                .expect("json")
                .replace('/', "\\/");
            let text = format!(r#"{{"body":{json}}}"#);
            let ours = event(&text).and_then(|e| e.body).map(|b| b.0.into_owned());
            assert_eq!(ours.as_deref(), Some(body.as_str()), "{json}");
            assert_eq!(
                format!("{:?}", event(&text)),
                format!("{:?}", by_serde(&text)),
                "{json}"
            );
        }
        // (raw string text, unescaped here)
        let cases = [
            ("", Some("")),
            (r#"a\"b"#, Some("a\"b")),
            (r#"\u0041"#, None),
            (r#"ab\u00e9cdefghijk"#, None),
        ];
        for (raw, expected) in cases {
            assert_eq!(unescape(raw).as_deref(), expected, "{raw}");
        }
    }

    /// Events read here come out as serde's derive reads them; events read here not at all
    /// are the unusual ones, which serde reads (or refuses) instead.
    #[test]
    fn reads_events_as_serde_does() {
        let fixtures = [
            include_str!("../tests/data/example-apigw-request.json"),
            include_str!("../tests/data/example-apigw-v2-request-jwt-authorizer.json"),
            include_str!("../tests/data/example-apigw-request-multi-value-parameters.json"),
            include_str!("../tests/data/example-apigw-v2-request-no-authorizer.json"),
            include_str!("../tests/data/example-apigw-sam-http-request.json"),
            include_str!("../tests/data/voker-apigw-rest-live.json"),
            include_str!("../tests/data/hostile-s3-event.json"),
            include_str!("../tests/data/lambda-http-apigw_v2_proxy_request_minimal.json"),
        ];
        for fixture in fixtures {
            let ours = event(fixture).map(|e| format!("{e:?}"));
            assert!(ours.is_some(), "a plain event: {fixture}");
            assert_eq!(ours, by_serde(fixture).map(|e| format!("{e:?}")));
        }
        // (event, read here)
        let cases = [
            (r#"{}"#, true),
            (r#" { "version" : "2.0" , "body" : null } "#, true),
            (r#"{"version":"2.0","requestContext":null}"#, true),
            (
                r#"{"version":"2.0","requestContext":{"a":[1,{"b":"\u00e9"}]}}"#,
                true,
            ),
            (r#"{"body":"a\"b","isBase64Encoded":false,"x":[1,2]}"#, true),
            (
                r#"{"headers":{"a":["1",null],"b":"2"},"cookies":["c=1"]}"#,
                true,
            ),
            // Escaped key, a field twice, not an object, trailing text: serde's.
            (r#"{"vers\u0069on":"2.0"}"#, false),
            (r#"{"version":"2.0","version":"1.0"}"#, false),
            (r#"{"requestContext":5}"#, false),
            (r#"{"requestContext":[]}"#, false),
            (r#"{"headers":{"a":1}}"#, false),
            (r#"{"isBase64Encoded":"yes"}"#, false),
            (r#"{"version":"2.0"} {}"#, false),
            (r#"{"version":"2.0"} x"#, false),
            (r#"{"version":"2.0",}"#, false),
            (r#"{"version":"2.0""#, false),
            (r#"["version"]"#, false),
        ];
        for (text, read_here) in cases {
            let ours = event(text).map(|e| format!("{e:?}"));
            assert_eq!(ours.is_some(), read_here, "{text}");
            if read_here {
                assert_eq!(ours, by_serde(text).map(|e| format!("{e:?}")), "{text}");
            }
        }
    }
}
