//! Event → the parts of a core [`Request`](chalice_core::Request): routing, headers, query,
//! body, stage.
//!
//! API Gateway has already matched the route, so the template it names (`resource` in
//! payload 1.0, `routeKey` in 2.0) is looked up in the app's hash map (DESIGN.md rule 3).
//! Only when the event names no template the app knows (an HTTP API `$default` route, a
//! REST `{proxy+}` catch-all) is the concrete path matched, as the local server does. Either
//! way the [`RouteMatch`] found goes to dispatch as it is.
//!
//! No `http::Uri` is ever built from the event: lambda_http builds one and panicked on the
//! spaces and other characters that API Gateway passes through in paths and queries
//! (<https://github.com/aws/aws-lambda-rust-runtime/issues/461>,
//! <https://github.com/aws/aws-lambda-rust-runtime/issues/515>). Paths go to the router as
//! text, queries to a form-urlencoded parser, and neither can fail.

use std::borrow::Cow;

use base64::Engine as _;
use bytes::Bytes;
use chalice_core::adapter::{RouteMatch, missing_authentication_token};
use chalice_core::{Chalice, ChaliceError, Method, MultiDict, Params, Response};
use percent_encoding::percent_decode_str;
use serde::Deserialize as _;

use crate::error::EventError;
use crate::event::{ContextFields, Event, Pairs, RawObject, Str};
use crate::headers::EventHeaders;

/// The payload version of an event, which decides the shape of its response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    /// REST API proxy events (and HTTP API payload 1.0).
    V1,
    /// HTTP API payload 2.0.
    V2,
}

/// What an event decodes to: a request for the app, or an answer given without it.
#[derive(Debug)]
pub(crate) enum Decoded<'a> {
    Request(Parts<'a>),
    /// A 400 for a malformed HTTP request inside a well-formed event, or the gateway's own
    /// not-found answer for a path no route matches.
    Response(Response),
}

/// Everything a [`chalice_core::RequestBuilder`] needs, owned, and the route it goes to.
#[derive(Debug)]
pub(crate) struct Parts<'a> {
    pub(crate) method: Method,
    pub(crate) route: RouteMatch<'a>,
    pub(crate) headers: EventHeaders,
    pub(crate) query: Option<MultiDict>,
    pub(crate) uri_params: Option<Params>,
    pub(crate) stage_vars: Option<Params>,
    pub(crate) body: Bytes,
    /// `requestContext`'s JSON: a slice of the event, not a copy.
    pub(crate) context: Option<Bytes>,
}

/// Decodes the text of an event in one serde pass.
///
/// `text` is `buffer`'s content: header values are taken as slices of `buffer`, not copied.
pub(crate) fn decode<'a>(
    app: &'a Chalice,
    buffer: &Bytes,
    text: &str,
) -> Result<(Version, Decoded<'a>), EventError> {
    if !text.trim_start().starts_with('{') {
        let kind = match text.trim_start().bytes().next() {
            Some(b'[') => "an array",
            Some(b'"') => "a string",
            Some(b'n') => "null",
            Some(b't' | b'f') => "a boolean",
            Some(b'-' | b'0'..=b'9') => "a number",
            // Not JSON at all: serde says where and why.
            _ => {
                let error = serde_json::from_str::<serde::de::IgnoredAny>(text)
                    .err()
                    .map(|e| EventError::json(&e))
                    .unwrap_or_else(|| EventError::new("the event is not JSON"));
                return Err(error);
            }
        };
        return Err(EventError::new(format!(
            "not an API Gateway proxy event: expected a JSON object, got {kind}"
        )));
    }
    let event = match crate::scan::event(text) {
        Some(event) => event,
        // Anything unusual: serde's derive reads it, or says what is wrong.
        None => {
            let mut deserializer = serde_json::Deserializer::from_str(text);
            let event = Event::deserialize(&mut deserializer).map_err(|e| EventError::json(&e))?;
            // Exactly one JSON value: an event followed by anything but whitespace (a second
            // object, stray text) is not one event.
            deserializer.end().map_err(|e| {
                EventError::new(format!(
                    "the event is not one JSON object: more text follows it at line {} column {}",
                    e.line(),
                    e.column()
                ))
            })?;
            event
        }
    };
    match event.version.as_deref() {
        Some("2.0") => Ok((Version::V2, decode_v2(app, buffer, event)?)),
        Some("1.0") => Ok((Version::V1, decode_v1(app, buffer, event)?)),
        None if event.http_method.is_some() => Ok((Version::V1, decode_v1(app, buffer, event)?)),
        None => Err(EventError::new(
            "not an API Gateway proxy event: it has neither \"httpMethod\" (REST API, payload 1.0) \
             nor \"version\": \"2.0\" (HTTP API, payload 2.0)",
        )),
        Some(other) => Err(EventError::new(format!(
            "not an API Gateway proxy event: payload version {other:?} is neither \"1.0\" (REST API) \
             nor \"2.0\" (HTTP API)"
        ))),
    }
}

