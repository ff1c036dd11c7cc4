//! The four kinds of authorizer as values a route names, and the app's list of them.

use std::fmt;
use std::sync::Arc;

use chalice_manifest::{AuthorizerKind, AuthorizerManifest};

use crate::auth::builtin::{AuthorizerFn, ErasedAuthorizer};
use crate::definition_error::DefinitionErrorKind;

/// An authorizer, declared: its name, its kind and settings (the model the manifest
/// carries), and for a built-in one the function that runs it.
#[derive(Clone)]
pub(crate) struct Decl {
    pub(crate) name: Arc<str>,
    pub(crate) kind: AuthorizerKind,
    /// `Some` exactly when `kind` is [`AuthorizerKind::Builtin`]: only
    /// [`ChaliceAuthorizer::new`] makes such a declaration, and it always sets both.
    function: Option<Arc<ErasedAuthorizer>>,
}

impl Decl {
    fn new(name: String, kind: AuthorizerKind) -> Self {
        Decl {
            name: name.into(),
            kind,
            function: None,
        }
    }

    /// The function of a built-in authorizer.
    pub(crate) fn function(&self) -> Option<&ErasedAuthorizer> {
        self.function.as_deref()
    }

    /// Whether two declarations are the same authorizer (a built-in one is the same
    /// function, not merely an equal-looking one).
    fn same_as(&self, other: &Decl) -> bool {
        let same_function = match (&self.function, &other.function) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (a, b) => a.is_none() && b.is_none(),
        };
        self.name == other.name && self.kind == other.kind && same_function
    }

    pub(crate) fn manifest(&self) -> AuthorizerManifest {
        AuthorizerManifest::new(self.name.to_string(), self.kind.clone())
    }
}

impl fmt::Debug for Decl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({:?})", self.kind.chalice_name(), self.name)
    }
}

/// What a route's `authorizer(..)` names: an authorizer value (with the scopes
/// `with_scopes` gave it), or the name of one the app declares.
///
/// Made by `From` from `&str`/`String` (a name) and from each authorizer type; you rarely
/// name this type.
#[derive(Clone)]
pub struct AuthorizerRef {
    pub(crate) target: Target,
    pub(crate) scopes: Vec<String>,
}

#[derive(Clone)]
pub(crate) enum Target {
    Name(Arc<str>),
    Declared(Decl),
}

impl AuthorizerRef {
    /// The authorizer's name.
    pub fn name(&self) -> &str {
        match &self.target {
            Target::Name(name) => name,
            Target::Declared(decl) => &decl.name,
        }
    }

    /// The OAuth scopes the route requires.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    pub(crate) fn declared(&self) -> Option<&Decl> {
        match &self.target {
            Target::Declared(decl) => Some(decl),
            Target::Name(_) => None,
        }
    }

    fn of(decl: Decl) -> Self {
        AuthorizerRef {
            target: Target::Declared(decl),
            scopes: Vec::new(),
        }
    }
}

impl fmt::Debug for AuthorizerRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizerRef")
            .field("name", &self.name())
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl From<&str> for AuthorizerRef {
    fn from(name: &str) -> Self {
        AuthorizerRef {
            target: Target::Name(name.into()),
            scopes: Vec::new(),
        }
    }
}

impl From<String> for AuthorizerRef {
    fn from(name: String) -> Self {
        AuthorizerRef::from(name.as_str())
    }
}

fn strings<I>(items: I) -> Vec<String>
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    items.into_iter().map(Into::into).collect()
}

macro_rules! authorizer_type {
    ($ty:ident) => {
        impl $ty {
            /// The name routes and the generated API use for it.
            pub fn name(&self) -> &str {
                &self.decl.name
            }

            /// This authorizer, requiring the caller's token to carry at least one of
            /// `scopes` (OAuth scopes, as API Gateway's `authorizationScopes` of the route).
            pub fn with_scopes<I>(&self, scopes: I) -> AuthorizerRef
            where
                I: IntoIterator,
                I::Item: Into<String>,
            {
                AuthorizerRef {
                    target: Target::Declared(self.decl.clone()),
                    scopes: strings(scopes),
                }
            }
        }

        impl From<$ty> for AuthorizerRef {
            fn from(authorizer: $ty) -> Self {
                AuthorizerRef::of(authorizer.decl)
            }
        }

        impl From<&$ty> for AuthorizerRef {
            fn from(authorizer: &$ty) -> Self {
                AuthorizerRef::of(authorizer.decl.clone())
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.decl, f)
            }
        }
    };
}

