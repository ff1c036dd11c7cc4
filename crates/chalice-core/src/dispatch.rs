//! [`RouteMatch::handle`]: the one dispatch every front door calls.
//!
//! Method (405) → middleware → content type (415) → view, with its request current and
//! panics caught → error handlers → errors to responses → header check → CORS → binary
//! `Accept` gate → default `Content-Type`. The order is Chalice's
//! (`RestAPIEventHandler._main_rest_api_handler`), so the same request gets the same answer
//! on Lambda, locally and in tests. The route and its view come in found (`routing.rs`);
//! what is constant per route (the `Allow` value, the CORS headers) was made when the app
//! was defined.

use std::sync::Arc;

use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};

use crate::app::Chalice;
use crate::error::ChaliceError;
use crate::media;
use crate::middleware::{Endpoint, Next, call_endpoint};
use crate::request::Request;
use crate::response::Response;
use crate::routing::RouteMatch;

impl RouteMatch<'_> {
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
    /// ```
    pub async fn handle(self, request: Request) -> Response {
        let app = self.app;
        let Some(entry) = self.entry else {
            let message = format!("Unsupported method: {}", request.method());
            return Response::error_json(405, "MethodNotAllowedError", &message)
                .header("Allow", self.allow());
        };
        let cors_headers = app
            .resolve_cors(&entry.cors)
            .map(|cors| cors.response_headers())
            .unwrap_or_default();

        let result = if app.http_middleware.is_empty() {
            call_endpoint(
                &entry.view,
                &entry.content_types,
                app.log(),
                app.debug(),
                request.clone(),
            )
            .await
        } else {
            let endpoint = Endpoint {
                view: Arc::clone(&entry.view),
                content_types: Arc::clone(&entry.content_types),
                log: app.log().clone(),
                debug: app.debug(),
            };
            Next::new(Arc::clone(&app.http_middleware), endpoint)
                .run(request.clone())
                .await
        };
        let mut response = match result {
            Ok(response) => response,
            Err(error) => match app.error_handlers.handle(&error) {
                Some(Ok(response)) => response,
                Some(Err(error)) => app.error_response(&error, &request),
                None => app.error_response(&error, &request),
            },
        };
        response = with_cors(response, cors_headers);

        if app.is_binary(&response) {
            let accepts_binary = request
                .header("accept")
                .is_some_and(|accept| media::matches_content_type(accept, &app.api.binary_types));
            if !accepts_binary {
                let content_type = response
                    .headers
                    .get("content-type")
                    .unwrap_or_default()
                    .to_owned();
                // Chalice's code and wording, including its odd first sentence.
                let message = format!(
                    "Request did not specify an Accept header with {content_type}, The response has a \
                     Content-Type of {content_type}. If a response has a binary Content-Type then the request \
                     must specify an Accept header that matches."
                );
                return with_cors(
                    Response::error_json(400, "BadRequest", &message),
                    cors_headers,
                );
            }
            // Judged once, here; the Lambda adapter reads it to base64-encode the body.
            response.binary = true;
        }
        if !response.headers.contains_key("content-type") {
            response
                .headers
                .as_header_map_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        response
    }
}

impl Chalice {
    /// The response for a view's error; unhandled errors are logged with the request's path.
    fn error_response(&self, error: &ChaliceError, request: &Request) -> Response {
        if !error.is_unhandled() {
            return error.to_response();
        }
        let report = error.debug_report();
        self.log().error(format!(
            "Caught exception for path {}\n{report}",
            request.path()
        ));
        if self.debug() {
            Response::new(report)
                .status_code(500)
                .header("content-type", "text/plain")
        } else {
            error.to_response()
        }
    }

    /// Whether a response's `Content-Type` is one of the app's binary types (its body is
    /// then base64-encoded on Lambda). A response without one is JSON, which is not.
    fn is_binary(&self, response: &Response) -> bool {
        let content_type = response
            .headers
            .get("content-type")
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
fn with_cors(mut response: Response, cors_headers: &[(HeaderName, HeaderValue)]) -> Response {
    let headers = response.headers.as_header_map_mut();
    for (name, value) in cors_headers {
        if !headers.contains_key(name) {
            headers.insert(name.clone(), value.clone());
        }
    }
    response
}
