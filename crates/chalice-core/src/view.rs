//! Views: the functions routes call.
//!
//! A view is a function or closure in one of four shapes; [`View`] erases each into one of
//! two boxed forms, so dispatch never boxes a future for a synchronous view.

use std::future::Future;
use std::pin::Pin;

use crate::error::ChaliceError;
use crate::request::Request;
use crate::response::{IntoResponse, Response};

/// A function a route calls: sync or async, with or without the request.
///
/// | shape | example |
/// |---|---|
/// | `Fn() -> R` | `fn index() -> Json<Value>` |
/// | `Fn(&Request) -> R` | `fn echo(request: &Request) -> Vec<u8>` |
/// | `Fn() -> impl Future<Output = R>` | `async fn index() -> String` |
/// | `Fn(Request) -> impl Future<Output = R>` | `async fn save(request: Request) -> Result<Json<Todo>, ChaliceError>` |
///
/// where `R` is any [`IntoResponse`]. Views that need captures as typed arguments use the
/// `#[chalice::route]` attribute, which wraps them in one of these shapes. A closure must
/// name its argument's type (`|request: &Request| ...`).
///
/// Synchronous views run on the server's threads: keep them short, or make them `async`.
///
/// ```
/// use chalice_core::{Chalice, ChaliceError, Json, Request};
/// use serde_json::{json, Value};
///
/// fn index() -> Json<Value> {
///     Json(json!({"hello": "world"}))
/// }
///
/// async fn echo(request: Request) -> Result<Vec<u8>, ChaliceError> {
///     Ok(request.raw_body().to_vec())
/// }
///
/// let mut app = Chalice::new("views");
/// app.route("/", index);
/// app.route("/echo", echo);
/// app.route("/method", |request: &Request| request.method().to_string());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Chalice view",
    label = "not a view",
    note = "a view is a fn or closure taking nothing, `&Request` (sync) or `Request` (async), \
            returning a value that implements IntoResponse; closures must name their argument type"
)]
pub trait View<Marker>: Send + Sync + 'static {
    /// Boxes the view into the form dispatch calls.
    #[doc(hidden)]
    fn erase(self) -> ErasedView;
}

/// What dispatch receives from the future of an async view.
pub(crate) type ViewFuture = Pin<Box<dyn Future<Output = Result<Response, ChaliceError>> + Send>>;

/// A view in one of the two forms dispatch calls.
#[doc(hidden)]
pub enum ErasedView {
    Sync(Box<dyn Fn(&Request) -> Result<Response, ChaliceError> + Send + Sync>),
    Async(Box<dyn Fn(Request) -> ViewFuture + Send + Sync>),
}

/// Markers telling the four shapes apart; they never appear in user code.
#[doc(hidden)]
pub mod markers {
    pub struct NoArgs<R>(std::marker::PhantomData<R>);
    pub struct WithRequest<R>(std::marker::PhantomData<R>);
    pub struct AsyncNoArgs<R>(std::marker::PhantomData<R>);
    pub struct AsyncWithRequest<R>(std::marker::PhantomData<R>);
}

impl<F, R> View<markers::NoArgs<R>> for F
where
    F: Fn() -> R + Send + Sync + 'static,
    R: IntoResponse,
{
    fn erase(self) -> ErasedView {
        ErasedView::Sync(Box::new(move |_| self().into_response()))
    }
}

impl<F, R> View<markers::WithRequest<R>> for F
where
    F: Fn(&Request) -> R + Send + Sync + 'static,
    R: IntoResponse,
{
    fn erase(self) -> ErasedView {
        ErasedView::Sync(Box::new(move |request| self(request).into_response()))
    }
}

impl<F, Fut> View<markers::AsyncNoArgs<Fut>> for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoResponse,
{
    fn erase(self) -> ErasedView {
        ErasedView::Async(Box::new(move |_| {
            let future = self();
            Box::pin(async move { future.await.into_response() })
        }))
    }
}

impl<F, Fut> View<markers::AsyncWithRequest<Fut>> for F
where
    F: Fn(Request) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoResponse,
{
    fn erase(self) -> ErasedView {
        ErasedView::Async(Box::new(move |request| {
            let future = self(request);
            Box::pin(async move { future.await.into_response() })
        }))
    }
}

/// The name Chalice gives a view by default: the function's name.
///
/// `type_name` of a function item ends with its name; a closure's ends with `{{closure}}`,
/// which says nothing, so closures are named after the place they are registered.
pub(crate) fn default_name<V>(location: &std::panic::Location<'_>) -> String {
    let full = std::any::type_name::<V>();
    let last = full.rsplit("::").next().unwrap_or(full);
    if last.contains('{') || last.contains('<') || last.contains(' ') {
        format!("closure@{}:{}", location.file(), location.line())
    } else {
        last.to_owned()
    }
}
