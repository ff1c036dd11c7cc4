//! The attribute's arguments: the path, then Chalice's `route()` keyword options.
//!
//! Values must be literals, so that they can be checked here, at compile time: a method
//! API Gateway does not have, or an option given twice, never reaches a running app.

use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Expr, ExprLit, Ident, Lit, LitBool, LitStr, Token};

use crate::errors::Errors;

/// The option keys, in the order Chalice documents them.
const KEYS: [&str; 8] = [
    "methods",
    "name",
    "cors",
    "content_types",
    "api_key_required",
    "authorizer",
    "authorization_type",
    "authorizer_id",
];

/// The methods API Gateway REST APIs route (the core accepts the same seven).
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// `#[route("/path", key = value, ...)]`, checked.
pub(crate) struct RouteArgs {
    pub(crate) path: LitStr,
    pub(crate) options: Options,
}

/// The options given; `None` where the core's default applies.
#[derive(Default)]
pub(crate) struct Options {
    /// Upper-cased, each once, at least one.
    pub(crate) methods: Option<Vec<LitStr>>,
    pub(crate) name: Option<LitStr>,
    pub(crate) cors: Option<LitBool>,
    pub(crate) content_types: Option<Vec<LitStr>>,
    pub(crate) api_key_required: Option<LitBool>,
    pub(crate) authorizer: Option<LitStr>,
    pub(crate) authorization_type: Option<LitStr>,
    pub(crate) authorizer_id: Option<LitStr>,
}

impl Parse for RouteArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if !input.peek(LitStr) {
            return Err(input.error(
                "expected the route path as a string literal, as in #[route(\"/users/{name}\")]",
            ));
        }
        let path: LitStr = input.parse()?;
        let mut options = Options::default();
        let mut errors = Errors::default();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let key = Ident::parse_any(input).map_err(|e| {
                syn::Error::new(e.span(), "expected an option such as `methods = [\"GET\"]`")
            })?;
            input.parse::<Token![=]>()?;
            let value: Expr = input.parse()?;
            errors.keep(options.set(&key, &value));
        }
        errors.keep(options.check_cors_and_options());
        errors.into_result()?;
        Ok(RouteArgs { path, options })
    }
}

impl Options {
    /// Records `key = value`, or says why it cannot be.
    fn set(&mut self, key: &Ident, value: &Expr) -> syn::Result<()> {
        let name = key.unraw().to_string();
        let taken = match name.as_str() {
            "methods" => put(&mut self.methods, methods(value)?),
            "name" => put(&mut self.name, string(&name, value)?),
            "cors" => put(&mut self.cors, boolean(&name, value)?),
            "content_types" => put(&mut self.content_types, strings(&name, value)?),
            "api_key_required" => put(&mut self.api_key_required, boolean(&name, value)?),
            "authorizer" => put(&mut self.authorizer, string(&name, value)?),
            "authorization_type" => put(&mut self.authorization_type, string(&name, value)?),
            "authorizer_id" => put(&mut self.authorizer_id, string(&name, value)?),
            _ => return Err(unknown_key(key, &name)),
        };
        if taken {
            return Err(syn::Error::new(
                key.span(),
                format!("option `{name}` is given twice"),
            ));
        }
        Ok(())
    }

    /// Chalice refuses `cors=True` with an explicit `OPTIONS` method at deploy time; with
    /// both in one attribute, we can refuse it now, in Chalice's words.
    fn check_cors_and_options(&self) -> syn::Result<()> {
        let cors_on = self.cors.as_ref().is_some_and(LitBool::value);
        let options = self
            .methods
            .iter()
            .flatten()
            .find(|method| method.value() == "OPTIONS");
        match options {
            Some(method) if cors_on => Err(syn::Error::new(
                method.span(),
                "Route entry cannot have both cors=True and methods=['OPTIONS', ...] configured.  \
                 When CORS is enabled, an OPTIONS method is automatically added for you.  \
                 Please remove 'OPTIONS' from the list of configured HTTP methods",
            )),
            _ => Ok(()),
        }
    }
}

/// Stores `value` in `slot`; true if the slot was already filled.
fn put<T>(slot: &mut Option<T>, value: T) -> bool {
    slot.replace(value).is_some()
}