/// A built-in authorizer (Chalice's `@app.authorizer()`): a function of the app that API
/// Gateway calls with the caller's token before it calls a route guarded by it.
///
/// Usually made by [`crate::Chalice::authorizer`], which also registers it. On Lambda the
/// same binary, deployed as its own function with `CHALICE_HANDLER` set to the name,
/// answers API Gateway's authorizer events; locally and in tests the gateway emulation calls
/// it.
///
/// ```
/// use chalice_core::{AuthRequest, AuthResponse, ChaliceAuthorizer};
///
/// let auth = ChaliceAuthorizer::new("token_auth", |request: &AuthRequest| {
///     AuthResponse::new("user").routes(["/private"])
/// })
/// .header("X-Token")
/// .ttl_seconds(0);
/// assert_eq!(auth.name(), "token_auth");
/// ```
#[derive(Clone)]
pub struct ChaliceAuthorizer {
    decl: Decl,
}

impl ChaliceAuthorizer {
    /// An authorizer named `name` running `function`; the token is read from the
    /// `Authorization` header and decisions are cached for 300 seconds.
    pub fn new<F, M>(name: impl Into<String>, function: F) -> Self
    where
        F: AuthorizerFn<M>,
    {
        ChaliceAuthorizer {
            decl: Decl {
                function: Some(Arc::new(function.erase())),
                ..Decl::new(name.into(), AuthorizerKind::builtin())
            },
        }
    }

    /// The request header holding the token (default `Authorization`).
    #[must_use]
    pub fn header(mut self, header: impl Into<String>) -> Self {
        if let AuthorizerKind::Builtin { header: h, .. } = &mut self.decl.kind {
            *h = header.into();
        }
        self
    }

    /// How long API Gateway caches a decision, in seconds (default 300; 0 turns caching
    /// off, which an authorizer allowing per-path routes usually wants).
    #[must_use]
    pub fn ttl_seconds(mut self, ttl_seconds: u32) -> Self {
        if let AuthorizerKind::Builtin { ttl_seconds: t, .. } = &mut self.decl.kind {
            *t = ttl_seconds;
        }
        self
    }

    pub(crate) fn decl(&self) -> &Decl {
        &self.decl
    }
}

authorizer_type!(ChaliceAuthorizer);

/// An Amazon Cognito user-pool authorizer (Chalice's `CognitoUserPoolAuthorizer`): API
/// Gateway checks the caller's token against the pools.
///
/// Locally and in tests the token must be a well-formed, unexpired JWT (and carry one of the
/// route's scopes, if any); its claims reach the view as `context()["authorizer"]["claims"]`.
/// The signature is **not** checked locally: that needs the pool's keys, which only API
/// Gateway fetches.
///
/// ```
/// use chalice_core::{Chalice, CognitoUserPoolAuthorizer, Route};
///
/// let pool = CognitoUserPoolAuthorizer::new(
///     "users_pool",
///     ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"],
/// );
/// let mut app = Chalice::new("app");
/// app.register(Route::new("/me", || "me").authorizer(&pool));
/// app.register(Route::new("/admin", || "admin").authorizer(pool.with_scopes(["admin"])));
/// assert!(app.check().is_ok());
/// ```
#[derive(Clone)]
pub struct CognitoUserPoolAuthorizer {
    decl: Decl,
}

impl CognitoUserPoolAuthorizer {
    /// An authorizer named `name` for the user pools with these ARNs.
    pub fn new<I>(name: impl Into<String>, provider_arns: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        CognitoUserPoolAuthorizer {
            decl: Decl::new(
                name.into(),
                AuthorizerKind::cognito_user_pools(strings(provider_arns)),
            ),
        }
    }

    /// The request header holding the token (default `Authorization`).
    #[must_use]
    pub fn header(mut self, header: impl Into<String>) -> Self {
        if let AuthorizerKind::CognitoUserPools { header: h, .. } = &mut self.decl.kind {
            *h = header.into();
        }
        self
    }
}

authorizer_type!(CognitoUserPoolAuthorizer);

/// IAM authorization (Chalice's `IAMAuthorizer`): callers sign requests with AWS SigV4.
///
/// Locally and in tests an unsigned request gets API Gateway's 403; the signature itself is
/// not verified (that needs the caller's secret key).
///
/// ```
/// use chalice_core::{Chalice, IamAuthorizer, Route};
///
/// let mut app = Chalice::new("app");
/// app.register(Route::new("/internal", || "ok").authorizer(IamAuthorizer::new()));
/// assert!(app.check().is_ok());
/// ```
#[derive(Clone)]
pub struct IamAuthorizer {
    decl: Decl,
}

