//! The built-in authorizer's side of the conversation: the [`AuthRequest`] it receives, the
//! [`AuthResponse`] it answers with, and the IAM policy API Gateway reads from that answer.

use std::future::Future;
use std::pin::Pin;

use serde_json::{Map, Value, json};

use crate::auth::arn;
use crate::error::{ChaliceError, ErrorKind};
use crate::headers::Headers;
use crate::log::Logger;
use crate::params::{MultiDict, Params};
use crate::{current, panic};

/// What a built-in authorizer receives (Chalice's `AuthRequest`): API Gateway's `TOKEN`
/// authorizer event, or its `REQUEST` event with the request's headers and parameters.
///
/// `method_arn` names what the caller wants to invoke:
/// `arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH`. Locally the region,
/// account and API id are Chalice's placeholders (`mars-west-1`, `123456789012`,
/// `ymy8tbxw7b`) and the stage is the gateway's.
///
/// ```
/// use chalice_core::AuthRequest;
///
/// let request = AuthRequest::new("TOKEN", "allow", "arn:aws:execute-api:us-west-2:123:abc/api/GET/users/bob");
/// assert_eq!(request.token, "allow");
/// assert!(request.headers.is_empty());
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthRequest {
    /// `TOKEN` or `REQUEST`.
    pub auth_type: String,
    /// The token: the value of the authorizer's header (`Authorization` unless set
    /// otherwise), empty when a `REQUEST` event does not carry it.
    pub token: String,
    /// The ARN of the method being invoked.
    pub method_arn: String,
    /// The request's headers (`REQUEST` events only).
    pub headers: Headers,
    /// The query parameters (`REQUEST` events only).
    pub query_params: Option<MultiDict>,
    /// The route's captures (`REQUEST` events only).
    pub uri_params: Option<Params>,
    /// The stage variables (`REQUEST` events only).
    pub stage_vars: Option<Params>,
}

impl AuthRequest {
    /// A request of `auth_type` (`TOKEN` or `REQUEST`) with `token` for `method_arn`.
    pub fn new(
        auth_type: impl Into<String>,
        token: impl Into<String>,
        method_arn: impl Into<String>,
    ) -> Self {
        AuthRequest {
            auth_type: auth_type.into(),
            token: token.into(),
            method_arn: method_arn.into(),
            headers: Headers::new(),
            query_params: None,
            uri_params: None,
            stage_vars: None,
        }
    }
}

/// A built-in authorizer's answer (Chalice's `AuthResponse`): the routes the caller may
/// invoke, who the caller is, and values for the views' `context()["authorizer"]`.
///
/// A route is a path (every method), `"*"` (every path and method), or an [`AuthRoute`]
/// with its methods. Captures in a path (`/users/{name}`) allow any value there. No routes
/// denies everything: API Gateway then answers 403.
///
/// ```
/// use chalice_core::{AuthRequest, AuthResponse, AuthRoute};
/// use serde_json::json;
///
/// let request = AuthRequest::new("TOKEN", "t", "arn:aws:execute-api:us-west-2:123:abc/dev/GET/a");
/// let response = AuthResponse::new("alice")
///     .routes(["/a", "/users/{name}"])
///     .route(AuthRoute::new("/b", ["GET", "POST"]))
///     .context("role", "admin");
/// assert_eq!(
///     response.to_policy(&request),
///     json!({
///         "principalId": "alice",
///         "policyDocument": {
///             "Version": "2012-10-17",
///             "Statement": [{
///                 "Action": "execute-api:Invoke",
///                 "Effect": "Allow",
///                 "Resource": [
///                     "arn:aws:execute-api:us-west-2:123:abc/dev/*/a",
///                     "arn:aws:execute-api:us-west-2:123:abc/dev/*/users/*",
///                     "arn:aws:execute-api:us-west-2:123:abc/dev/GET/b",
///                     "arn:aws:execute-api:us-west-2:123:abc/dev/POST/b",
///                 ]
///             }]
///         },
///         "context": {"role": "admin"}
///     })
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AuthResponse {
    /// The routes the caller may invoke.
    pub routes: Vec<AuthRoute>,
    /// Who the caller is (`context()["authorizer"]["principalId"]` in views).
    pub principal_id: String,
    /// Values views read from `context()["authorizer"]`: strings, numbers or booleans, as
    /// API Gateway allows.
    pub context: Map<String, Value>,
}