/// REST API proxy event (payload 1.0).
fn decode_v1<'a>(
    app: &'a Chalice,
    buffer: &Bytes,
    event: Event<'_>,
) -> Result<Decoded<'a>, EventError> {
    let mut context = LazyContext::new(event.request_context);
    let method = event
        .http_method
        .ok_or_else(|| EventError::missing("1.0", "httpMethod"))?;
    let method = match parse_method(&method) {
        Ok(method) => method,
        Err(message) => return Ok(Decoded::Response(bad_request(&message))),
    };
    let resource = match event.resource {
        Some(resource) => Some(resource),
        None => context.fields()?.resource_path.clone(),
    };
    let route = match resource
        .as_deref()
        .and_then(|r| RouteMatch::by_template(app, r, &method))
    {
        Some(route) => Some((route, params(event.path_parameters))),
        None => {
            // A template the app does not know: a REST `{proxy+}` catch-all in front of the
            // app, or an API deployed from another definition. Route by path, as API Gateway
            // sees it: the template with its captures filled in is the path relative to the
            // API, free of the stage and of any custom-domain base path that `path` may carry.
            // A REST API's `pathParameters` are as sent (still percent-encoded): they go into
            // the path as they are, and come out of matching the same.
            let relative = resource
                .as_deref()
                .and_then(|r| fill_template(r, event.path_parameters.as_ref(), Escape::No));
            let by_path = |path: &str| RouteMatch::by_path(app, path, &method);
            let found = relative.as_deref().and_then(by_path);
            match found {
                Some(found) => Some(found),
                None => match event.path.as_deref() {
                    Some(path) => match by_path(path) {
                        Some(found) => Some(found),
                        None => {
                            strip_stage(path, context.fields()?.stage.as_deref()).and_then(by_path)
                        }
                    },
                    None if resource.is_none() => {
                        return Err(EventError::missing("1.0", "resource"));
                    }
                    None => None,
                },
            }
        }
    };
    let Some((route, uri_params)) = route else {
        tracing::warn!(
            target: "chalice::lambda",
            resource = resource.as_deref(),
            path = event.path.as_deref(),
            "no route of the app matches the event; answering as API Gateway does for an unknown path"
        );
        return Ok(Decoded::Response(missing_authentication_token()));
    };

    // `multiValueHeaders` holds every value, `headers` only the last of each name; API
    // Gateway sends both when multi-value support is on (always, for proxy integrations).
    let headers = match event.multi_value_headers {
        Some(multi) if !multi.0.is_empty() => EventHeaders::new(buffer, multi, None),
        _ => EventHeaders::new(buffer, event.headers.unwrap_or_default(), None),
    };
    let query = match event.multi_value_query_string_parameters {
        Some(multi) if !multi.0.is_empty() => Some(multi_dict(multi)),
        _ => event.query_string_parameters.map(multi_dict),
    };
    let body = match body(buffer, event.body, event.is_base64_encoded) {
        Ok(body) => body,
        Err(message) => return Ok(Decoded::Response(bad_request(&message))),
    };
    Ok(Decoded::Request(Parts {
        method,
        route,
        headers,
        query,
        uri_params,
        stage_vars: params(event.stage_variables),
        body,
        context: event
            .request_context
            .map(|raw| buffer.slice_ref(raw.0.as_bytes())),
    }))
}

