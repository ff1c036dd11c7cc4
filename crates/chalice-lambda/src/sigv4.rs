//! AWS Signature Version 4 for the few requests the runtime makes itself (API Gateway's
//! `@connections`): a canonical request, the string to sign, the derived key, the
//! `Authorization` header. Written here, over ring's HMAC and SHA-256 (already linked for
//! TLS), rather than with `aws-sigv4`: the bootstrap pays for what it uses, and this is
//! all it uses.
//!
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html>

use ring::{digest, hmac};

/// The credentials a request is signed with (the function's, from its environment).
#[derive(Clone)]
pub(crate) struct Credentials {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
    pub(crate) session_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret, nor the token.
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// One request to sign. `path` and `query` are as sent (percent-encoded already);
/// `headers` are the ones to sign besides `host`, `x-amz-date` and the session token.
pub(crate) struct Unsigned<'a> {
    pub(crate) method: &'a str,
    pub(crate) host: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
    pub(crate) headers: &'a [(&'a str, &'a str)],
    pub(crate) body: &'a [u8],
}

/// The headers to add to the request: `x-amz-date`, `x-amz-security-token` (with a session
/// token) and `authorization`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Signed {
    pub(crate) amz_date: String,
    pub(crate) security_token: Option<String>,
    pub(crate) authorization: String,
}

/// Signs `request` for `service` in `region` at `amz_date` (`20150830T123600Z`).
pub(crate) fn sign(
    request: &Unsigned<'_>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    amz_date: &str,
) -> Signed {
    let date = &amz_date[..amz_date.len().min(8)];
    // Headers to sign: lowercase names, values trimmed with inner runs of spaces made one,
    // sorted by name.
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), collapse(value)))
        .collect();
    headers.push(("host".to_owned(), request.host.to_owned()));
    headers.push(("x-amz-date".to_owned(), amz_date.to_owned()));
    if let Some(token) = &credentials.session_token {
        headers.push(("x-amz-security-token".to_owned(), token.clone()));
    }
    headers.sort();
    let signed_headers = headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let mut canonical = String::with_capacity(256);
    canonical.push_str(request.method);
    canonical.push('\n');
    canonical.push_str(&canonical_path(request.path));
    canonical.push('\n');
    canonical.push_str(&canonical_query(request.query));
    canonical.push('\n');
    for (name, value) in &headers {
        canonical.push_str(name);
        canonical.push(':');
        canonical.push_str(value);
        canonical.push('\n');
    }
    canonical.push('\n');
    canonical.push_str(&signed_headers);
    canonical.push('\n');
    canonical.push_str(&hex(digest::digest(&digest::SHA256, request.body).as_ref()));

    let scope = format!("{date}/{region}/{service}/aws4_request");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref())
    );
    let secret = format!("AWS4{}", credentials.secret_access_key);
    let mut key = mac(secret.as_bytes(), date.as_bytes());
    for part in [region, service, "aws4_request"] {
        key = mac(&key, part.as_bytes());
    }
    let signature = hex(&mac(&key, string_to_sign.as_bytes()));
    Signed {
        amz_date: amz_date.to_owned(),
        security_token: credentials.session_token.clone(),
        authorization: format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            credentials.access_key_id
        ),
    }
}

fn mac(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
        .as_ref()
        .to_vec()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    text
}

