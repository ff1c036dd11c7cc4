//! [`RouteMatch::handle`]: the one dispatch every front door calls.
//!
//! Middleware → the route's answer: method (405) → content type (415) → view, with its
//! request current and panics caught → error handlers → errors to responses → CORS →
//! binary `Accept` gate → default `Content-Type`. The order is Chalice's
//! (`RestAPIEventHandler`, whose middleware wrap `_main_rest_api_handler`), so the same
//! request gets the same answer on Lambda, locally and in tests, and middleware see every
//! answer the app gives. The route and its view come in found (`routing.rs`); what is
//! constant per route (the `Allow` value, the CORS headers) was made when the app was
//! defined.

use std::sync::Arc;

use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};

use crate::app::Chalice;
use crate::current::{self, Scoped};
use crate::error::ChaliceError;
use crate::error_handler::answer_error;
use crate::handoff::{self, Handoff};
use crate::log::Logger;
use crate::media;
use crate::middleware::Next;
use crate::request::Request;
use crate::response::Response;
use crate::routing::RouteMatch;
use crate::view::ErasedView;

impl<'a> RouteMatch<'a> {
    /// Answers `request`, which the adapter built for this route (its path template, and the
    /// method this route was matched with).
    ///
    /// Never fails and never panics: every error, including a panicking view, becomes a
    /// response. The Lambda adapter calls this for each event; the local server and the test
    /// client call it through [`crate::adapter::Gateway`], which first does what API Gateway
    /// does.
    ///
    /// ```
    /// use chalice_core::adapter::RouteMatch;
    /// use chalice_core::{Chalice, ChaliceError, Method, Request};
    ///
    /// let mut app = Chalice::new("app");
    /// app.route("/teapot", || Err::<String, _>(ChaliceError::conflict("I am busy")));
    /// let route = RouteMatch::by_template(&app, "/teapot", &Method::GET).expect("a route");
    /// let request = Request::builder(Method::GET, route.template().clone()).build();
    /// # let block_on = chalice_core::__private::block_on;
    /// let response = block_on(route.handle(request));
    /// assert_eq!(response.status_code, 409);
    /// assert_eq!(response.body, r#"{"Code":"ConflictError","Message":"I am busy"}"#);
    /// assert_eq!(response.error().map(|e| e.message().into_owned()), Some("I am busy".to_owned()));
    /// ```
    pub async fn handle(self, request: Request) -> Response {
        let app = self.app;
        if app.http_middleware.is_empty() {
            return self.answer(request).await;
        }
        let handoff = Arc::new(Handoff::new(
            app.error_handlers.clone(),
            app.log().clone(),
            app.debug(),
        ));
        let chain = Next::new(Arc::clone(&app.http_middleware), Arc::clone(&handoff)).run(request);
        let response = handoff::drive(chain, handoff, |request| self.answer(request)).await;
        self.finish(response)
    }

    /// The route's own answer, which middleware wrap (Chalice's `_main_rest_api_handler`):
    /// complete, with the route's CORS headers, the binary gate applied and a
    /// `Content-Type`.
    async fn answer(self, request: Request) -> Response {
        let app = self.app;
        let Some(entry) = self.entry else {
            // No CORS headers, as in Chalice: they belong to a route's views.
            let message = format!("Unsupported method: {}", request.method());
            let mut response = Response::error_json(405, "MethodNotAllowedError", &message)
                .header("Allow", self.allow());
            response.from_route = true;
            return response;
        };
        let cors_headers = self.cors_headers();
        let mut response = match unsupported_media_type(&entry.content_types, &request) {
            Some(refusal) => refusal,
            None => {
                let result = call_view(&entry.view, app.log(), app.debug(), request.clone())
                    .await
                    .and_then(|response| response.checked("view"));
                match result {
                    Ok(response) => response,
                    Err(error) => answer_error(
                        error,
                        &app.error_handlers,
                        app.log(),
                        app.debug(),
                        request.path(),
                    ),
                }
            }
        };
        with_cors(&mut response, cors_headers);
        if app.is_binary(&response) {
            if !accepts_binary(app, &request) {
                response = binary_refused(&response);
                with_cors(&mut response, cors_headers);
            } else {
                // Judged once, here; the Lambda adapter reads it to base64-encode the body.
                response.binary = true;
            }
        }
        with_default_content_type(&mut response);
        response.from_route = true;
        response
    }