/// HTTP API event (payload 2.0).
fn decode_v2<'a>(
    app: &'a Chalice,
    buffer: &Bytes,
    event: Event<'_>,
) -> Result<Decoded<'a>, EventError> {
    let mut context = LazyContext::new(event.request_context);
    // `routeKey` is "GET /users/{name}", "ANY /{proxy+}" or "$default"; some tools send a
    // bare stage name ("Prod"), which names no template either.
    let (key_method, key_template) = match event.route_key.as_deref() {
        Some(key) => match key.split_once(' ') {
            Some((method, template)) if template.starts_with('/') => (Some(method), Some(template)),
            _ => (None, None),
        },
        None => (None, None),
    };
    // HTTP APIs match a route's method exactly (or any method for ANY), so a concrete method
    // in the route key is the request's: no need to parse `requestContext` for it.
    let method = match key_method {
        Some(method) if method != "ANY" => Cow::Borrowed(method),
        _ => match context
            .fields()?
            .http
            .as_ref()
            .and_then(|h| h.method.clone())
        {
            Some(method) => Cow::Owned(method.0.into_owned()),
            None => return Err(EventError::missing("2.0", "requestContext.http.method")),
        },
    };
    let method = match parse_method(&method) {
        Ok(method) => method,
        Err(message) => return Ok(Decoded::Response(bad_request(&message))),
    };
    let route = match key_template.and_then(|t| RouteMatch::by_template(app, t, &method)) {
        Some(route) => Some((route, params(event.path_parameters))),
        None => {
            // An HTTP API's `pathParameters` and `rawPath` are decoded: they are matched with
            // `%` (and a capture's `/`) escaped, and the captures found decoded back.
            let by_path = |path: &str| {
                RouteMatch::by_path(app, path, &method)
                    .map(|(route, captures)| (route, decoded(captures)))
            };
            let relative = key_template
                .and_then(|t| fill_template(t, event.path_parameters.as_ref(), Escape::Decoded));
            match relative.as_deref().and_then(by_path) {
                Some(found) => Some(found),
                None => {
                    let fields = context.fields()?;
                    let raw_path = match (&event.raw_path, fields.http.as_ref()) {
                        (Some(path), _) => path.clone(),
                        (None, Some(http)) => match &http.path {
                            Some(path) => path.clone(),
                            None => return Err(EventError::missing("2.0", "rawPath")),
                        },
                        (None, None) => return Err(EventError::missing("2.0", "rawPath")),
                    };
                    // HTTP APIs put the stage in `rawPath` unless it is `$default`;
                    // lambda_http keeps it there and breaks routing behind named stages
                    // (https://github.com/aws/aws-lambda-rust-runtime/issues/782, #668).
                    // They also hand the path over percent-decoded: escape `%` so that
                    // decoding the captures found gives back the text as it was.
                    let raw_path = escape_percent(&raw_path);
                    let stripped = strip_stage(&raw_path, fields.stage.as_deref());
                    stripped.and_then(by_path).or_else(|| by_path(&raw_path))
                }
            }
        }
    };
    let Some((route, uri_params)) = route else {
        tracing::warn!(
            target: "chalice::lambda",
            route_key = event.route_key.as_deref(),
            path = event.raw_path.as_deref(),
            "no route of the app matches the event; answering as an HTTP API does for an unknown route"
        );
        return Ok(Decoded::Response(not_found()));
    };

    // Payload 2.0 joins repeated headers with commas and moves cookies to their own list;
    // they go back into one `Cookie` header, as a browser sends them (RFC 6265 §5.4).
    let cookie = event.cookies.filter(|c| !c.0.is_empty()).map(|cookies| {
        cookies
            .0
            .iter()
            .map(|c| &**c)
            .collect::<Vec<_>>()
            .join("; ")
    });
    let headers = EventHeaders::new(buffer, event.headers.unwrap_or_default(), cookie);
    // `rawQueryString` keeps repeated keys apart; `queryStringParameters` joins them with
    // commas, which cannot be told from a comma inside a value.
    let query = match event.raw_query_string.as_deref() {
        Some(raw) if !raw.is_empty() => MultiDict::parse(raw),
        _ => event.query_string_parameters.map(multi_dict),
    };
    let body = match body(buffer, event.body, event.is_base64_encoded) {
        Ok(body) => body,
        Err(message) => return Ok(Decoded::Response(bad_request(&message))),
    };
    Ok(Decoded::Request(Parts {
        method,
        route,
        headers,
        query,
        uri_params,
        stage_vars: params(event.stage_variables),
        body,
        context: event
            .request_context
            .map(|raw| buffer.slice_ref(raw.0.as_bytes())),
    }))
}

