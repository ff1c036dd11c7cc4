//! The route table: routes by path template, and a radix tree for concrete paths.
//!
//! Two ways in, one table (DESIGN.md rule 3). On Lambda, API Gateway has already matched the
//! path and names the template (`resourcePath` / `routeKey`), so dispatch looks the template
//! up in a hash map. Locally and in tests, a concrete path such as `/users/bob` is matched
//! with `matchit`'s radix tree, as axum does. Both lead to the same [`PathEntry`].

use std::collections::HashMap;
use std::sync::Arc;

use http::Method;
use percent_encoding::percent_decode_str;

use crate::params::Params;
use crate::route::{Route, RouteEntry, describe};
use chalice_path::{self as path, Segment};

/// The methods API Gateway REST APIs offer, in the order `Allow` lists them.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// All views registered at one path template.
pub(crate) struct PathEntry {
    pub(crate) template: Arc<str>,
    /// In registration order (the order of the `Allow` header, as in Chalice).
    pub(crate) entries: Vec<RouteEntry>,
    /// Capture names in path order; `None` for a path without captures.
    pub(crate) captures: Option<Vec<Box<str>>>,
}

impl PathEntry {
    pub(crate) fn entry(&self, method: &Method) -> Option<&RouteEntry> {
        self.entries.iter().find(|entry| entry.method == *method)
    }

    pub(crate) fn methods(&self) -> impl Iterator<Item = &str> + '_ {
        self.entries.iter().map(|entry| entry.method.as_str())
    }
}

#[derive(Default)]
pub(crate) struct RouteTable {
    pub(crate) paths: Vec<PathEntry>,
    by_template: HashMap<Arc<str>, usize>,
    matcher: matchit::Router<usize>,
    /// API Gateway's resources form a tree in which a resource has at most one variable
    /// child (`{id}` or `{proxy+}`): for each prefix that has one, its text and the path that
    /// added it. matchit alone accepts `/users/{id}` beside `/users/{name}/posts`; API
    /// Gateway refuses it at deploy time, so we refuse it when the app is built.
    variable_children: HashMap<String, (String, usize)>,
}

impl RouteTable {
    /// Adds a route, or says why it cannot be added.
    pub(crate) fn insert(&mut self, route: Route) -> Result<(), String> {
        let segments = path::parse(&route.path).map_err(|error| error.to_string())?;
        let methods = normalize_methods(&route)?;
        let index = match self.by_template.get(route.path.as_str()) {
            Some(&index) => index,
            None => self.add_path(&route, &segments)?,
        };
        let path = &mut self.paths[index];
        for method in &methods {
            if let Some(existing) = path.entry(method) {
                // Chalice's wording (chalice/app.py, _register_route), then where each view
                // was declared: with blueprints, the two may be far apart.
                return Err(format!(
                    "Duplicate method: '{method}' detected for route: '{}'\nbetween view functions: \"{}\" and \"{}\". \
                     A specific method may only be specified once for a particular path.\n  \
                     first: {}\n  then:  {}",
                    route.path,
                    existing.view_name,
                    route.view_name,
                    existing.describe(),
                    describe(&route.view_name, route.location, route.origin.as_ref()),
                ));
            }
        }
        let view = route.view;
        let view_name: Arc<str> = route.view_name.into();
        let content_types: Arc<[String]> = route.content_types.into();
        let shared = |s: Option<String>| s.map(Arc::<str>::from);
        let (authorizer, authorization_scopes) = match &route.authorizer {
            Some(authorizer) => (
                Some(Arc::<str>::from(authorizer.name())),
                Arc::<[String]>::from(authorizer.scopes()),
            ),
            None => (None, Arc::from([])),
        };
        let (authorization_type, authorizer_id) = (
            shared(route.authorization_type),
            shared(route.authorizer_id),
        );
        for method in methods {
            path.entries.push(RouteEntry {
                method,
                view: Arc::clone(&view),
                view_name: Arc::clone(&view_name),
                content_types: Arc::clone(&content_types),
                cors: route.cors.clone(),
                api_key_required: route.api_key_required,
                authorizer: authorizer.clone(),
                authorization_scopes: Arc::clone(&authorization_scopes),
                authorization_type: authorization_type.clone(),
                authorizer_id: authorizer_id.clone(),
                location: route.location,
                origin: route.origin.clone(),
            });
        }
        Ok(())
    }

