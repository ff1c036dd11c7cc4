//! The headers-first phase: what API Gateway decides about a request before its body
//! matters.
//!
//! Everything API Gateway checks in front of Lambda is decided by the request line and the
//! headers: the route (403 for a path or a method it does not have), the CORS preflight,
//! the authorizer (tokens, headers, the query: never the body) and the API key. An adapter
//! that receives a request as a stream (the local server) asks [`Gateway::admit`] with the
//! head alone, and reads the body only when the answer is [`Admission::Admitted`] and
//! [`Admitted::needs_body`] says the app will look at it. A request refused on its head
//! costs the server nothing of its body: a client sending 10 MB to an unknown path gets its
//! 403 before it has sent them.

use bytes::Bytes;
use http::Method;
use http::header::CONTENT_TYPE;

use crate::media;
use crate::params::Params;
use crate::response::Response;
use crate::routing::RouteMatch;

use super::answers::{
    MAX_BODY_BYTES, missing_authentication_token_for, payload_too_large, preflight,
};
use super::{Gateway, HttpRequest, path};

/// What [`Gateway::admit`] decided from a request's head.
#[derive(Debug)]
// `Admitted` carries the request's head; boxing it would cost an allocation per request
// to save stack space for the rarer refusals.
#[allow(clippy::large_enum_variant)]
pub enum Admission<'a> {
    /// The gateway answered by itself, as API Gateway does without calling Lambda: an
    /// unknown route or method (403), a CORS preflight, an authorizer's or an API key's
    /// refusal. The body is not needed: an adapter need not read it.
    Answered(Response),
    /// The request goes on to the app: give it its body with [`Admitted::answer`].
    Admitted(Admitted<'a>),
}

/// A request the gateway lets through to the app, waiting for its body.
pub struct Admitted<'a> {
    pub(super) gateway: &'a Gateway,
    pub(super) route: RouteMatch<'a>,
    pub(super) uri_params: Option<Params>,
    pub(super) authorizer_context: Option<serde_json::Value>,
    pub(super) head: HttpRequest,
}

impl Gateway {
    /// Decides on a request's head alone (`head.body` is ignored) what API Gateway decides
    /// before it calls Lambda: its route, CORS preflight, authorizer and API key, in
    /// API Gateway's order. [`Gateway::handle`] is this followed by [`Admitted::answer`];
    /// an adapter that reads bodies from a socket calls the two itself, and reads the body in
    /// between only if [`Admitted::needs_body`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// use chalice_core::adapter::{Admission, Gateway, HttpRequest};
    /// use chalice_core::{Bytes, Chalice, Method, Request, Route};
    ///
    /// let mut app = Chalice::new("app");
    /// app.register(Route::new("/echo", |r: &Request| r.raw_body().len().to_string()).methods(["POST"]));
    /// let gateway = Gateway::new(Arc::new(app));
    /// # use chalice_core::__private::block_on;
    ///
    /// // No route: answered from the head, whatever the body would have been.
    /// let Admission::Answered(response) = block_on(gateway.admit(HttpRequest::new(Method::POST, "/nowhere"))) else {
    ///     panic!("an unknown path is API Gateway's to answer");
    /// };
    /// assert_eq!(response.status_code, 403);
    ///
    /// let Admission::Admitted(admitted) = block_on(gateway.admit(HttpRequest::new(Method::POST, "/echo"))) else {
    ///     panic!("a route for POST /echo");
    /// };
    /// assert!(admitted.needs_body());
    /// let response = block_on(admitted.answer(Bytes::from_static(b"[1, 2]")));
    /// assert_eq!((response.status_code, &response.body[..]), (200, &b"6"[..]));
    /// ```
    pub async fn admit(&self, head: HttpRequest) -> Admission<'_> {
        let is_head = head.method == Method::HEAD;
        match self.decide(head).await {
            Ok(admitted) => Admission::Admitted(admitted),
            Err(response) => Admission::Answered(for_method(is_head, response)),
        }
    }

    async fn decide(&self, mut head: HttpRequest) -> Result<Admitted<'_>, Response> {
        // Routing, captures, `requestContext.path` and the authorizer's ARN all see the path
        // as API Gateway passes it on: as sent, what a URL cannot carry raw encoded.
        if let std::borrow::Cow::Owned(passed) = path::as_api_gateway_passes(&head.path) {
            head.path = passed;
        }
        let Some((route, uri_params)) = RouteMatch::by_path(&self.app, &head.path, &head.method)
        else {
            return Err(missing_authentication_token_for(&head.headers));
        };
        let Some(entry) = route.entry else {
            if head.method == Method::OPTIONS
                && let Some(Some(headers)) = self.preflights.get(route.id.index())
            {
                return Err(preflight(headers));
            }
            tracing::warn!(
                target: "chalice::gateway",
                "{} {} answered 403 Missing Authentication Token: the route {} has no {} view (it has {}). \
                 API Gateway answers so for a method a path does not have; add the method to the route's `methods`.",
                head.method,
                head.path,
                route.template(),
                head.method,
                route.allow()
            );
            return Err(missing_authentication_token_for(&head.headers));
        };
        // Most routes have neither an authorizer nor an API key: their requests skip the
        // guard, whose state (boxed for the others) would be part of every request's future.
        let authorizer_context =
            if entry.authorizer.is_none() && entry.api_key_required != Some(true) {
                None
            } else {
                Box::pin(self.guard(entry, &head)).await?
            };
        Ok(Admitted {
            gateway: self,
            route,
            uri_params,
            authorizer_context,
            head,
        })
    }
}

