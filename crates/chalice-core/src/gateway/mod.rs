//! What API Gateway does in front of Lambda, emulated for the local server and the test
//! client (DESIGN.md rule 4). The Lambda adapter never uses it: there, API Gateway itself
//! has done all this before the event arrives.
//!
//! On AWS, API Gateway answers some requests itself and never calls Lambda: paths it does
//! not know and methods a path does not have (403 `Missing Authentication Token`), CORS
//! preflights (a mock integration), bodies over 10 MB (413), requests its authorizers or
//! API keys refuse. It builds the event's `requestContext`. [`Gateway`] does the same, in
//! this one folder, so that `chalice local` and the test client answer as the deployed API
//! does:
//!
//! ```text
//!  HttpRequest ─► Gateway::handle ─► 413 · route by path (403) · preflight · authorizer (401/403/500)
//!                                    · API key (403) ─► RouteMatch::handle, with the emulated event
//! ```
//!
//! - `mod.rs`: [`Gateway`], the flow above;
//! - `admit.rs`: the part of it decided on the request's head alone ([`Gateway::admit`]),
//!   so that the local server reads a body only for a request that reaches the app;
//! - `http_request.rs`: [`HttpRequest`], what the adapter hands in;
//! - `answers.rs`: API Gateway's own answers and limits;
//! - `authorize.rs`: the local runs of the four kinds of authorizer, with `jwt.rs` (Cognito
//!   tokens) and `arn.rs` (the `methodArn` and IAM's ARN matching);
//! - `event.rs`: the `requestContext` and proxy event API Gateway would have sent;
//! - `path.rs`: the request path as API Gateway passes it on (percent-encoded as sent).

mod admit;
mod answers;
mod arn;
mod authorize;
mod event;
mod http_request;
mod jwt;
mod path;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use crate::app::Chalice;
use crate::headers::Headers;
use crate::params::{MultiDict, Params};
use crate::request::Request;
use crate::response::Response;
use crate::route::RouteEntry;

pub use self::admit::{Admission, Admitted};
pub use self::answers::{MAX_BODY_BYTES, missing_authentication_token, payload_too_large};
pub use self::http_request::HttpRequest;

use self::answers::{gateway_error, preflights};
use self::authorize::{AuthInput, authorize};
use self::event::EmulatedEvent;

/// API Gateway in front of an app: routing by concrete path, the gateway's own answers, and
/// the event's `requestContext`.
///
/// ```
/// use std::sync::Arc;
/// use chalice_core::adapter::{Gateway, HttpRequest};
/// use chalice_core::{Chalice, Method};
///
/// let mut app = Chalice::new("app");
/// app.route("/users/{name}", |r: &chalice_core::Request| r.uri_param("name").unwrap_or_default().to_owned());
/// let gateway = Gateway::new(Arc::new(app));
/// # let block_on = |f| chalice_core::__private::block_on(f);
///
/// // Captures reach the view as API Gateway passes them: still percent-encoded.
/// let response = block_on(gateway.handle(HttpRequest::new(Method::GET, "/users/bob%20s")));
/// assert_eq!((response.status_code, &response.body[..]), (200, &b"bob%20s"[..]));
///
/// let response = block_on(gateway.handle(HttpRequest::new(Method::GET, "/nowhere")));
/// assert_eq!(response.status_code, 403);
/// assert_eq!(response.body, r#"{"message":"Missing Authentication Token"}"#);
/// ```
#[derive(Clone)]
pub struct Gateway {
    app: Arc<Chalice>,
    /// Each route's answer to a CORS preflight (by route id), made once for the app: `None`
    /// for a route without CORS.
    preflights: Arc<[Option<Headers>]>,
    stage: Arc<str>,
    api_id: Arc<str>,
    stage_vars: Option<Params>,
    api_keys: Arc<HashSet<String>>,
    /// Authorizers whose local limits were already logged: once each is enough.
    warned: Arc<Mutex<HashSet<String>>>,
}

impl Gateway {
    /// API Gateway in front of `app`, on stage `api` (Chalice's default
    /// `api_gateway_stage`), with no stage variables (as a Chalice deployment has none).
    pub fn new(app: Arc<Chalice>) -> Self {
        Gateway {
            preflights: preflights(&app),
            api_id: arn::LOCAL_API_ID.into(),
            app,
            stage: "api".into(),
            stage_vars: None,
            api_keys: Arc::default(),
            warned: Arc::default(),
        }
    }

