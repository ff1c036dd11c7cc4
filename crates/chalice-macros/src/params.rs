//! The view's parameters: the request, the app's state, or captures parsed from the path.
//!
//! Types are recognised by their spelling (a macro sees tokens, not types): a parameter
//! whose type is `Request` or `&Request`, under any path (`&chalice::Request`), takes the
//! request; one typed `State<T>` (any path) takes the app's `T`; every other one is a
//! capture, found by its name.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{FnArg, GenericParam, Ident, Pat, PatIdent, Signature, Type};

use crate::errors::Errors;

/// One parameter of the view, in signature order.
pub(crate) enum Param {
    /// The request: `&Request` (`by_value: false`) or `Request`.
    Request { by_value: bool, span: Span },
    /// The app's state: `State<T>`, `T` inferred from the call.
    State { span: Span },
    /// A capture, parsed with `FromStr` into the parameter's type.
    Capture(Capture),
}

/// A parameter that takes a capture.
pub(crate) struct Capture {
    /// The parameter as written.
    pub(crate) ident: Ident,
    /// The parameter's name without `r#`: the capture it asks for.
    pub(crate) name: String,
    /// Where the parameter's type is, for "does not implement FromStr" errors.
    pub(crate) type_span: Span,
    /// `&str`: the capture as it is in the request, not parsed.
    pub(crate) borrowed: bool,
}

/// The parameters of `sig`, or every reason the function cannot be a view.
pub(crate) fn classify(sig: &Signature) -> syn::Result<Vec<Param>> {
    let mut errors = Errors::default();
    for generic in &sig.generics.params {
        if !matches!(generic, GenericParam::Lifetime(_)) {
            errors.push(syn::Error::new_spanned(
                generic,
                "a #[route] view cannot be generic: the route calls one concrete function; \
                 name concrete types (String, u32, ...)",
            ));
        }
    }
    if let syn::Safety::Unsafe(unsafety) = &sig.safety {
        errors.push(syn::Error::new_spanned(
            unsafety,
            "a #[route] view cannot be `unsafe fn`: the route would call it with no one to \
             uphold its contract; put the `unsafe` block inside the view",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "a #[route] view cannot be variadic",
        ));
    }
    let mut params = Vec::with_capacity(sig.inputs.len());
    let mut request_seen = false;
    for input in &sig.inputs {
        let Some(param) = errors.keep(classify_one(input)) else {
            continue;
        };
        if let Param::Request { span, .. } = &param {
            if request_seen {
                errors.push(syn::Error::new(
                    *span,
                    "the view takes the request twice: keep one `request: &Request` parameter",
                ));
            }
            request_seen = true;
        }
        params.push(param);
    }
    errors.into_result()?;
    Ok(params)
}

fn classify_one(input: &FnArg) -> syn::Result<Param> {
    let typed = match input {
        FnArg::Typed(typed) => typed,
        FnArg::Receiver(receiver) => {
            return Err(syn::Error::new_spanned(
                receiver,
                "a #[route] view cannot take `self`: declare it as a free function, \
                 outside any impl block",
            ));
        }
    };
    if let Some(by_value) = request_kind(&typed.ty)? {
        // The name does not matter: the request is passed by position.
        return Ok(Param::Request {
            by_value,
            span: typed.span(),
        });
    }
    if is_state(&typed.ty) {
        // The name does not matter either: the type says which state.
        return Ok(Param::State {
            span: typed.ty.span(),
        });
    }
    let ident = match &*typed.pat {
        Pat::Ident(PatIdent {
            ident,
            by_ref: None,
            subpat: None,
            ..
        }) => ident.clone(),
        other => {
            return Err(syn::Error::new_spanned(
                other,
                "a #[route] view parameter must be a plain name matching a capture of the \
                 path, as in `id: u32` for /items/{id}; destructure it inside the view",
            ));
        }
    };
    match &*typed.ty {
        Type::ImplTrait(_) => Err(syn::Error::new_spanned(
            &typed.ty,
            "a #[route] view cannot take `impl Trait`: that makes it generic; name a \
             concrete type such as String or u32",
        )),
        Type::Reference(reference) if reference.mutability.is_none() && is_str(&reference.elem) => {
            Ok(Param::Capture(Capture {
                name: ident.unraw().to_string(),
                ident,
                type_span: typed.ty.span(),
                borrowed: true,
            }))
        }
        Type::Reference(_) => Err(syn::Error::new_spanned(
            &typed.ty,
            format!(
                "a capture is a `&str` or is parsed into an owned value: take `{ident}` as \
                 `&str`, or by value with a type that implements FromStr (String, u32, ...)"
            ),
        )),
        ty => Ok(Param::Capture(Capture {
            name: ident.unraw().to_string(),
            ident,
            type_span: ty.span(),
            borrowed: false,
        })),
    }
}