/// `requestContext`, parsed the first time a field of it is needed.
struct LazyContext<'a> {
    raw: Option<RawObject<'a>>,
    fields: Option<ContextFields<'a>>,
}

impl<'a> LazyContext<'a> {
    fn new(raw: Option<RawObject<'a>>) -> Self {
        LazyContext { raw, fields: None }
    }

    fn fields(&mut self) -> Result<&ContextFields<'a>, EventError> {
        if self.fields.is_none() {
            let fields = match self.raw {
                Some(raw) => serde_json::from_str(raw.0).map_err(|e| {
                    EventError::new(format!("invalid API Gateway event: requestContext: {e}"))
                })?,
                None => ContextFields::default(),
            };
            self.fields = Some(fields);
        }
        Ok(self.fields.get_or_insert_with(ContextFields::default))
    }
}

/// The method, or the message of the 400 for one HTTP cannot carry.
fn parse_method(method: &str) -> Result<Method, String> {
    Method::from_bytes(method.as_bytes()).map_err(|_| format!("Invalid HTTP method: {method:?}"))
}

/// Whether `text` lies within `buffer` (so that `Bytes::slice_ref` can share it).
fn inside(buffer: &Bytes, text: &str) -> bool {
    let (start, end) = (
        buffer.as_ptr() as usize,
        buffer.as_ptr() as usize + buffer.len(),
    );
    let at = text.as_ptr() as usize;
    start <= at && at + text.len() <= end
}

fn multi_dict(pairs: Pairs<'_>) -> MultiDict {
    pairs
        .0
        .into_iter()
        .map(|(k, v)| (k.0.into_owned(), v.0.into_owned()))
        .collect()
}

/// `pathParameters` / `stageVariables`; `None` when API Gateway sends `null`.
fn params(pairs: Option<Pairs<'_>>) -> Option<Params> {
    pairs.map(|pairs| {
        pairs
            .0
            .into_iter()
            .map(|(k, v)| (k.0.into_owned(), v.0.into_owned()))
            .collect()
    })
}

/// The body as bytes: base64-decoded when the event says so, UTF-8 text otherwise; or the
/// message of the 400 for a body that is not the base64 it claims to be.
///
/// A body the event holds without escapes is a slice of `buffer` (no copy).
fn body(buffer: &Bytes, body: Option<Str<'_>>, is_base64: Option<bool>) -> Result<Bytes, String> {
    let Some(body) = body else {
        return Ok(Bytes::new());
    };
    if is_base64.unwrap_or(false) {
        // Padding optional: API Gateway pads, hand-written test events often do not.
        const LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        return LENIENT
            .decode(body.as_bytes())
            .map(Bytes::from)
            .map_err(|e| {
                format!("The request body is marked isBase64Encoded but is not valid base64: {e}")
            });
    }
    Ok(match body.0 {
        Cow::Borrowed(text) if inside(buffer, text) => buffer.slice_ref(text.as_bytes()),
        Cow::Borrowed(text) => Bytes::copy_from_slice(text.as_bytes()),
        Cow::Owned(text) => Bytes::from(text),
    })
}

/// `path` without a leading `/{stage}`, if it has one.
fn strip_stage<'p>(path: &'p str, stage: Option<&str>) -> Option<&'p str> {
    let stage = stage.filter(|s| !s.is_empty() && *s != "$default")?;
    let rest = path.strip_prefix('/')?.strip_prefix(stage)?;
    match rest {
        "" => Some("/"),
        rest if rest.starts_with('/') => Some(rest),
        _ => None,
    }
}

/// `%` as `%25`, for paths API Gateway has already percent-decoded.
fn escape_percent(path: &str) -> Cow<'_, str> {
    if path.contains('%') {
        Cow::Owned(path.replace('%', "%25"))
    } else {
        Cow::Borrowed(path)
    }
}