impl Admitted<'_> {
    /// Whether the app will see the request's body. `false` when the route refuses the
    /// request's `Content-Type` (415) and no middleware runs before that check: the app's
    /// answer is then the same whatever the body, and an adapter need not read it. On
    /// Lambda the body would have been sent; nothing the app does can tell.
    pub fn needs_body(&self) -> bool {
        let app = self.route.app;
        if !app.http_middleware.is_empty() {
            // Middleware sees the request, body included, before the content type is checked.
            return true;
        }
        let Some(entry) = self.route.entry else {
            return false;
        };
        if entry.content_types.is_empty() {
            return true;
        }
        // Dispatch's own rule (`middleware::call_endpoint`): the last value, as
        // `Request::header` reads it (not UTF-8: none), `application/json` when there is none.
        let content_type = self
            .head
            .headers
            .get_all(CONTENT_TYPE)
            .iter()
            .next_back()
            .and_then(|value| std::str::from_utf8(value.as_bytes()).ok())
            .unwrap_or("application/json");
        media::matches_content_type(content_type, &entry.content_types)
    }

    /// The route the request was admitted to (its template, its methods).
    pub fn route(&self) -> RouteMatch<'_> {
        self.route
    }

    /// Answers the request, with `body` as its body, as the app behind the gateway does. A
    /// body over [`MAX_BODY_BYTES`] gets API Gateway's 413; an adapter that reads bodies
    /// should refuse those before reading them whole.
    pub async fn answer(self, body: Bytes) -> Response {
        let is_head = self.head.method == Method::HEAD;
        let response = if body.len() > MAX_BODY_BYTES {
            payload_too_large()
        } else {
            self.gateway.call_app(self, body).await
        };
        for_method(is_head, response)
    }
}

impl std::fmt::Debug for Admitted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admitted")
            .field("route", &self.route)
            .field("method", &self.head.method)
            .field("path", &self.head.path)
            .finish_non_exhaustive()
    }
}