impl AuthResponse {
    /// An answer for `principal_id` allowing nothing yet.
    pub fn new(principal_id: impl Into<String>) -> Self {
        AuthResponse {
            routes: Vec::new(),
            principal_id: principal_id.into(),
            context: Map::new(),
        }
    }

    /// Allows one more route: a path, `"*"`, or an [`AuthRoute`].
    #[must_use]
    pub fn route(mut self, route: impl Into<AuthRoute>) -> Self {
        self.routes.push(route.into());
        self
    }

    /// Allows more routes.
    #[must_use]
    pub fn routes<I>(mut self, routes: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<AuthRoute>,
    {
        self.routes.extend(routes.into_iter().map(Into::into));
        self
    }

    /// Adds a value to the context views see in `context()["authorizer"]`.
    #[must_use]
    pub fn context(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.context.insert(key.into(), value.into());
        self
    }

    /// The answer as API Gateway expects it from the authorizer's Lambda function:
    /// `principalId`, an IAM `policyDocument` allowing `execute-api:Invoke` on each route
    /// (Chalice's `AuthResponse.to_dict`), and `context`.
    ///
    /// The resources keep the region, account, API id and stage of `request.method_arn`.
    pub fn to_policy(&self, request: &AuthRequest) -> Value {
        json!({
            "principalId": self.principal_id,
            "policyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow",
                    "Resource": self.allowed_resources(&request.method_arn),
                }],
            },
            "context": self.context,
        })
    }

    /// The ARNs of the allowed routes (Chalice's `_generate_allowed_resources`).
    pub(crate) fn allowed_resources(&self, method_arn: &str) -> Vec<String> {
        let mut resources = Vec::new();
        for route in &self.routes {
            for method in &route.methods {
                resources.push(arn::resource(method_arn, method, &route.path));
            }
        }
        resources
    }
}

/// A route with the methods an [`AuthResponse`] allows on it (Chalice's `AuthRoute`).
///
/// A plain path converts into one allowing every method (`*`).
///
/// ```
/// use chalice_core::AuthRoute;
///
/// assert_eq!(AuthRoute::from("/a"), AuthRoute::new("/a", ["*"]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthRoute {
    /// The path, as the route declares it (`/users/{name}`), or `*` for every path.
    pub path: String,
    /// The methods, or `*` for every method.
    pub methods: Vec<String>,
}

impl AuthRoute {
    /// `methods` on `path`.
    pub fn new<I, S>(path: impl Into<String>, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        AuthRoute {
            path: path.into(),
            methods: methods.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<&str> for AuthRoute {
    fn from(path: &str) -> Self {
        AuthRoute::new(path, ["*"])
    }
}

impl From<String> for AuthRoute {
    fn from(path: String) -> Self {
        AuthRoute::new(path, ["*"])
    }
}

/// A function that can be a built-in authorizer: sync or async, answering an
/// [`AuthResponse`] or a `Result` of one.
///
/// | shape | example |
/// |---|---|
/// | `Fn(&AuthRequest) -> AuthResponse` | `fn auth(request: &AuthRequest) -> AuthResponse` |
/// | `Fn(&AuthRequest) -> Result<AuthResponse, E>` | `fn auth(request: &AuthRequest) -> Result<AuthResponse, ChaliceError>` |
/// | `Fn(AuthRequest) -> impl Future<Output = AuthResponse>` | `async fn auth(request: AuthRequest) -> AuthResponse` |
/// | `Fn(AuthRequest) -> impl Future<Output = Result<AuthResponse, E>>` | `async fn auth(request: AuthRequest) -> Result<AuthResponse, ChaliceError>` |
///
/// where `E` converts into a [`ChaliceError`]. Returning
/// `Err(ChaliceError::unauthorized(..))` answers 401 `{"message":"Unauthorized"}` (on
/// Lambda, the invocation fails with the message `Unauthorized`, which API Gateway turns into
/// that 401); any other error, or a panic, is the authorizer failing: API Gateway answers 500
/// `{"message":null}`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Chalice authorizer",
    label = "not an authorizer",
    note = "an authorizer is a fn or closure taking `&AuthRequest` (sync) or `AuthRequest` (async) and returning \
            an AuthResponse or a Result of one; closures must name their argument type"
)]
pub trait AuthorizerFn<Marker>: Send + Sync + 'static {
    /// Boxes the function into the form the gateway and the Lambda adapter call.
    #[doc(hidden)]
    fn erase(self) -> ErasedAuthorizer;
}

