//! The expansion: the view as written, plus a type of the same name whose `route()` builds
//! the `chalice::Route`.
//!
//! ```text
//! #[route("/users/{id}", methods = ["GET", "PUT"])]      fn user(id: u32, request: &Request) -> R { .. }
//! fn user(id: u32, request: &Request) -> R { .. }   ──►  struct user {}
//!                                                        impl user {
//!                                                            fn route() -> ::chalice::Route {
//!                                                                Route::new("/users/{id}", move |request: &Request| {
//!                                                                    let id = parse_capture(request, "id")?;   // decoded; 400 if not a u32
//!                                                                    IntoResponse::into_response(user(id, request))
//!                                                                }).methods(["GET", "PUT"]).name("user")
//!                                                            }
//!                                                        }
//! ```
//!
//! A braced struct lives only in the type namespace and a function only in the value
//! namespace, so the two share the name: the view stays callable as `user(..)` and its route
//! is `user::route()`. A struct (rather than a module) keeps the view in scope for
//! `route()`, so the attribute works on functions declared inside other functions (a view in
//! a `#[test]`), where a module's `super::` could not reach them. The generated code never
//! names a parameter's type: the call `user(..)` fixes each one by inference.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Attribute, Ident, ItemFn, LitStr, ReturnType};

use crate::args::RouteArgs;
use crate::errors::Errors;
use crate::params::{self, Capture, Param};
use chalice_path as path;

