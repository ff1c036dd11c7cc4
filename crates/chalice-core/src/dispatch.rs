//! [`Chalice::handle`]: the one dispatch every front door calls.
//!
//! Route → method (405) → middleware → content type (415) → view, with its request current
//! and panics caught → error handlers → errors to responses → header check → CORS → binary `Accept` gate → default
//! `Content-Type`. The order is Chalice's (`RestAPIEventHandler._main_rest_api_handler`),
//! so the same request gets the same answer on Lambda, locally and in tests.

use std::sync::Arc;

use crate::app::Chalice;
use crate::error::{ChaliceError, error_body};
use crate::media;
use crate::middleware::{Endpoint, Next, call_endpoint};
use crate::panic;
use crate::request::Request;
use crate::response::Response;

impl Chalice {
    /// Answers a request that API Gateway (or its emulation) has routed: `request.path()`
    /// names the route's template.
    ///
    /// Never fails and never panics: every error, including a panicking view, becomes a
    /// response. The Lambda adapter calls this for each event; the local server and the test
    /// client call it through [`crate::Gateway`], which first does what API Gateway does.
    ///
    /// ```
    /// use chalice_core::{Chalice, ChaliceError, Method, Request};
    ///
    /// let mut app = Chalice::new("app");
    /// app.route("/teapot", || Err::<String, _>(ChaliceError::conflict("I am busy")));
    /// let request = Request::builder(Method::GET, "/teapot").build();
    /// # let rt = futures_lite_block_on;
    /// let response = rt(app.handle(request));
    /// assert_eq!(response.status_code, 409);
    /// assert_eq!(response.body, r#"{"Code":"ConflictError","Message":"I am busy"}"#);
    /// # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     let mut f = std::pin::pin!(f);
    /// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// ```
    pub async fn handle(&self, request: Request) -> Response {
        panic::install_hook();
        let Some(path) = self.table.by_template(request.path()) else {
            self.log().error(format!(
                "No route has the path template {:?}: the deployed API and this app disagree",
                request.path()
            ));
            return Response::raw_json(500, error_body("InternalServerError", "Unknown request."));
        };
        let Some(entry) = path.entry(request.method()) else {
            let allow = path.methods().collect::<Vec<_>>().join(", ");
            let message = format!("Unsupported method: {}", request.method());
            return Response::raw_json(405, error_body("MethodNotAllowedError", &message))
                .header("Allow", allow);
        };
        let cors = self.resolve_cors(&entry.cors);
        let cors_headers = cors.map(|c| c.access_control_headers()).unwrap_or_default();

        let result = if self.http_middleware.is_empty() {
            call_endpoint(
                &entry.view,
                &entry.content_types,
                self.log(),
                self.debug(),
                request.clone(),
            )
            .await
        } else {
            let endpoint = Endpoint {
                view: Arc::clone(&entry.view),
                content_types: Arc::clone(&entry.content_types),
                log: self.log().clone(),
                debug: self.debug(),
            };
            Next::new(Arc::clone(&self.http_middleware), endpoint)
                .run(request.clone())
                .await
        };
        let mut response = match result {
            Ok(response) => response,
            Err(error) => match self.error_handlers.handle(&error) {
                Some(Ok(response)) => response,
                Some(Err(error)) => self.error_response(&error, &request),
                None => self.error_response(&error, &request),
            },
        };
        response = with_cors(response, &cors_headers);

        if self.is_binary(&response) {
            let accepts_binary = request
                .header("accept")
                .is_some_and(|accept| media::matches_content_type(accept, &self.api.binary_types));
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
                    Response::raw_json(400, error_body("BadRequest", &message)),
                    &cors_headers,
                );
            }
        }
        if !response.headers.contains_key("content-type") {
            response.headers.insert("content-type", "application/json");
        }
        response
    }

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
}

/// Adds the CORS headers the response does not set itself.
fn with_cors(mut response: Response, cors_headers: &[(&'static str, String)]) -> Response {
    for (name, value) in cors_headers {
        if !response.headers.contains_key(name) {
            response.headers.insert(name, value);
        }
    }
    response
}