type AuthFuture = Pin<Box<dyn Future<Output = Result<AuthResponse, ChaliceError>> + Send>>;

/// An authorizer function in one of the two forms it is called in.
#[doc(hidden)]
pub enum ErasedAuthorizer {
    Sync(Box<dyn Fn(&AuthRequest) -> Result<AuthResponse, ChaliceError> + Send + Sync>),
    Async(Box<dyn Fn(AuthRequest) -> AuthFuture + Send + Sync>),
}

/// Markers telling the shapes apart; they never appear in user code.
#[doc(hidden)]
pub mod markers {
    use super::{AuthResponse, ChaliceError};

    pub struct Plain;
    pub struct Fallible<E>(std::marker::PhantomData<E>);
    pub struct Sync<M, R>(std::marker::PhantomData<(M, R)>);
    pub struct Async<M, Fut>(std::marker::PhantomData<(M, Fut)>);

    /// An authorizer's return value as the `Result` it is called for.
    pub trait IntoAuthResult<M> {
        fn into_auth_result(self) -> Result<AuthResponse, ChaliceError>;
    }

    impl IntoAuthResult<Plain> for AuthResponse {
        fn into_auth_result(self) -> Result<AuthResponse, ChaliceError> {
            Ok(self)
        }
    }

    impl<E: Into<ChaliceError>> IntoAuthResult<Fallible<E>> for Result<AuthResponse, E> {
        fn into_auth_result(self) -> Result<AuthResponse, ChaliceError> {
            self.map_err(Into::into)
        }
    }
}

use self::markers::IntoAuthResult;

impl<F, R, M> AuthorizerFn<markers::Sync<M, R>> for F
where
    F: Fn(&AuthRequest) -> R + Send + Sync + 'static,
    R: IntoAuthResult<M>,
{
    fn erase(self) -> ErasedAuthorizer {
        ErasedAuthorizer::Sync(Box::new(move |request| self(request).into_auth_result()))
    }
}

impl<F, Fut, M> AuthorizerFn<markers::Async<M, Fut>> for F
where
    F: Fn(AuthRequest) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoAuthResult<M>,
{
    fn erase(self) -> ErasedAuthorizer {
        ErasedAuthorizer::Async(Box::new(move |request| {
            let future = self(request);
            Box::pin(async move { future.await.into_auth_result() })
        }))
    }
}