/// How `pathParameters` go into a path to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escape {
    /// As they are: a REST API's, still percent-encoded as sent.
    No,
    /// `%` and a single capture's `/` escaped: an HTTP API's, which API Gateway decoded.
    Decoded,
}

/// A template with its captures filled in from `pathParameters`: with [`Escape::Decoded`],
/// `/files/{name}` with `name = "a/b%"` is `/files/a%2Fb%25`, which [`decoded`] turns back
/// into the same values after matching. `None` if a capture has no value.
fn fill_template(template: &str, params: Option<&Pairs<'_>>, escape: Escape) -> Option<String> {
    let mut path = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        path.push_str(&rest[..start]);
        let end = start + rest[start..].find('}')?;
        let name = &rest[start + 1..end];
        let (name, greedy) = match name.strip_suffix('+') {
            Some(name) => (name, true),
            None => (name, false),
        };
        let value = params?.0.iter().rev().find(|(k, _)| &**k == name)?;
        for c in value.1.chars() {
            match c {
                '%' if escape == Escape::Decoded => path.push_str("%25"),
                '/' if escape == Escape::Decoded && !greedy => path.push_str("%2F"),
                c => path.push(c),
            }
        }
        rest = &rest[end + 1..];
    }
    path.push_str(rest);
    Some(path)
}

/// Captures matched on a path escaped for matching ([`Escape::Decoded`], [`escape_percent`]),
/// decoded back to the values the HTTP API passed.
fn decoded(captures: Option<Params>) -> Option<Params> {
    captures.map(|captures| {
        captures
            .iter()
            .map(|(name, value)| (name, percent_decode_str(value).decode_utf8_lossy()))
            .map(|(name, value)| (name.to_owned(), value.into_owned()))
            .collect()
    })
}

/// A 400 as Chalice's `BadRequestError` sends it.
fn bad_request(message: &str) -> Response {
    ChaliceError::bad_request(message.to_owned()).to_response()
}

/// HTTP API's answer for a request no route matches.
fn not_found() -> Response {
    Response::new(&br#"{"message":"Not Found"}"#[..])
        .status_code(404)
        .header("content-type", "application/json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_prefixes() {
        // (path, stage, stripped)
        let cases = [
            ("/Prod/users", Some("Prod"), Some("/users")),
            ("/Prod", Some("Prod"), Some("/")),
            ("/Prod/", Some("Prod"), Some("/")),
            ("/Production/users", Some("Prod"), None),
            ("/users", Some("Prod"), None),
            ("/users", Some("$default"), None),
            ("/users", None, None),
            ("/users", Some(""), None),
        ];
        for (path, stage, expected) in cases {
            assert_eq!(strip_stage(path, stage), expected, "{path} {stage:?}");
        }
    }

    #[test]
    fn templates_fill_from_path_parameters() {
        let params: Pairs<'_> =
            serde_json::from_str(r#"{"name":"a/b%","proxy":"x/y z"}"#).expect("pairs");
        // (template, filled with decoded values, filled with values as sent)
        let cases = [
            (
                "/users/{name}",
                Some("/users/a%2Fb%25"),
                Some("/users/a/b%"),
            ),
            (
                "/files/{proxy+}",
                Some("/files/x/y z"),
                Some("/files/x/y z"),
            ),
            ("/static", Some("/static"), Some("/static")),
            ("/users/{missing}", None, None),
            ("/broken/{name", None, None),
        ];
        for (template, escaped, as_is) in cases {
            assert_eq!(
                fill_template(template, Some(&params), Escape::Decoded).as_deref(),
                escaped,
                "{template}"
            );
            assert_eq!(
                fill_template(template, Some(&params), Escape::No).as_deref(),
                as_is,
                "{template}"
            );
        }
        assert_eq!(fill_template("/u/{name}", None, Escape::No), None);
        let escaped: Params = [("name", "a%2Fb%25"), ("p", "x%2520")]
            .into_iter()
            .collect();
        let back: Params = [("name", "a/b%"), ("p", "x%20")].into_iter().collect();
        assert_eq!(decoded(Some(escaped)), Some(back));
    }
}
