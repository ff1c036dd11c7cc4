//! The request path as a REST API reads it: as sent, with only what a URL cannot carry raw
//! percent-encoded.
//!
//! A REST API decodes nothing in the path. It routes on the path as the client sent it and
//! passes it to the function that way, in `path`, `requestContext.path` and
//! `pathParameters`: `%20`, `%2F`, `%25`, `%3F`, `%23`, UTF-8 escapes and double escapes
//! (`%252F`) all arrive as sent (live captures of a deployed REST API,
//! <https://github.com/hotsock/voker> `vokerhttp/testdata/ingress-paths.json`; aws/chalice#511,
//! #688; dherault/serverless-offline#265). A character that may not appear raw in a URL
//! (RFC 3986: anything but letters, digits, `-._~!$&'()*+,;=:@/` and `%`) arrives
//! percent-encoded, as `|` does in aws/chalice#688 (`/user/first|last` gives
//! `first%7Clast`). The local server (hyper accepts `"`, `{`, `|`, `^` and raw UTF-8 in a
//! request line) and the test client (whose target is any text) can receive those raw;
//! encoding them here gives views the value the deployed API would give.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// What a URL path may not carry raw, beyond the control characters and non-ASCII (which
/// `utf8_percent_encode` always encodes): RFC 3986's path characters are unreserved,
/// sub-delims, `:`, `@` and `/`, and `%` introduces an escape that is kept as sent.
const NOT_RAW_IN_PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// `path` as API Gateway passes it on: borrowed when it is a well-formed URL path already
/// (the usual case, no copy).
pub(crate) fn as_api_gateway_passes(path: &str) -> Cow<'_, str> {
    utf8_percent_encode(path, NOT_RAW_IN_PATH).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_a_url_cannot_carry_raw_is_encoded() {
        // (path as received, as API Gateway passes it on)
        let cases = [
            ("/users/bob", "/users/bob"),
            ("/users/john%20doe", "/users/john%20doe"),
            ("/users/john doe", "/users/john%20doe"),
            ("/users/a%2Fb", "/users/a%2Fb"),
            ("/users/100%25", "/users/100%25"),
            ("/users/literal%252F", "/users/literal%252F"),
            ("/users/first|last", "/users/first%7Clast"),
            ("/users/café", "/users/caf%C3%A9"),
            ("/users/caf%C3%A9", "/users/caf%C3%A9"),
            ("/users/a+b", "/users/a+b"),
            ("/users/user@example.com", "/users/user@example.com"),
            ("/users/us-east-1:af33", "/users/us-east-1:af33"),
            ("/users/!$&'()*,;=~", "/users/!$&'()*,;=~"),
            ("/j/{\"a\":[1]}", "/j/%7B%22a%22:%5B1%5D%7D"),
            ("/x/a^b`c\\d<e>", "/x/a%5Eb%60c%5Cd%3Ce%3E"),
            ("/x/tab\there", "/x/tab%09here"),
            ("/x/#frag", "/x/%23frag"),
        ];
        for (received, passed) in cases {
            assert_eq!(as_api_gateway_passes(received), passed, "{received}");
        }
        assert!(matches!(
            as_api_gateway_passes("/users/john%20doe"),
            Cow::Borrowed(_)
        ));
    }
}