    /// What dispatch does to the middleware's answer: the route's CORS headers on a
    /// response a middleware made itself (the route's own answer has them, as the
    /// middleware left them), a `Content-Type`, and whether the body is binary.
    fn finish(self, mut response: Response) -> Response {
        if !response.from_route {
            with_cors(&mut response, self.cors_headers());
        }
        with_default_content_type(&mut response);
        response.binary = self.app.is_binary(&response);
        response
    }

    /// The CORS headers of the route's view, if it has CORS.
    fn cors_headers(self) -> &'a [(HeaderName, HeaderValue)] {
        self.entry
            .and_then(|entry| self.app.resolve_cors(&entry.cors))
            .map(|cors| cors.response_headers())
            .unwrap_or_default()
    }
}

/// The view, with its request current and panics caught.
async fn call_view(
    view: &ErasedView,
    log: &Logger,
    debug: bool,
    request: Request,
) -> Result<Response, ChaliceError> {
    match view {
        ErasedView::Sync(view) => current::run_sync(&request, log, debug, || view(&request))?,
        ErasedView::Async(view) => {
            let future = current::run_sync(&request, log, debug, || view(request.clone()))?;
            Scoped::new(future, request, log.clone(), debug).await?
        }
    }
}

/// The 415 for a request whose `Content-Type` (`application/json` when absent) the route
/// does not accept; `None` when it does, or when it accepts any.
fn unsupported_media_type(content_types: &[String], request: &Request) -> Option<Response> {
    if content_types.is_empty() {
        return None;
    }
    let content_type = request.header("content-type").unwrap_or("application/json");
    if media::matches_content_type(content_type, content_types) {
        return None;
    }
    let message = format!("Unsupported media type: {content_type}");
    Some(Response::error_json(415, "UnsupportedMediaType", &message))
}

/// Whether the request's `Accept` names one of the app's binary types.
fn accepts_binary(app: &Chalice, request: &Request) -> bool {
    request
        .header("accept")
        .is_some_and(|accept| media::matches_content_type(accept, &app.api.binary_types))
}

/// Chalice's 400 for a binary `response` to a request that does not accept binary.
fn binary_refused(response: &Response) -> Response {
    let content_type = response.headers.last(CONTENT_TYPE).unwrap_or_default();
    // Chalice's code and wording, including its odd first sentence.
    let message = format!(
        "Request did not specify an Accept header with {content_type}, The response has a \
         Content-Type of {content_type}. If a response has a binary Content-Type then the request \
         must specify an Accept header that matches."
    );
    Response::error_json(400, "BadRequest", &message)
}

impl Chalice {
    /// Whether a response's `Content-Type` is one of the app's binary types (its body is
    /// then base64-encoded on Lambda). A response without one is JSON, which is not.
    fn is_binary(&self, response: &Response) -> bool {
        let content_type = response
            .headers
            .last(CONTENT_TYPE)
            .unwrap_or("application/json");
        if content_type == "application/json" {
            // The usual answer, decided without parsing the header.
            return self
                .api
                .binary_types
                .iter()
                .any(|t| t == "*/*" || t.eq_ignore_ascii_case(content_type));
        }
        media::matches_content_type(content_type, &self.api.binary_types)
    }
}

/// Adds the CORS headers the response does not set itself.
fn with_cors(response: &mut Response, cors_headers: &[(HeaderName, HeaderValue)]) {
    let headers = response.headers.as_header_map_mut();
    for (name, value) in cors_headers {
        if !headers.contains_key(name) {
            headers.insert(name.clone(), value.clone());
        }
    }
}

/// `Content-Type: application/json` on a response without one, as API Gateway sends it.
fn with_default_content_type(response: &mut Response) {
    let headers = response.headers.as_header_map_mut();
    if !headers.contains_key(CONTENT_TYPE) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
}