/// The response as sent for a request of this method: HEAD answers carry the length a GET
/// would have, but no body (Chalice's local server sends one; HTTP forbids it).
fn for_method(is_head: bool, mut response: Response) -> Response {
    if is_head {
        let length = response.body.len().to_string();
        response.headers.insert("content-length", length);
        response.body = Bytes::new();
    }
    response
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::__private::block_on;
    use crate::{
        AuthRequest, AuthResponse, Chalice, ChaliceError, EventType, Next, Request, Route,
    };

    /// What the head phase decided: the gateway's status, or whether the app needs the body.
    #[derive(Debug, PartialEq, Eq)]
    enum Decided {
        Answered(u16),
        Admitted { needs_body: bool },
    }

    fn app(middleware: bool) -> Chalice {
        let mut app = Chalice::new("admit");
        let auth = app.authorizer("token", |request: &AuthRequest| {
            match request.token.as_str() {
                "good" => Ok(AuthResponse::new("user").routes(["/guarded"])),
                _ => Err(ChaliceError::unauthorized("no")),
            }
        });
        app.register(Route::new("/json", || "ok").methods(["POST"]));
        app.register(
            Route::new("/text", || "ok")
                .methods(["POST"])
                .content_types(["text/plain"]),
        );
        app.register(
            Route::new("/any", || "ok")
                .methods(["POST"])
                .content_types(Vec::<String>::new()),
        );
        app.register(
            Route::new("/paid", || "ok")
                .methods(["POST"])
                .api_key_required(true),
        );
        app.register(
            Route::new("/guarded", || "ok")
                .methods(["POST"])
                .authorizer(&auth),
        );
        app.register(Route::new("/cors", || "ok").methods(["POST"]).cors(true));
        if middleware {
            app.middleware(EventType::Http, |request: Request, next: Next| async move {
                next.run(request).await
            });
        }
        app
    }

    fn decide(gateway: &Gateway, method: Method, path: &str, headers: &[(&str, &[u8])]) -> Decided {
        let mut head = HttpRequest::new(method, path);
        for &(name, value) in headers {
            head.headers.append(
                http::HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
                http::HeaderValue::from_bytes(value).expect("a header value"),
            );
        }
        match block_on(gateway.admit(head)) {
            Admission::Answered(response) => Decided::Answered(response.status_code),
            Admission::Admitted(admitted) => Decided::Admitted {
                needs_body: admitted.needs_body(),
            },
        }
    }

    #[test]
    fn the_head_decides_whether_the_body_is_read() {
        use Decided::*;
        const BODY: Decided = Admitted { needs_body: true };
        const NO_BODY: Decided = Admitted { needs_body: false };
        let ct = "content-type";
        #[rustfmt::skip]
        let cases: &[(bool, Method, &str, &[(&str, &[u8])], Decided)] = &[
            (false, Method::POST, "/nowhere", &[], Answered(403)),
            (false, Method::PUT, "/json", &[], Answered(403)),
            (false, Method::OPTIONS, "/cors", &[], Answered(200)),
            (false, Method::POST, "/paid", &[], Answered(403)),
            (false, Method::POST, "/paid", &[("x-api-key", b"wrong")], Answered(403)),
            (false, Method::POST, "/paid", &[("x-api-key", b"k-1")], BODY),
            (false, Method::POST, "/guarded", &[], Answered(401)),
            (false, Method::POST, "/guarded", &[("authorization", b"bad")], Answered(401)),
            (false, Method::POST, "/guarded", &[("authorization", b"good")], BODY),
            // No Content-Type is taken as application/json, as dispatch takes it.
            (false, Method::POST, "/json", &[], BODY),
            (false, Method::POST, "/json", &[(ct, b"application/json; charset=utf-8")], BODY),
            (false, Method::POST, "/json", &[(ct, b"text/plain")], NO_BODY),
            // The last value counts, as the view reads it.
            (false, Method::POST, "/json", &[(ct, b"text/plain"), (ct, b"application/json")], BODY),
            (false, Method::POST, "/json", &[(ct, b"application/json"), (ct, b"text/plain")], NO_BODY),
            (false, Method::POST, "/json", &[(ct, "caf\u{e9}".as_bytes())], NO_BODY),
            // Not UTF-8: the view sees no Content-Type, so application/json.
            (false, Method::POST, "/json", &[(ct, b"\xff")], BODY),
            (false, Method::POST, "/text", &[], NO_BODY),
            (false, Method::POST, "/text", &[(ct, b"text/plain")], BODY),
            (false, Method::POST, "/any", &[(ct, b"image/png")], BODY),
            // Middleware sees the request, body included, before the content type is checked.
            (true, Method::POST, "/json", &[(ct, b"text/plain")], BODY),
            (true, Method::POST, "/nowhere", &[], Answered(403)),
        ];
        let plain = Gateway::new(Arc::new(app(false))).api_keys(["k-1"]);
        let wrapped = Gateway::new(Arc::new(app(true))).api_keys(["k-1"]);
        for (middleware, method, path, headers, expected) in cases {
            let gateway = if *middleware { &wrapped } else { &plain };
            let decided = decide(gateway, method.clone(), path, headers);
            assert_eq!(
                &decided, expected,
                "{method} {path} {headers:?} (middleware: {middleware})"
            );
        }
    }

    /// A request answered without its body gets the same answer as with it: the app's 415
    /// does not depend on the body.
    #[test]
    fn a_refused_content_type_is_answered_the_same_without_its_body() {
        let gateway = Gateway::new(Arc::new(app(false)));
        let mut request = HttpRequest::new(Method::POST, "/json");
        request
            .headers
            .insert("content-type", "text/plain".parse().expect("value"));
        let Admission::Admitted(admitted) = block_on(gateway.admit(request.clone())) else {
            panic!("POST /json reaches the app");
        };
        let without = block_on(admitted.answer(Bytes::new()));
        request.body = Bytes::from_static(b"a body the app never reads");
        let with = block_on(gateway.handle(request));
        assert_eq!(
            (without.status_code, &without.body),
            (with.status_code, &with.body)
        );
        assert_eq!(
            without.body,
            r#"{"Code":"UnsupportedMediaType","Message":"Unsupported media type: text/plain"}"#
        );
    }
}