/// `Some(false)` for `&Request`, `Some(true)` for `Request`, `None` for anything else.
fn request_kind(ty: &Type) -> syn::Result<Option<bool>> {
    match ty {
        Type::Reference(reference) if is_request(&reference.elem) => {
            if let Some(mutability) = &reference.mutability {
                return Err(syn::Error::new_spanned(
                    mutability,
                    "a view cannot change the request: take `&Request` or `Request`",
                ));
            }
            Ok(Some(false))
        }
        _ if is_request(ty) => Ok(Some(true)),
        Type::Paren(inner) => request_kind(&inner.elem),
        Type::Group(inner) => request_kind(&inner.elem),
        _ => Ok(None),
    }
}

/// Whether `ty` is spelled `State<..>`, `chalice::State<..>` or so.
fn is_state(ty: &Type) -> bool {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last().is_some_and(|last| {
            last.ident == "State" && matches!(last.arguments, syn::PathArguments::AngleBracketed(_))
        }),
        Type::Paren(inner) => is_state(&inner.elem),
        Type::Group(inner) => is_state(&inner.elem),
        _ => false,
    }
}

/// Whether `ty` is spelled `str`.
fn is_str(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => path.qself.is_none() && path.path.is_ident("str"),
        Type::Paren(inner) => is_str(&inner.elem),
        Type::Group(inner) => is_str(&inner.elem),
        _ => false,
    }
}

/// Whether `ty` is spelled `Request`, `chalice::Request` or so.
fn is_request(ty: &Type) -> bool {
    match ty {
        Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .is_some_and(|last| last.ident == "Request" && last.arguments.is_none()),
        Type::Paren(inner) => is_request(&inner.elem),
        Type::Group(inner) => is_request(&inner.elem),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kind each parameter of `sig` gets: "&req", "req", or the capture's name (with
    /// a `&` if borrowed).
    fn kinds(sig: &str) -> Result<Vec<String>, String> {
        let sig: Signature = syn::parse_str(sig).map_err(|e| e.to_string())?;
        let params = classify(&sig).map_err(|e| e.to_string())?;
        Ok(params
            .into_iter()
            .map(|param| match param {
                Param::Request {
                    by_value: false, ..
                } => "&req".to_owned(),
                Param::Request { by_value: true, .. } => "req".to_owned(),
                Param::State { .. } => "$state".to_owned(),
                Param::Capture(capture) if capture.borrowed => format!("&{}", capture.name),
                Param::Capture(capture) => capture.name,
            })
            .collect())
    }

    #[test]
    fn parameters_are_the_request_or_captures() {
        let cases: &[(&str, &[&str])] = &[
            ("fn v()", &[]),
            ("fn v(request: &Request)", &["&req"]),
            ("fn v(r: &'a chalice::Request)", &["&req"]),
            ("fn v<'a>(r: &'a Request)", &["&req"]),
            ("fn v(request: Request)", &["req"]),
            ("fn v(_: ::chalice::Request)", &["req"]),
            (
                "fn v(id: u32, request: &Request, name: String)",
                &["id", "&req", "name"],
            ),
            ("fn v(mut id: u32)", &["id"]),
            ("fn v(r#type: String)", &["type"]),
            ("fn v(request: Request<u8>)", &["request"]),
            ("fn v(proxy: std::path::PathBuf)", &["proxy"]),
            ("fn v(name: &str, id: &'a str)", &["&name", "&id"]),
            (
                "fn v(todos: State<Todos>, id: u32, db: chalice::State<Db>)",
                &["$state", "id", "$state"],
            ),
            // Without a type argument it is not the state: a capture named `state`.
            ("fn v(state: State)", &["state"]),
        ];
        for (sig, expected) in cases {
            let expected: Vec<String> = expected.iter().map(|kind| (*kind).to_owned()).collect();
            assert_eq!(kinds(sig), Ok(expected), "{sig}");
        }
    }

    #[test]
    fn refused_signatures_say_why() {
        let cases = [
            ("fn v<T>(id: T)", "cannot be generic"),
            ("fn v<const N: usize>()", "cannot be generic"),
            ("unsafe fn v()", "cannot be `unsafe fn`"),
            ("fn v(&self)", "cannot take `self`"),
            ("fn v((a, b): (u32, u32))", "must be a plain name"),
            ("fn v(_: u32)", "must be a plain name"),
            ("fn v(ref id: u32)", "must be a plain name"),
            ("fn v(id: impl FromStr)", "cannot take `impl Trait`"),
            ("fn v(name: &String)", "take `name` as `&str`"),
            ("fn v(name: &mut str)", "take `name` as `&str`"),
            ("fn v(r: &mut Request)", "cannot change the request"),
            ("fn v(a: &Request, b: Request)", "takes the request twice"),
        ];
        for (sig, expected) in cases {
            let message = kinds(sig).expect_err(sig);
            assert!(message.contains(expected), "{sig}: {message}");
        }
    }
}