/// The literal `value` is, if it is one.
fn literal(value: &Expr) -> Option<&Lit> {
    match value {
        Expr::Lit(ExprLit { lit, attrs }) if attrs.is_empty() => Some(lit),
        // A literal passed through a `macro_rules!` arrives wrapped in an invisible group.
        Expr::Group(group) => literal(&group.expr),
        _ => None,
    }
}

fn string(key: &str, value: &Expr) -> syn::Result<LitStr> {
    match literal(value) {
        Some(Lit::Str(lit)) => Ok(lit.clone()),
        _ => Err(syn::Error::new_spanned(
            value,
            format!("option `{key}` takes a string literal, as in {key} = \"...\""),
        )),
    }
}

fn boolean(key: &str, value: &Expr) -> syn::Result<LitBool> {
    match literal(value) {
        Some(Lit::Bool(lit)) => Ok(lit.clone()),
        _ => {
            let hint = if key == "cors" {
                "; for a CorsConfig, call `.cors_config(..)` on the Route that `route()` returns"
            } else {
                ""
            };
            Err(syn::Error::new_spanned(
                value,
                format!("option `{key}` takes `true` or `false`, as in {key} = true{hint}"),
            ))
        }
    }
}

fn strings(key: &str, value: &Expr) -> syn::Result<Vec<LitStr>> {
    let example = if key == "methods" {
        "[\"GET\", \"POST\"]"
    } else {
        "[\"application/json\", \"text/plain\"]"
    };
    let expected = || {
        syn::Error::new_spanned(
            value,
            format!("option `{key}` takes a list of string literals, as in {key} = {example}"),
        )
    };
    let array = match value {
        Expr::Array(array) => array,
        Expr::Group(group) => return strings(key, &group.expr),
        _ => return Err(expected()),
    };
    array
        .elems
        .iter()
        .map(|element| match literal(element) {
            Some(Lit::Str(lit)) => Ok(lit.clone()),
            _ => Err(syn::Error::new_spanned(
                element,
                format!("option `{key}` takes string literals only, as in {key} = {example}"),
            )),
        })
        .collect()
}

/// The methods of `methods = [...]`, upper-cased: known to API Gateway, each once, at
/// least one. The wording follows the core's, which checks routes built without the macro.
fn methods(value: &Expr) -> syn::Result<Vec<LitStr>> {
    let listed = strings("methods", value)?;
    if listed.is_empty() {
        return Err(syn::Error::new_spanned(
            value,
            "a route needs at least one method, as in methods = [\"GET\"]",
        ));
    }
    let mut methods: Vec<LitStr> = Vec::with_capacity(listed.len());
    let mut errors = Errors::default();
    for lit in listed {
        let name = lit.value();
        let upper = name.to_ascii_uppercase();
        if !METHODS.contains(&upper.as_str()) {
            errors.push(syn::Error::new(
                lit.span(),
                format!(
                    "Unsupported method: '{name}'; use one of {}",
                    METHODS.join(", ")
                ),
            ));
        } else if methods.iter().any(|seen| seen.value() == upper) {
            errors.push(syn::Error::new(
                lit.span(),
                format!("Duplicate method: '{upper}' is listed twice"),
            ));
        } else {
            methods.push(LitStr::new(&upper, lit.span()));
        }
    }
    errors.into_result()?;
    Ok(methods)
}

/// Chalice's `route() got unexpected keyword arguments: x`, naming the valid keys.
fn unknown_key(key: &Ident, name: &str) -> syn::Error {
    let suggestion = KEYS
        .iter()
        .map(|known| (edit_distance(name, known), known))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, known)| format!("did you mean `{known}`? "))
        .unwrap_or_default();
    syn::Error::new(
        key.span(),
        format!(
            "route() got unexpected keyword argument: {name}; {suggestion}the options are {}",
            KEYS.join(", ")
        ),
    )
}

/// Levenshtein distance, for "did you mean" on short option names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_single_character_edits() {
        let cases = [
            ("methods", "methods", 0),
            ("method", "methods", 1),
            ("cros", "cors", 2),
            ("content_type", "content_types", 1),
            ("", "name", 4),
            ("timeout", "name", 5),
        ];
        for (a, b, expected) in cases {
            assert_eq!(edit_distance(a, b), expected, "{a} -> {b}");
        }
    }
}
