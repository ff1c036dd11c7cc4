//! Support for code that `#[chalice::route]` generates. Not a public API.

use std::fmt::Display;
use std::future::Future;
use std::str::FromStr;

use crate::error::ChaliceError;
use crate::request::Request;

/// Parses capture `name` of `request` into the view parameter's type: a 400 if it does not
/// parse, naming the capture, the value and the type expected.
pub fn parse_capture<T>(request: &Request, name: &str) -> Result<T, ChaliceError>
where
    T: FromStr,
    T::Err: Display,
{
    let value = request.uri_param(name).unwrap_or_default();
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
}