    fn add_path(&mut self, route: &Route, segments: &[Segment<'_>]) -> Result<usize, String> {
        let template = route.path.as_str();
        let index = self.paths.len();
        let mut prefix = String::new();
        let mut new_children = Vec::new();
        for (segment, text) in segments.iter().zip(template[1..].split('/')) {
            if matches!(segment, Segment::Capture(_) | Segment::Greedy(_)) {
                match self.variable_children.get(&prefix) {
                    Some((existing, owner)) if existing != text => {
                        return Err(format!(
                            "Route {template} conflicts with route {}: API Gateway allows one variable path part \
                             under {} ({existing} there, {text} here); use the same capture name in both routes{}",
                            self.paths[*owner].template,
                            if prefix.is_empty() { "/" } else { &prefix },
                            self.both_sides(*owner, route),
                        ));
                    }
                    Some(_) => {}
                    None => new_children.push((prefix.clone(), text.to_owned())),
                }
            }
            prefix.push('/');
            prefix.push_str(text);
        }
        if let Err(error) = self.matcher.insert(matchit_pattern(segments), index) {
            let (other, sides) = match &error {
                matchit::InsertError::Conflict { with } => {
                    let with_index = self.matcher.at(&sample_path(with)).map(|m| *m.value).ok();
                    match with_index {
                        Some(i) => (
                            self.paths[i].template.to_string(),
                            self.both_sides(i, route),
                        ),
                        None => (with.clone(), String::new()),
                    }
                }
                _ => (error.to_string(), String::new()),
            };
            return Err(format!(
                "Route {template} conflicts with route {other}: API Gateway allows only one capture \
                 (or greedy capture) at the same place in sibling paths; use the same capture name, \
                 or a static segment{sides}"
            ));
        }
        let template: Arc<str> = template.into();
        let captures = path::capture_names(segments)
            .map(Box::from)
            .collect::<Vec<_>>();
        self.paths.push(PathEntry {
            template: Arc::clone(&template),
            entries: Vec::new(),
            captures: (!captures.is_empty()).then_some(captures),
        });
        self.by_template.insert(template, index);
        for (prefix, text) in new_children {
            self.variable_children.insert(prefix, (text, index));
        }
        Ok(index)
    }

    /// The views on both sides of a conflict between the path at `existing` and `route`.
    fn both_sides(&self, existing: usize, route: &Route) -> String {
        let first = self.paths[existing]
            .entries
            .first()
            .map(RouteEntry::describe)
            .unwrap_or_default();
        format!(
            "\n  first: {first}\n  then:  {}",
            describe(&route.view_name, route.location, route.origin.as_ref())
        )
    }

    /// The path registered with this template (the Lambda way in).
    pub(crate) fn by_template(&self, template: &str) -> Option<&PathEntry> {
        self.by_template
            .get(template)
            .map(|&index| &self.paths[index])
    }

    /// The path a concrete, still percent-encoded request path falls on, with its captures
    /// decoded (the local way in). API Gateway ignores a trailing slash on paths other than
    /// `/`, so this does too.
    pub(crate) fn match_path(&self, raw_path: &str) -> Option<(&PathEntry, Option<Params>)> {
        let trimmed = match raw_path.strip_suffix('/') {
            Some(rest) if !rest.is_empty() => rest,
            _ => raw_path,
        };
        let matched = self.matcher.at(trimmed).ok()?;
        let path = &self.paths[*matched.value];
        let params = path.captures.as_ref().map(|_| {
            matched
                .params
                .iter()
                .map(|(name, value)| {
                    (
                        name.to_owned(),
                        percent_decode_str(value).decode_utf8_lossy().into_owned(),
                    )
                })
                .collect::<Params>()
        });
        Some((path, params))
    }
}

/// Our `{name+}` is matchit's `{*name}`; everything else is spelled the same.
fn matchit_pattern(segments: &[Segment<'_>]) -> String {
    if segments.is_empty() {
        return "/".to_owned();
    }
    let mut pattern = String::new();
    for segment in segments {
        pattern.push('/');
        match segment {
            Segment::Static(text) => pattern.push_str(text),
            Segment::Capture(name) => {
                pattern.push('{');
                pattern.push_str(name);
                pattern.push('}');
            }
            Segment::Greedy(name) => {
                pattern.push_str("{*");
                pattern.push_str(name);
                pattern.push('}');
            }
        }
    }
    pattern
}

/// A concrete path that a matchit pattern matches, to find which route it belongs to.
fn sample_path(pattern: &str) -> String {
    let mut out = String::new();
    let mut in_capture = false;
    for c in pattern.chars() {
        match c {
            '{' => {
                in_capture = true;
                out.push('x');
            }
            '}' => in_capture = false,
            _ if in_capture => {}
            _ => out.push(c),
        }
    }
    out
}

fn normalize_methods(route: &Route) -> Result<Vec<Method>, String> {
    if route.methods.is_empty() {
        return Err(format!(
            "Route '{}' of view function \"{}\" has no methods",
            route.path, route.view_name
        ));
    }
    let mut methods: Vec<Method> = Vec::new();
    for name in &route.methods {
        let upper = name.to_ascii_uppercase();
        let Some(known) = METHODS.iter().find(|m| **m == upper) else {
            return Err(format!(
                "Unsupported method: '{name}' for route: '{}' of view function \"{}\"; use one of {}",
                route.path,
                route.view_name,
                METHODS.join(", ")
            ));
        };
        let method =
            Method::from_bytes(known.as_bytes()).expect("METHODS holds valid method names");
        if methods.contains(&method) {
            return Err(format!(
                "Duplicate method: '{known}' listed twice for route: '{}' of view function \"{}\"",
                route.path, route.view_name
            ));
        }
        methods.push(method);
    }
    Ok(methods)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(paths: &[&str]) -> RouteTable {
        let mut table = RouteTable::default();
        for path in paths {
            table.insert(Route::new(*path, || "x")).expect(path);
        }
        table
    }

    #[test]
    fn concrete_paths_find_their_template() {
        let table = table(&[
            "/",
            "/users",
            "/users/new",
            "/users/{name}",
            "/users/{name}/posts/{id}",
            "/files/{proxy+}",
        ]);
        // (request path, template, captures)
        let cases: &[(&str, Option<&str>, &[(&str, &str)])] = &[
            ("/", Some("/"), &[]),
            ("/users", Some("/users"), &[]),
            ("/users/", Some("/users"), &[]),
            ("/users/new", Some("/users/new"), &[]),
            ("/users/bob", Some("/users/{name}"), &[("name", "bob")]),
            (
                "/users/bob%20smith",
                Some("/users/{name}"),
                &[("name", "bob smith")],
            ),
            ("/users/a%2Fb", Some("/users/{name}"), &[("name", "a/b")]),
            (
                "/users/caf%C3%A9",
                Some("/users/{name}"),
                &[("name", "café")],
            ),
            ("/users/%FF", Some("/users/{name}"), &[("name", "\u{FFFD}")]),
            ("/users/a+b", Some("/users/{name}"), &[("name", "a+b")]),
            (
                "/users/bob/posts/7",
                Some("/users/{name}/posts/{id}"),
                &[("name", "bob"), ("id", "7")],
            ),
            (
                "/files/a/b/c.txt",
                Some("/files/{proxy+}"),
                &[("proxy", "a/b/c.txt")],
            ),
            ("/files", None, &[]),
            ("/users/bob/extra", None, &[]),
            ("/nope", None, &[]),
            ("", None, &[]),
            ("//", Some("/"), &[]),
            ("/users//", None, &[]),
        ];
        for (request, template, captures) in cases {
            let found = table.match_path(request);
            assert_eq!(
                found.as_ref().map(|(p, _)| &*p.template),
                *template,
                "{request}"
            );
            if let Some((_, params)) = found {
                let got: Vec<(&str, &str)> = params
                    .as_ref()
                    .map(|p| p.iter().collect())
                    .unwrap_or_default();
                assert_eq!(got, *captures, "{request}");
            }
        }
    }

    #[test]
    fn templates_find_their_path() {
        let table = table(&["/", "/users/{name}"]);
        assert!(table.by_template("/users/{name}").is_some());
        assert!(table.by_template("/users/bob").is_none());
        assert!(table.by_template("/").expect("root").captures.is_none());
    }

    #[test]
    fn definition_mistakes_are_refused() {
        let cases: &[(&[&str], &str, &str)] = &[
            (
                &["/a"],
                "/a/",
                "Route cannot end with a trailing slash: /a/",
            ),
            (
                &["/users/{id}"],
                "/users/{name}",
                "Route /users/{name} conflicts with route /users/{id}",
            ),
            (
                &["/f/{p+}"],
                "/f/{id}",
                "Route /f/{id} conflicts with route /f/{p+}",
            ),
        ];
        for (existing, path, expected) in cases {
            let mut table = table(existing);
            let error = table.insert(Route::new(*path, || "x")).expect_err(path);
            assert!(error.starts_with(expected), "{path}: {error}");
        }
    }

    #[test]
    fn methods_are_checked() {
        let cases: &[(&[&str], Result<&[&str], &str>)] = &[
            (&["get", "Post"], Ok(&["GET", "POST"])),
            (
                &["FETCH"],
                Err(
                    "Unsupported method: 'FETCH' for route: '/m' of view function \"m\"; use one of GET, POST",
                ),
            ),
            (&[], Err("Route '/m' of view function \"m\" has no methods")),
            (&["GET", "get"], Err("Duplicate method: 'GET' listed twice")),
        ];
        for (methods, expected) in cases {
            let mut table = RouteTable::default();
            let result = table.insert(Route::new("/m", || "x").name("m").methods(*methods));
            match expected {
                Ok(names) => {
                    result.expect("accepted");
                    assert_eq!(table.paths[0].methods().collect::<Vec<_>>(), *names);
                }
                Err(message) => {
                    let error = result.expect_err("refused");
                    assert!(error.starts_with(message), "{error}");
                }
            }
        }
    }
}