impl IamAuthorizer {
    /// IAM authorization, named `sigv4` as Chalice names it.
    pub fn new() -> Self {
        IamAuthorizer {
            decl: Decl::new("sigv4".to_owned(), AuthorizerKind::Iam),
        }
    }
}

impl Default for IamAuthorizer {
    fn default() -> Self {
        IamAuthorizer::new()
    }
}

authorizer_type!(IamAuthorizer);

/// A Lambda authorizer defined outside the app, by its invocation URI (Chalice's
/// `CustomAuthorizer`).
///
/// Locally and in tests the function cannot run: a request without the token header gets
/// API Gateway's 401, any other passes (with a warning in the log).
///
/// ```
/// use chalice_core::{Chalice, CustomAuthorizer, Route};
///
/// let uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\
///            arn:aws:lambda:us-east-1:123456789012:function:auth/invocations";
/// let custom = CustomAuthorizer::new("corp_auth", uri).ttl_seconds(60);
/// let mut app = Chalice::new("app");
/// app.register(Route::new("/corp", || "ok").authorizer(&custom));
/// assert!(app.check().is_ok());
/// ```
#[derive(Clone)]
pub struct CustomAuthorizer {
    decl: Decl,
}

impl CustomAuthorizer {
    /// An authorizer named `name` invoking `authorizer_uri`.
    pub fn new(name: impl Into<String>, authorizer_uri: impl Into<String>) -> Self {
        CustomAuthorizer {
            decl: Decl::new(name.into(), AuthorizerKind::custom(authorizer_uri.into())),
        }
    }

    /// The request header holding the token (default `Authorization`).
    #[must_use]
    pub fn header(mut self, header: impl Into<String>) -> Self {
        if let AuthorizerKind::Custom { header: h, .. } = &mut self.decl.kind {
            *h = header.into();
        }
        self
    }

    /// How long API Gateway caches a decision, in seconds (default 300).
    #[must_use]
    pub fn ttl_seconds(mut self, ttl_seconds: u32) -> Self {
        if let AuthorizerKind::Custom { ttl_seconds: t, .. } = &mut self.decl.kind {
            *t = ttl_seconds;
        }
        self
    }

    /// The role API Gateway assumes to invoke the function.
    #[must_use]
    pub fn invoke_role_arn(mut self, arn: impl Into<String>) -> Self {
        if let AuthorizerKind::Custom {
            invoke_role_arn, ..
        } = &mut self.decl.kind
        {
            *invoke_role_arn = Some(arn.into());
        }
        self
    }
}

authorizer_type!(CustomAuthorizer);

/// The authorizers an app knows, in the order they were first seen.
#[derive(Default, Clone)]
pub(crate) struct Authorizers {
    list: Vec<Decl>,
}

impl Authorizers {
    /// Adds `decl`, or checks that the one already named so is the same.
    pub(crate) fn insert(&mut self, decl: &Decl) -> Result<(), Box<DefinitionErrorKind>> {
        match self.get(&decl.name) {
            Some(existing) if existing.same_as(decl) => Ok(()),
            Some(existing) => Err(Box::new(DefinitionErrorKind::AuthorizerNameClash {
                name: decl.name.to_string(),
                first_kind: existing.kind.chalice_name(),
                then_kind: decl.kind.chalice_name(),
            })),
            None => {
                self.list.push(decl.clone());
                Ok(())
            }
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Decl> {
        self.list.iter().find(|decl| &*decl.name == name)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Decl> {
        self.list.iter()
    }

    /// The function and token header of the built-in authorizer `name`.
    pub(crate) fn builtin(&self, name: &str) -> Option<(&ErasedAuthorizer, &str)> {
        let decl = self.get(name)?;
        match (&decl.kind, decl.function()) {
            (AuthorizerKind::Builtin { header, .. }, Some(function)) => Some((function, header)),
            _ => None,
        }
    }

    pub(crate) fn builtin_names(&self) -> impl Iterator<Item = &str> {
        self.list
            .iter()
            .filter(|decl| matches!(decl.kind, AuthorizerKind::Builtin { .. }))
            .map(|decl| &*decl.name)
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(|decl| &*decl.name)
    }
}
