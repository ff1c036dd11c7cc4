//! Support for code that `#[chalice::route]` generates. Not a public API.

use std::borrow::Cow;
use std::fmt::Display;
use std::future::Future;
use std::str::FromStr;

use percent_encoding::percent_decode_str;

use crate::error::ChaliceError;
use crate::request::Request;

/// Capture `name` of `request`, percent-decoded: what a `&str` parameter of a `#[route]`
/// view gets, and what typed ones are parsed from. A REST API passes captures still
/// encoded (`john%20doe`); an HTTP API has decoded them already, and they are taken as they
/// are. A value whose escapes are not UTF-8 (`%FF`) is a 400 naming the capture.
///
/// Borrowed when there is nothing to decode, so the usual capture costs no copy.
pub fn capture<'r>(request: &'r Request, name: &str) -> Result<Cow<'r, str>, ChaliceError> {
    // The router fills in every capture of the path: never missing in practice.
    let value = request.uri_param(name).unwrap_or_default();
    if !request.uri_params_encoded() {
        return Ok(Cow::Borrowed(value));
    }
    // `+` is not a space in a path (only in a query string), so `percent_decode`, not a form
    // decoder.
    percent_decode_str(value).decode_utf8().map_err(|_| {
        ChaliceError::bad_request(format!(
            "Invalid value for URI parameter '{name}': {value:?} is not UTF-8 once percent-decoded"
        ))
    })
}

/// The app's state of the type a `State<T>` parameter of a `#[route]` view asks for: a
/// 500 naming `T` if the app was given none.
pub fn state<T: Send + Sync + 'static>(request: &Request) -> Result<crate::State<T>, ChaliceError> {
    crate::State::from_request(request)
}

/// Parses capture `name` of `request`, percent-decoded ([`capture`]), into the view
/// parameter's type: a 400 if it does not parse, naming the capture, the value and the type
/// expected.
pub fn parse_capture<T>(request: &Request, name: &str) -> Result<T, ChaliceError>
where
    T: FromStr,
    T::Err: Display,
{
    let value = capture(request, name)?;
    value.parse().map_err(|error: T::Err| {
        let full = std::any::type_name::<T>();
        let short = full.rsplit("::").next().unwrap_or(full);
        ChaliceError::bad_request(format!(
            "Invalid value for URI parameter '{name}': {value:?} is not a valid {short} ({error})"
        ))
    })
}

/// Polls a future to completion on this thread; for examples in this crate's docs, whose
/// futures never wait on I/O.
#[doc(hidden)]
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::yield_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    #[test]
    fn captures_parse_or_say_why_not() {
        let request = Request::builder(Method::GET, "/t/{id}")
            .uri_param("id", "abc")
            .build();
        let error = parse_capture::<u32>(&request, "id").expect_err("not a number");
        assert_eq!(error.status_code(), 400);
        assert_eq!(
            error.message(),
            r#"Invalid value for URI parameter 'id': "abc" is not a valid u32 (invalid digit found in string)"#
        );
        let request = Request::builder(Method::GET, "/t/{id}")
            .uri_param("id", "42")
            .build();
        assert_eq!(parse_capture::<u32>(&request, "id").ok(), Some(42));
        assert_eq!(
            parse_capture::<String>(&request, "id").ok().as_deref(),
            Some("42")
        );
    }

    #[test]
    fn captures_are_decoded_once() {
        // (value as API Gateway passed it, already decoded by an HTTP API, what a String
        // capture gets: Ok(text) or Err(message))
        let cases: &[(&str, bool, Result<&str, &str>)] = &[
            ("john%20doe", false, Ok("john doe")),
            ("a%2Fb", false, Ok("a/b")),
            ("a+b", false, Ok("a+b")),
            ("caf%C3%A9", false, Ok("café")),
            ("100%25", false, Ok("100%")),
            ("100%", false, Ok("100%")),
            ("%zz", false, Ok("%zz")),
            (
                "%FF",
                false,
                Err(
                    r#"Invalid value for URI parameter 'name': "%FF" is not UTF-8 once percent-decoded"#,
                ),
            ),
            // An HTTP API's values are decoded already: not a second time.
            ("100%41", true, Ok("100%41")),
            ("john doe", true, Ok("john doe")),
        ];
        for (value, decoded, expected) in cases {
            let builder = Request::builder(Method::GET, "/u/{name}");
            let params = Some([("name", *value)].into_iter().collect());
            let request = if *decoded {
                builder.uri_params_decoded(params)
            } else {
                builder.uri_params(params)
            }
            .build();
            let got = parse_capture::<String>(&request, "name").map_err(|e| {
                assert_eq!(e.status_code(), 400);
                e.message().into_owned()
            });
            assert_eq!(
                got,
                expected.map(str::to_owned).map_err(str::to_owned),
                "{value}"
            );
            assert_eq!(request.uri_param("name"), Some(*value), "kept as passed");
        }
        let request = Request::builder(Method::GET, "/t/{id}")
            .uri_param("id", "4%32")
            .build();
        assert_eq!(parse_capture::<u32>(&request, "id").ok(), Some(42));
        let borrowed = Request::builder(Method::GET, "/t/{id}")
            .uri_param("id", "plain")
            .build();
        assert!(matches!(
            capture(&borrowed, "id"),
            Ok(Cow::Borrowed("plain"))
        ));
    }
}