    /// The API keys routes with `api_key_required` accept in the `x-api-key` header (API
    /// Gateway's usage-plan keys). With none, such routes answer 403 to every request, as a
    /// deployed API without keys does.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use chalice_core::adapter::{Gateway, HttpRequest};
    /// use chalice_core::{Chalice, Method, Route};
    ///
    /// let mut app = Chalice::new("app");
    /// app.register(Route::new("/paid", || "ok").api_key_required(true));
    /// let gateway = Gateway::new(Arc::new(app)).api_keys(["k-123"]);
    /// # let block_on = chalice_core::__private::block_on;
    /// let response = block_on(gateway.handle(HttpRequest::new(Method::GET, "/paid")));
    /// assert_eq!((response.status_code, &response.body[..]), (403, &br#"{"message":"Forbidden"}"#[..]));
    ///
    /// let mut request = HttpRequest::new(Method::GET, "/paid");
    /// request.headers.insert("x-api-key", "k-123".parse().unwrap());
    /// assert_eq!(block_on(gateway.handle(request)).status_code, 200);
    /// ```
    #[must_use]
    pub fn api_keys<I>(mut self, keys: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.api_keys = Arc::new(keys.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the API Gateway stage the API is deployed to (the config's
    /// `api_gateway_stage`): `requestContext.stage`, and the prefix of
    /// `requestContext.path` (`/<stage>/users/bob`), as API Gateway reports them.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use chalice_core::adapter::{Gateway, HttpRequest};
    /// use chalice_core::{Chalice, Method, Request};
    ///
    /// let mut app = Chalice::new("app");
    /// app.route("/where", |r: &Request| r.context()["path"].as_str().unwrap_or_default().to_owned());
    /// let gateway = Gateway::new(Arc::new(app)).stage("v1");
    /// # let block_on = chalice_core::__private::block_on;
    /// let response = block_on(gateway.handle(HttpRequest::new(Method::GET, "/where")));
    /// assert_eq!(response.body, "/v1/where");
    /// ```
    #[must_use]
    pub fn stage(mut self, stage: impl Into<Arc<str>>) -> Self {
        self.stage = stage.into();
        self
    }

    /// Sets the stage variables views see (`None`, the default, as on a Chalice deployment,
    /// which sets none).
    #[must_use]
    pub fn stage_vars(mut self, vars: Option<Params>) -> Self {
        self.stage_vars = vars;
        self
    }

    /// The app behind the gateway.
    pub fn app(&self) -> &Arc<Chalice> {
        &self.app
    }

    /// The API Gateway stage the API is deployed to (see [`Gateway::stage`]).
    pub fn stage_name(&self) -> &str {
        &self.stage
    }

    /// Answers a request as API Gateway and then the app would: [`Gateway::admit`] on its
    /// head, then [`Admitted::answer`] with its body.
    pub async fn handle(&self, mut request: HttpRequest) -> Response {
        if request.body.len() > MAX_BODY_BYTES {
            return payload_too_large();
        }
        let body = std::mem::take(&mut request.body);
        match self.admit(request).await {
            Admission::Answered(response) => response,
            Admission::Admitted(admitted) => admitted.answer(body).await,
        }
    }

    /// Calls the app for an admitted request, with the event API Gateway would have sent.
    async fn call_app(&self, admitted: Admitted<'_>, body: Bytes) -> Response {
        let Admitted {
            route,
            uri_params,
            authorizer_context,
            head: request,
            ..
        } = admitted;
        let api_key = if route
            .entry
            .is_some_and(|entry| entry.api_key_required == Some(true))
        {
            let key = request.headers.get("x-api-key");
            key.and_then(|key| key.to_str().ok()).map(str::to_owned)
        } else {
            None
        };
        let event = EmulatedEvent {
            path: request.path,
            stage: Arc::clone(&self.stage),
            api_id: Arc::clone(&self.api_id),
            api_key,
            request_id: request.request_id,
            time_epoch_ms: request.time_epoch_ms,
            source_ip: request.source_ip,
            authorizer: authorizer_context,
        };
        let mut builder = Request::builder(request.method, Arc::clone(route.template()))
            .headers(Headers::from(request.headers))
            .query_params(request.query.as_deref().and_then(MultiDict::parse))
            .uri_params(uri_params)
            .stage_vars(self.stage_vars.clone())
            .body(body)
            .emulated(Box::new(event))
            .state_of(&self.app);
        if let Some(lambda_context) = request.lambda_context {
            builder = builder.lambda_context(lambda_context);
        }
        route.handle(builder.build()).await
    }

    /// What API Gateway checks before it calls the function, in its order: the route's
    /// authorizer, then its API key. `Ok` with the authorizer's context for the view, or
    /// the gateway's own refusal.
    async fn guard(
        &self,
        entry: &RouteEntry,
        request: &HttpRequest,
    ) -> Result<Option<serde_json::Value>, Response> {
        let mut authorizer_context = None;
        if let Some(name) = &entry.authorizer {
            let input = AuthInput {
                method: request.method.as_str(),
                path: &request.path,
                headers: &request.headers,
                stage: &self.stage,
                time_epoch_ms: request.time_epoch_ms,
            };
            let granted = authorize(&self.app, name, &entry.authorization_scopes, &input)
                .await
                .map_err(|refusal| refusal.header("x-amzn-RequestId", &request.request_id))?;
            if let Some(warning) = granted.warning {
                self.warn_once(name, &warning);
            }
            authorizer_context = granted.context;
        }
        if entry.api_key_required == Some(true) {
            let key = request
                .headers
                .get("x-api-key")
                .and_then(|value| value.to_str().ok());
            if !key.is_some_and(|key| self.api_keys.contains(key)) {
                if self.api_keys.is_empty() {
                    self.warn_once(
                        "api keys",
                        "Routes with api_key_required answer 403 to every request: no API keys are configured \
                         (CHALICE_API_KEYS=key1,key2 for the local server, Client::api_keys in tests)",
                    );
                }
                return Err(
                    gateway_error(403, "ForbiddenException", r#"{"message":"Forbidden"}"#)
                        .header("x-amzn-RequestId", &request.request_id),
                );
            }
        }
        Ok(authorizer_context)
    }

    fn warn_once(&self, key: &str, message: &str) {
        let first = self
            .warned
            .lock()
            .map(|mut warned| warned.insert(key.to_owned()))
            .unwrap_or(false);
        if first {
            tracing::warn!(target: "chalice::gateway", "{message}");
        }
    }
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("app", &self.app.app_name())
            .field("stage", &self.stage)
            .finish()
    }
}
