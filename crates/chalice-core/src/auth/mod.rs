//! Authorizers: who may call a route.
//!
//! Four kinds, with Chalice's names. A *built-in* authorizer ([`ChaliceAuthorizer`]) is a
//! function of the app: API Gateway calls it (as its own Lambda function, the same binary)
//! with an [`AuthRequest`] and it answers with an [`AuthResponse`], which becomes an IAM
//! policy. [`CognitoUserPoolAuthorizer`], [`IamAuthorizer`] and [`CustomAuthorizer`] are
//! declarations API Gateway acts on by itself.
//!
//! Locally and in tests, the gateway emulation does what API Gateway does with each
//! (`gateway/authorize.rs`): it runs built-in authorizers, decodes Cognito tokens, checks
//! the shape of IAM signatures; the app's dispatch never sees a request they refuse.

mod arn;
mod builtin;
mod declare;

pub use self::builtin::{AuthRequest, AuthResponse, AuthRoute, AuthorizerFn};
#[doc(hidden)]
pub use self::builtin::{ErasedAuthorizer, markers};
pub use self::declare::{
    AuthorizerRef, ChaliceAuthorizer, CognitoUserPoolAuthorizer, CustomAuthorizer, IamAuthorizer,
};

pub(crate) use self::builtin::call;
pub(crate) use self::declare::Authorizers;