/// The whole attribute: `args` are its arguments, `item` the function it is on.
pub(crate) fn route(args: TokenStream, item: &TokenStream) -> TokenStream {
    let function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(error) => {
            let error = syn::Error::new(
                error.span(),
                "#[route] goes on a function: `#[route(\"/\")] fn index() -> &'static str { .. }`",
            )
            .to_compile_error();
            return quote!(#error #item);
        }
    };
    let checked = if args.is_empty() {
        Err(syn::Error::new(
            Span::call_site(),
            "#[route] needs a path, as in #[route(\"/users/{name}\")]",
        ))
    } else {
        syn::parse2::<RouteArgs>(args).and_then(|args| Declaration::check(args, &function))
    };
    match checked {
        Ok(declaration) => {
            let module = declaration.module(&function);
            let mut function = function;
            if declaration
                .params
                .iter()
                .any(|param| matches!(param, Param::State { .. }))
            {
                // The route hands `State<T>` over by value, as it must (an owned handle the
                // view may keep): a view that only reads it is no mistake of the user's.
                function
                    .attrs
                    .push(syn::parse_quote!(#[allow(clippy::needless_pass_by_value)]));
            }
            quote!(#function #module)
        }
        Err(error) => {
            // Keep the view, and give it a `route()` that is never run (the build fails
            // anyway), so that the one mistake is the only error the user reads.
            let error = error.to_compile_error();
            let stub = stub_module(&function);
            quote!(#error #function #stub)
        }
    }
}

/// A checked `#[route]`: its arguments, and the parameters they line up with.
struct Declaration {
    args: RouteArgs,
    params: Vec<Param>,
}

impl Declaration {
    /// Checks the path and lines up its captures with the view's parameters.
    fn check(args: RouteArgs, function: &ItemFn) -> syn::Result<Self> {
        let path_value = args.path.value();
        // The core's own rules and wording, checked here instead of when the app is built.
        let segments =
            path::parse(&path_value).map_err(|error| syn::Error::new(args.path.span(), error))?;
        let captures: Vec<&str> = path::capture_names(&segments).collect();
        let mut params = params::classify(&function.sig)?;
        let mut errors = Errors::default();
        let view = &function.sig.ident;
        let mut bound: Vec<&str> = Vec::new();
        let mut takes_request = false;
        for param in &mut params {
            let capture = match param {
                Param::Capture(capture) => capture,
                Param::Request { .. } => {
                    takes_request = true;
                    continue;
                }
                Param::State { .. } => continue,
            };
            let Some(name) = capture_for(&captures, &capture.name) else {
                errors.push(not_a_capture(capture, &args.path, &captures));
                continue;
            };
            if bound.contains(&name) {
                errors.push(syn::Error::new(
                    capture.ident.span(),
                    format!(
                        "capture {{{name}}} is already taken by another parameter of fn {view}"
                    ),
                ));
                continue;
            }
            bound.push(name);
            name.clone_into(&mut capture.name);
        }
        // A view that takes the request may read a capture with `request.uri_param`;
        // one that does not has no way to see it, so a missing parameter is a mistake.
        if !takes_request {
            for name in captures.iter().filter(|name| !bound.contains(name)) {
                errors.push(syn::Error::new(
                    args.path.span(),
                    format!(
                        "capture {{{name}}} in {path_value:?} has no parameter in fn {view}: add \
                         `{name}: T` for a T that implements FromStr (such as `{name}: String`), \
                         or take `request: &Request` and read request.uri_param(\"{name}\")"
                    ),
                ));
            }
        }
        errors.into_result()?;
        Ok(Declaration { args, params })
    }

    /// `struct <view> {} impl <view> { fn route() -> ::chalice::Route { .. } }`.
    fn module(&self, function: &ItemFn) -> TokenStream {
        let view = &function.sig.ident;
        let route = self.route_expr(function);
        let methods = match &self.args.options.methods {
            Some(methods) => methods
                .iter()
                .map(LitStr::value)
                .collect::<Vec<_>>()
                .join("|"),
            None => "GET".to_owned(),
        };
        let route_doc = format!(
            "The route that `#[route]` declares on [`{view}`](fn@{view}): `{methods} {}`.\n\n\
             Register it with `app.register({view}::route())`.",
            self.args.path.value()
        );
        module_around(function, &route_doc, &route)
    }

    /// `::chalice::Route::new(path, view).methods(..).name(..)...`.
    fn route_expr(&self, function: &ItemFn) -> TokenStream {
        let path = &self.args.path;
        let view = self.view_closure(function);
        let options = &self.args.options;
        let name = options.name.clone().unwrap_or_else(|| {
            let ident = &function.sig.ident;
            LitStr::new(&syn::ext::IdentExt::unraw(ident).to_string(), ident.span())
        });
        let mut calls = TokenStream::new();
        if let Some(methods) = &options.methods {
            calls.extend(str_list("methods", methods));
        }
        calls.extend(quote!(.name(#name)));
        if let Some(cors) = &options.cors {
            calls.extend(quote!(.cors(#cors)));
        }
        if let Some(content_types) = &options.content_types {
            calls.extend(str_list("content_types", content_types));
        }
        if let Some(required) = &options.api_key_required {
            calls.extend(quote!(.api_key_required(#required)));
        }
        for (method, value) in [
            ("authorizer", &options.authorizer),
            ("authorization_type", &options.authorization_type),
            ("authorizer_id", &options.authorizer_id),
        ] {
            if let Some(value) = value {
                let method = format_ident!("{method}");
                calls.extend(quote!(.#method(#value)));
            }
        }
        // `Route::new` is `#[track_caller]`: called from macro output, the location it
        // records is the attribute's, in the user's file.
        quote!(::chalice::Route::new(#path, #view) #calls)
    }

    /// The closure `Route::new` gets: parse the captures (a 400 if one does not parse),
    /// call the view, turn what it returns into a response.
    ///
    /// A sync view becomes `Fn(&Request)`; an async one `Fn(Request) -> impl Future`, the
    /// future owning the request so that the view may borrow it across `.await`s.
    fn view_closure(&self, function: &ItemFn) -> TokenStream {
        let is_async = function.sig.asyncness.is_some();
        let request = Ident::new("__chalice_request", Span::mixed_site());
        let request_ref = if is_async {
            quote!(&#request)
        } else {
            quote!(#request)
        };
        let mut parse = TokenStream::new();
        let mut args = Vec::with_capacity(self.params.len());
        for (index, param) in self.params.iter().enumerate() {
            match param {
                Param::Capture(Capture {
                    name,
                    borrowed: true,
                    ..
                }) => {
                    let value =
                        format_ident!("__chalice_capture_{index}", span = Span::mixed_site());
                    // Decoded as typed captures are; borrowed from the request when there
                    // is nothing to decode, and kept in a local the view's `&str` borrows.
                    parse.extend(quote! {
                        let #value = match ::chalice::__private::capture(#request_ref, #name) {
                            ::core::result::Result::Ok(value) => value,
                            ::core::result::Result::Err(error) => return ::core::result::Result::Err(error),
                        };
                    });
                    args.push(quote!(&*#value));
                }
                Param::Capture(Capture {
                    name, type_span, ..
                }) => {
                    let value =
                        format_ident!("__chalice_capture_{index}", span = Span::mixed_site());
                    // Spanned at the parameter's type: "`Vec<u8>: FromStr` is not satisfied"
                    // points there.
                    parse.extend(quote_spanned! {located_at(*type_span)=>
                        let #value = match ::chalice::__private::parse_capture(#request_ref, #name) {
                            ::core::result::Result::Ok(value) => value,
                            ::core::result::Result::Err(error) => return ::core::result::Result::Err(error),
                        };
                    });
                    args.push(quote!(#value));
                }
                Param::State { span } => {
                    let value = format_ident!("__chalice_state_{index}", span = Span::mixed_site());
                    // Spanned at the parameter's type, for "`T: Send` is not satisfied".
                    parse.extend(quote_spanned! {located_at(*span)=>
                        let #value = match ::chalice::__private::state(#request_ref) {
                            ::core::result::Result::Ok(value) => value,
                            ::core::result::Result::Err(error) => return ::core::result::Result::Err(error),
                        };
                    });
                    args.push(quote!(#value));
                }
                Param::Request {
                    by_value: false, ..
                } => args.push(request_ref.clone()),
                Param::Request { by_value: true, .. } if is_async => args.push(quote!(#request)),
                Param::Request { by_value: true, .. } => {
                    args.push(quote!(::core::clone::Clone::clone(#request)));
                }
            }
        }
        let ident = &function.sig.ident;
        // Spanned at the return type: "`X` cannot be returned from a Chalice view" points there.
        let output_span = located_at(match &function.sig.output {
            ReturnType::Type(_, ty) => syn::spanned::Spanned::span(ty),
            ReturnType::Default => ident.span(),
        });
        let awaited = if is_async {
            quote_spanned!(output_span=> .await)
        } else {
            quote!()
        };
        let respond = quote_spanned! {output_span=>
            ::chalice::IntoResponse::into_response(#ident(#(#args),*) #awaited)
        };
        if is_async {
            quote! {
                move |#request: ::chalice::Request| async move {
                    #parse
                    #respond
                }
            }
        } else {
            quote! {
                move |#request: &::chalice::Request|
                    -> ::core::result::Result<::chalice::Response, ::chalice::ChaliceError> {
                    #parse
                    #respond
                }
            }
        }
    }
}

/// The capture a parameter named `param` takes: the one of that name, or, for `_name`,
/// `name` (a capture the view accepts but does not use).
fn capture_for<'a>(captures: &[&'a str], param: &str) -> Option<&'a str> {
    let exact = captures.iter().find(|capture| **capture == param);
    let unused = || {
        let stripped = param.strip_prefix('_')?;
        captures.iter().find(|capture| **capture == stripped)
    };
    exact.or_else(unused).copied()
}

fn not_a_capture(capture: &Capture, path: &LitStr, captures: &[&str]) -> syn::Error {
    let has = if captures.is_empty() {
        "has no captures".to_owned()
    } else {
        let listed: Vec<String> = captures.iter().map(|c| format!("{{{c}}}")).collect();
        format!("captures {}", listed.join(", "))
    };
    syn::Error::new(
        capture.ident.span(),
        format!(
            "parameter `{}` is not a capture of the path: {:?} {has}; rename the parameter \
             to match a capture, add {{{}}} to the path, or, if it is the request, write its \
             type as `&Request` or `Request`",
            capture.ident,
            path.value(),
            capture.name
        ),
    )
}

/// `.key::<[&'static str; N], &'static str>([..])`: the types are spelled out so that an
/// empty list (`content_types = []`, any type) still infers.
fn str_list(key: &str, values: &[LitStr]) -> TokenStream {
    let key = format_ident!("{key}");
    let len = Literal::usize_unsuffixed(values.len());
    quote!(.#key::<[&'static str; #len], &'static str>([#(#values),*]))
}

/// The module for a declaration that failed to check: same shape, body never run.
fn stub_module(function: &ItemFn) -> TokenStream {
    if function.sig.receiver().is_some() {
        // In an impl block, where a module cannot go.
        return TokenStream::new();
    }
    let body = quote!(::core::unreachable!(
        "#[route] reported an error at compile time"
    ));
    module_around(function, "A route whose `#[route]` has a mistake.", &body)
}

/// `struct <view> {} impl <view> { fn route() -> ::chalice::Route { #body } }`, with the
/// view's visibility and `cfg`s.
fn module_around(function: &ItemFn, route_doc: &str, body: &TokenStream) -> TokenStream {
    let view = &function.sig.ident;
    let vis = &function.vis;
    let cfgs: Vec<&Attribute> = function.attrs.iter().filter(|attr| is_cfg(attr)).collect();
    let type_doc = format!(
        "The route of [`{view}`](fn@{view}), declared with `#[route]`: register it with \
         `app.register({view}::route())`."
    );
    quote! {
        #(#cfgs)*
        #[doc = #type_doc]
        // Named after the view, not in CamelCase; never built, only a home for `route()`.
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #view {}

        #(#cfgs)*
        impl #view {
            #[doc = #route_doc]
            #vis fn route() -> ::chalice::Route {
                #body
            }
        }
    }
}

/// `#[cfg(..)]` on the view applies to its route too. (`cfg_attr` does not: what it adds
/// is meant for the function.)
fn is_cfg(attr: &Attribute) -> bool {
    attr.path().is_ident("cfg")
}

/// A span that reports errors at `at`, in the user's file, while resolving names and
/// counting for lints as macro output (clippy leaves macro output alone).
fn located_at(at: Span) -> Span {
    Span::call_site().located_at(at)
}