/// A header value as signed: trimmed, each run of spaces one space.
fn collapse(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether SigV4 leaves `byte` as it is when encoding (RFC 3986's unreserved characters).
fn unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

fn encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if unreserved(byte) || (keep_slash && byte == b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The canonical URI of a path as sent: every service but S3 encodes it once more, so the
/// `%` of an escape becomes `%25` (`abc%3D` signs as `abc%253D`) and `@` becomes `%40`.
fn canonical_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    encode(path, true)
}

/// The canonical query: each name and value encoded, the pairs sorted.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (encode(&decode(name), false), encode(&decode(value), false))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// `20150830T123600Z` for seconds since the epoch (UTC).
pub(crate) fn amz_date(epoch_seconds: u64) -> String {
    let of_day = epoch_seconds % 86_400;
    let (year, month, day) = chalice_core::adapter::civil_from_days(epoch_seconds / 86_400);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        of_day / 3600,
        (of_day / 60) % 60,
        of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example credentials of AWS's SigV4 test suite.
    fn suite(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: "AKIDEXAMPLE".to_owned(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned(),
            session_token: token.map(str::to_owned),
        }
    }

    /// The suite's example session token (`post-sts-token/`).
    const SUITE_TOKEN: &str = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

    #[test]
    fn signatures_match_aws_test_suite() {
        // AWS's SigV4 test suite (aws-sig-v4-test-suite): region us-east-1, service
        // `service`, 20150830T123600Z. (case, method, path, query, headers, body, token,
        // signed headers, signature)
        let cases: &[(
            &str,
            &str,
            &str,
            &str,
            &[(&str, &str)],
            &[u8],
            Option<&str>,
            &str,
            &str,
        )] = &[
            (
                "get-vanilla",
                "GET",
                "/",
                "",
                &[],
                b"",
                None,
                "host;x-amz-date",
                "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            ),
            (
                "post-vanilla",
                "POST",
                "/",
                "",
                &[],
                b"",
                None,
                "host;x-amz-date",
                "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
            ),
            (
                "get-vanilla-query-order-key-case",
                "GET",
                "/",
                "Param2=value2&Param1=value1",
                &[],
                b"",
                None,
                "host;x-amz-date",
                "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
            ),
            (
                "post-header-key-sort",
                "POST",
                "/",
                "",
                &[("My-Header1", "value1")],
                b"",
                None,
                "host;my-header1;x-amz-date",
                "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
            ),
            (
                "post-header-value-case",
                "POST",
                "/",
                "",
                &[("My-Header1", "VALUE1")],
                b"",
                None,
                "host;my-header1;x-amz-date",
                "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
            ),
            (
                "post-x-www-form-urlencoded",
                "POST",
                "/",
                "",
                &[("Content-Type", "application/x-www-form-urlencoded")],
                b"Param1=value1",
                None,
                "content-type;host;x-amz-date",
                "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
            ),
            (
                "post-sts-header-before",
                "POST",
                "/",
                "",
                &[],
                b"",
                Some(SUITE_TOKEN),
                "host;x-amz-date;x-amz-security-token",
                "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
            ),
        ];
        for (case, method, path, query, headers, body, token, signed_headers, signature) in cases {
            let request = Unsigned {
                method,
                host: "example.amazonaws.com",
                path,
                query,
                headers,
                body,
            };
            let signed = sign(
                &request,
                &suite(*token),
                "us-east-1",
                "service",
                "20150830T123600Z",
            );
            assert_eq!(
                signed.authorization,
                format!(
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
                     SignedHeaders={signed_headers}, Signature={signature}"
                ),
                "{case}"
            );
            assert_eq!(signed.security_token.as_deref(), *token, "{case}");
        }
    }

    #[test]
    fn paths_are_encoded_once_more() {
        let cases = [
            ("/dev/@connections/abc%3D", "/dev/%40connections/abc%253D"),
            ("/", "/"),
            ("", "/"),
            ("/a b/~x", "/a%20b/~x"),
        ];
        for (path, canonical) in cases {
            assert_eq!(canonical_path(path), canonical, "{path}");
        }
    }

    #[test]
    fn dates_are_written_as_sigv4_wants() {
        let cases = [
            (1_440_938_160, "20150830T123600Z"),
            (0, "19700101T000000Z"),
            (951_868_799, "20000229T235959Z"),
        ];
        for (seconds, text) in cases {
            assert_eq!(amz_date(seconds), text, "{seconds}");
        }
    }
}