/// Calls an authorizer function with panics caught: a panic is an unhandled error. Unhandled
/// errors are logged with the authorizer's name, as dispatch logs a view's.
pub(crate) async fn call(
    function: &ErasedAuthorizer,
    name: &str,
    request: AuthRequest,
    log: &Logger,
    debug: bool,
) -> Result<AuthResponse, ChaliceError> {
    let result = match function {
        ErasedAuthorizer::Sync(function) => panic::guarded(debug, || function(&request)),
        ErasedAuthorizer::Async(function) => match panic::guarded(debug, || function(request)) {
            Ok(future) => current::Scoped::without_request(future, debug).await,
            Err(error) => Err(error),
        },
    };
    let result = result.and_then(|inner| inner);
    if let Err(error) = &result {
        if error.is_unhandled() {
            log.error(format!(
                "Caught exception for authorizer {name}\n{}",
                error.report()
            ));
        } else if error.kind() != Some(ErrorKind::UnauthorizedError) {
            log.error(format!(
                "Authorizer {name} failed with {error}: only UnauthorizedError (401) has a meaning \
                 for API Gateway; any other error answers 500"
            ));
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(arn: &str) -> AuthRequest {
        AuthRequest::new("TOKEN", "t", arn)
    }

    #[test]
    fn policies_follow_chalice() {
        // Chalice's tests/unit/test_app.py, plus captures.
        let base = "arn:aws:execute-api:us-west-2:123:rest-api-id/dev";
        let arn = format!("{base}/GET/a");
        // (routes, resources after the base)
        let cases: &[(&[AuthRoute], &[&str])] = &[
            (&[], &[]),
            (
                &[
                    AuthRoute::new("/a", ["GET"]),
                    AuthRoute::new("/a/b", ["GET", "POST"]),
                ],
                &["/GET/a", "/GET/a/b", "/POST/a/b"],
            ),
            (&[AuthRoute::new("*", ["*"])], &["/*/*"]),
            (&[AuthRoute::new("/", ["GET"])], &["/GET/"]),
            (&[AuthRoute::new("/{proxy+}", ["PUT"])], &["/PUT/*"]),
            (
                &[AuthRoute::new("/u/{id}/posts/{post}", ["*"])],
                &["/*/u/*/posts/*"],
            ),
        ];
        for (routes, expected) in cases {
            let response = AuthResponse::new("p").routes(routes.iter().cloned());
            let expected: Vec<String> = expected.iter().map(|e| format!("{base}{e}")).collect();
            assert_eq!(response.allowed_resources(&arn), expected, "{routes:?}");
        }
        let mixed = AuthResponse::new("p")
            .routes(["*", "/a"])
            .route(AuthRoute::new("/a/b", ["GET"]));
        assert_eq!(
            mixed.allowed_resources(&arn),
            [
                format!("{base}/*/*"),
                format!("{base}/*/a"),
                format!("{base}/GET/a/b")
            ]
        );
        let policy = mixed.to_policy(&request(&arn));
        assert_eq!(policy["principalId"], "p");
        assert_eq!(policy["context"], json!({}));
        assert_eq!(policy["policyDocument"]["Version"], "2012-10-17");
    }

    #[test]
    fn every_shape_erases() {
        fn plain(_: &AuthRequest) -> AuthResponse {
            AuthResponse::new("plain")
        }
        fn fallible(_: &AuthRequest) -> Result<AuthResponse, ChaliceError> {
            Err(ChaliceError::unauthorized("no"))
        }
        async fn later(request: AuthRequest) -> AuthResponse {
            AuthResponse::new(request.token)
        }
        async fn later_fallible(_: AuthRequest) -> Result<AuthResponse, std::io::Error> {
            Err(std::io::Error::other("db down"))
        }
        let log = Logger::new("t");
        let run = |f: ErasedAuthorizer| {
            crate::__private::block_on(call(&f, "a", request("arn"), &log, false))
        };
        assert_eq!(run(plain.erase()).expect("ok").principal_id, "plain");
        assert_eq!(
            run(fallible.erase()).expect_err("denied").kind(),
            Some(ErrorKind::UnauthorizedError)
        );
        assert_eq!(run(later.erase()).expect("ok").principal_id, "t");
        assert!(
            run(later_fallible.erase())
                .expect_err("failed")
                .is_unhandled()
        );
        let panicking = |_: &AuthRequest| -> AuthResponse { panic!("bad authorizer") };
        crate::panic::install_hook();
        let error = run(panicking.erase()).expect_err("panicked");
        assert!(error.to_string().ends_with("bad authorizer"), "{error}");
    }
}
