//! The `#[route]` attribute of chalice for Rust: Chalice's `@app.route(...)`, checked at
//! compile time.
//!
//! Use it through the `chalice` crate, as `chalice::route`. On a function, it keeps the
//! function as written and adds a type of the same name with one function, `route()`,
//! which returns the `chalice::Route` to register:
//!
//! ```
//! use chalice::{route, Chalice, ChaliceError, Json, Request};
//! use serde_json::{json, Value};
//!
//! #[route("/users/{name}/posts/{id}", methods = ["GET", "PUT"], cors = true)]
//! fn post(name: String, id: u32, request: &Request) -> Result<Json<Value>, ChaliceError> {
//!     Ok(Json(json!({"name": name, "id": id, "method": request.method().as_str()})))
//! }
//!
//! #[route("/")]
//! async fn index() -> &'static str {
//!     "hi"
//! }
//!
//! fn main() {
//!     let mut app = Chalice::new("app");
//!     app.register(post::route());
//!     app.register(index::route());
//!     assert!(app.check().is_ok());
//!
//!     let routes: Vec<_> = app.routes().map(|r| (r.method().as_str(), r.path(), r.view_name())).collect();
//!     assert_eq!(routes, [
//!         ("GET", "/users/{name}/posts/{id}", "post"),
//!         ("PUT", "/users/{name}/posts/{id}", "post"),
//!         ("GET", "/", "index"),
//!     ]);
//! }
//! ```
//!
//! What Chalice finds when it deploys, and what the core finds when the app is built, the
//! attribute finds when the code compiles, each error at the token to fix:
//!
//! - the path breaks a rule (`Route cannot end with a trailing slash: /foo/`, in the core's
//!   words: both check paths with `chalice-path`);
//! - a parameter is not a capture of the path, or a capture has no parameter in a view that
//!   does not take the request;
//! - an option is unknown (`route() got unexpected keyword argument: method; did you mean
//!   `methods`? ...`), given twice, or of the wrong type; a method is unknown, listed twice,
//!   or none is; `cors = true` comes with an explicit `OPTIONS`;
//! - the view is generic, a method (`self`), `unsafe`, or destructures a parameter;
//! - a parameter's type does not implement `FromStr`, or the return type does not
//!   implement `IntoResponse` (reported by the compiler at that type).
//!
//! How the expansion looks is in `src/expand.rs`.

mod args;
mod errors;
mod expand;
mod params;

use proc_macro::TokenStream;

/// Declares a route: Chalice's `@app.route(path, ...)` on a function.
///
/// ```text
/// #[route("/path/{capture}", methods = ["GET", "POST"], name = "view", cors = true,
///         content_types = ["application/json"], api_key_required = true,
///         authorizer = "name", authorization_type = "CUSTOM", authorizer_id = "id")]
/// ```
///
/// Only the path is required. Each option is a literal and means what the same keyword
/// means to Chalice's `route()`; `methods` defaults to `["GET"]` and `name` to the
/// function's name. For a `CorsConfig`, or anything computed at run time, call the
/// `chalice::Route` builder on what `route()` returns:
/// `app.register(view::route().cors_config(config))`.
///
/// # The view
///
/// The function may be `async`, and `pub` or not. Each parameter is either
///
/// - the request, typed `&Request` or `Request` (any path ending in `Request`);
/// - the app's state, typed `State<T>` (any path ending in `State<..>`, any name): the
///   value of type `T` given with `app.state(value)`, shared by the app's views (a 500
///   naming `T` if the app has none); or
/// - a capture of the path, named like it (`{proxy+}` is `proxy`), typed `&str` or any
///   type that implements `FromStr` (`String`, `u32`, `Uuid`, ...), **percent-decoded**: a
///   `name: String` capture of `/users/john%20doe` is `john doe`, on the local server, in
///   the test client and on Lambda alike (`request.uri_param("name")` keeps API Gateway's
///   `john%20doe`). A value that does not parse, or whose escapes are not UTF-8, is
///   answered with 400 `BadRequestError` before the view runs. `_id` takes `{id}` without
///   using it.
///
/// A capture may have no parameter only if the view takes the request (and reads
/// `request.uri_param("id")`). The return type is anything that implements
/// `chalice::IntoResponse`.
///
/// # What it generates
///
/// The function, unchanged (tests can still call it), and beside it a type of the same name
/// and visibility whose one function builds the route: `struct view {}` with
/// `fn route() -> chalice::Route`. Register with `app.register(view::route())`. The attribute
/// goes on a free function, at module level or inside another function (a view declared in a
/// test), not on a method.
///
/// ```
/// use chalice::{route, Chalice, Request};
///
/// #[route("/files/{proxy+}", methods = ["GET", "HEAD"], content_types = [])]
/// fn file(proxy: String, request: Request) -> String {
///     format!("{} {proxy}", request.method())
/// }
///
/// fn main() {
///     let mut app = Chalice::new("files");
///     app.register(file::route());
///     assert!(app.check().is_ok());
///     assert!(app.routes().all(|r| r.content_types().is_empty()));
/// }
/// ```
///
/// Mistakes do not compile:
///
/// ```compile_fail
/// use chalice::route;
///
/// #[route("/users/")] // Route cannot end with a trailing slash: /users/
/// fn users() -> &'static str {
///     "[]"
/// }
/// # fn main() {}
/// ```
#[proc_macro_attribute]
pub fn route(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::route(args.into(), &item.into()).into()
}

/// The README's examples, compiled and run as doctests so they cannot go stale (private: a
/// proc-macro crate exports nothing but macros).
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
#[allow(dead_code)]
struct ReadmeDoctests;
