//! The route table: routes by path template, and a radix tree for concrete paths.
//!
//! Two ways in, one table (DESIGN.md rule 3). On Lambda, API Gateway has already matched the
//! path and names the template (`resourcePath` / `routeKey`): a hash map finds it. Locally
//! and in tests, a concrete path such as `/users/bob` is matched with `matchit`'s radix
//! tree, as axum does. Both yield the same [`RouteId`], an index into the table's
//! [`Resource`]s, which the rest of the request carries (`routing.rs`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use http::Method;

use crate::definition_error::{DefinitionErrorKind, ViewSite};
use crate::params::Params;
use crate::route::{Route, RouteEntry};
use chalice_path::{self as path, Segment};

/// The methods API Gateway REST APIs offer, in the order `Allow` lists them.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// A route of the table: the place of its path template, found once per request by
/// template or by concrete path, and carried from there on (axum's `RouteId`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct RouteId(usize);

impl RouteId {
    /// The index of the route in tables kept beside the app's (the gateway's preflights).
    pub(crate) fn index(self) -> usize {
        self.0
    }
}

/// All views registered at one path template (API Gateway's resource).
pub(crate) struct Resource {
    pub(crate) template: Arc<str>,
    /// In registration order (the order of the `Allow` header, as in Chalice).
    pub(crate) entries: Vec<RouteEntry>,
    /// Capture names in path order; `None` for a path without captures.
    pub(crate) captures: Option<Vec<Box<str>>>,
    /// The methods as the `Allow` header lists them (`GET, POST`): written as methods are
    /// registered, read by every 405 (and the local server's 403 hint).
    pub(crate) allow: String,
}

impl Resource {
    /// The view of `method`: a scan of at most seven entries, made once per request.
    pub(crate) fn entry(&self, method: &Method) -> Option<&RouteEntry> {
        self.entries.iter().find(|entry| entry.method == *method)
    }
}

#[derive(Default)]
pub(crate) struct RouteTable {
    pub(crate) resources: Vec<Resource>,
    by_template: HashMap<Arc<str>, RouteId, BuildHasherDefault<TemplateHasher>>,
    matcher: matchit::Router<RouteId>,
    /// API Gateway's resources form a tree in which a resource has at most one variable
    /// child (`{id}` or `{proxy+}`): for each prefix that has one, its text and the path that
    /// added it. matchit alone accepts `/users/{id}` beside `/users/{name}/posts`; API
    /// Gateway refuses it at deploy time, so we refuse it when the app is built.
    variable_children: HashMap<String, (String, RouteId)>,
}

impl RouteTable {
    /// Adds a route, or says why it cannot be added.
    pub(crate) fn insert(&mut self, route: Route) -> Result<(), Box<DefinitionErrorKind>> {
        let segments = path::parse(&route.path)
            .map_err(|error| Box::new(DefinitionErrorKind::InvalidPath(error)))?;
        let methods = normalize_methods(&route)?;
        let id = match self.by_template.get(route.path.as_str()) {
            Some(&id) => id,
            None => self.add_path(&route, &segments)?,
        };
        let resource = &mut self.resources[id.0];
        for method in &methods {
            if let Some(existing) = resource.entry(method) {
                return Err(Box::new(DefinitionErrorKind::DuplicateMethod {
                    path: route.path.clone(),
                    method: method.to_string(),
                    first: existing.site(),
                    then: route.site(),
                }));
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
            if !resource.allow.is_empty() {
                resource.allow.push_str(", ");
            }
            resource.allow.push_str(method.as_str());
            resource.entries.push(RouteEntry {
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

    fn add_path(
        &mut self,
        route: &Route,
        segments: &[Segment<'_>],
    ) -> Result<RouteId, Box<DefinitionErrorKind>> {
        let template = route.path.as_str();
        let id = RouteId(self.resources.len());
        let mut prefix = String::new();
        let mut new_children = Vec::new();
        for (segment, text) in segments.iter().zip(template[1..].split('/')) {
            if matches!(segment, Segment::Capture(_) | Segment::Greedy(_)) {
                match self.variable_children.get(&prefix) {
                    Some((existing, owner)) if existing != text => {
                        return Err(Box::new(DefinitionErrorKind::CaptureConflict {
                            path: template.to_owned(),
                            other: self.resources[owner.0].template.to_string(),
                            parent: if prefix.is_empty() {
                                "/".to_owned()
                            } else {
                                prefix
                            },
                            existing: existing.clone(),
                            new: text.to_owned(),
                            sides: self.both_sides(*owner, route),
                        }));
                    }
                    Some(_) => {}
                    None => new_children.push((prefix.clone(), text.to_owned())),
                }
            }
            prefix.push('/');
            prefix.push_str(text);
        }
        if let Err(error) = self.matcher.insert(matchit_pattern(segments), id) {
            let (other, sides) = match &error {
                matchit::InsertError::Conflict { with } => {
                    let with_id = self.matcher.at(&sample_path(with)).map(|m| *m.value).ok();
                    match with_id {
                        Some(with_id) => (
                            self.resources[with_id.0].template.to_string(),
                            self.both_sides(with_id, route),
                        ),
                        None => (with.clone(), None),
                    }
                }
                _ => (error.to_string(), None),
            };
            return Err(Box::new(DefinitionErrorKind::RouteConflict {
                path: template.to_owned(),
                other,
                sides,
            }));
        }
        let template: Arc<str> = template.into();
        let captures = path::capture_names(segments)
            .map(Box::from)
            .collect::<Vec<_>>();
        self.resources.push(Resource {
            template: Arc::clone(&template),
            entries: Vec::new(),
            captures: (!captures.is_empty()).then_some(captures),
            allow: String::new(),
        });
        self.by_template.insert(template, id);
        for (prefix, text) in new_children {
            self.variable_children.insert(prefix, (text, id));
        }
        Ok(id)
    }

    /// The views on both sides of a conflict between the route `existing` and `route`.
    fn both_sides(&self, existing: RouteId, route: &Route) -> Option<(ViewSite, ViewSite)> {
        let first = self.resources[existing.0].entries.first()?;
        Some((first.site(), route.site()))
    }

    /// The route registered with this template (the Lambda way in).
    pub(crate) fn by_template(&self, template: &str) -> Option<RouteId> {
        self.by_template.get(template).copied()
    }

    /// The route a concrete, still percent-encoded request path falls on, with its captures
    /// as they are in the path (the local way in). API Gateway ignores a trailing slash on
    /// paths other than `/`, so this does too.
    ///
    /// Captures stay percent-encoded, as a REST API's `pathParameters` do: API Gateway
    /// matches `/users/{name}` against the encoded path and hands the segment over as sent
    /// (`john%20doe`, aws/chalice#511). `%2F` is therefore part of one segment, never a `/`.
    pub(crate) fn match_path(&self, raw_path: &str) -> Option<(RouteId, Option<Params>)> {
        let trimmed = match raw_path.strip_suffix('/') {
            Some(rest) if !rest.is_empty() => rest,
            _ => raw_path,
        };
        let matched = self.matcher.at(trimmed).ok()?;
        let id = *matched.value;
        let params = self.resources[id.0].captures.as_ref().map(|_| {
            matched
                .params
                .iter()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect::<Params>()
        });
        Some((id, params))
    }

    /// The route `id` names. Ids come from this table alone, so this is an index, not a
    /// search.
    pub(crate) fn resource(&self, id: RouteId) -> &Resource {
        &self.resources[id.0]
    }

    /// Every route with its id, in registration order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (RouteId, &Resource)> + '_ {
        self.resources
            .iter()
            .enumerate()
            .map(|(index, resource)| (RouteId(index), resource))
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

fn normalize_methods(route: &Route) -> Result<Vec<Method>, Box<DefinitionErrorKind>> {
    if route.methods.is_empty() {
        return Err(Box::new(DefinitionErrorKind::NoMethods {
            path: route.path.clone(),
            view_name: route.view_name.clone(),
        }));
    }
    let mut methods: Vec<Method> = Vec::new();
    for name in &route.methods {
        let upper = name.to_ascii_uppercase();
        let Some(known) = METHODS.iter().find(|m| **m == upper) else {
            return Err(Box::new(DefinitionErrorKind::UnsupportedMethod {
                path: route.path.clone(),
                view_name: route.view_name.clone(),
                method: name.clone(),
            }));
        };
        let method =
            Method::from_bytes(known.as_bytes()).expect("METHODS holds valid method names");
        if methods.contains(&method) {
            return Err(Box::new(DefinitionErrorKind::MethodListedTwice {
                path: route.path.clone(),
                view_name: route.view_name.clone(),
                method: (*known).to_owned(),
            }));
        }
        methods.push(method);
    }
    Ok(methods)
}

/// The hash of the template map, read once per Lambda request: eight bytes per multiply
/// (rustc's FxHash scheme) instead of SipHash's rounds, a fifth of the instructions for a
/// template such as `/users/{name}`. SipHash's resistance to chosen collisions buys nothing
/// here: the only keys inserted are the app's own templates, so a crafted lookup can at worst
/// probe the entries the app has.
#[derive(Default)]
struct TemplateHasher(u64);

impl TemplateHasher {
    const K: u64 = 0xf135_7aea_2e62_a9c5;

    fn add(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(Self::K);
    }
}

impl Hasher for TemplateHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        // The length goes in with the tail, so `a` and `a\0` differ.
        self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        // The multiply leaves the low bits weakest, and hashbrown picks buckets with them:
        // fold the high half down and mix once more.
        let h = (self.0 ^ (self.0 >> 32)).wrapping_mul(Self::K);
        h ^ (h >> 29)
    }
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
            // Captures stay as sent, as API Gateway passes them (aws/chalice#511).
            (
                "/users/bob%20smith",
                Some("/users/{name}"),
                &[("name", "bob%20smith")],
            ),
            ("/users/a%2Fb", Some("/users/{name}"), &[("name", "a%2Fb")]),
            (
                "/users/caf%C3%A9",
                Some("/users/{name}"),
                &[("name", "caf%C3%A9")],
            ),
            ("/users/%FF", Some("/users/{name}"), &[("name", "%FF")]),
            ("/users/a+b", Some("/users/{name}"), &[("name", "a+b")]),
            (
                "/files/a%2Fb/c%20d",
                Some("/files/{proxy+}"),
                &[("proxy", "a%2Fb/c%20d")],
            ),
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
                found.as_ref().map(|(id, _)| &*table.resource(*id).template),
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
        let root = table.by_template("/").expect("root");
        assert!(table.resource(root).captures.is_none());
    }

    #[test]
    fn template_hashes_spread_over_buckets() {
        use std::collections::HashSet;
        use std::hash::BuildHasher;

        let hasher = BuildHasherDefault::<TemplateHasher>::default();
        let templates: Vec<String> = (0..10_000)
            .map(|i| format!("/r{i}/{{id}}"))
            .chain(["", "a", "a\0", "a\0\0\0\0\0\0\0", "/users/{name}"].map(String::from))
            .collect();
        let hashes: HashSet<u64> = templates
            .iter()
            .map(|t| hasher.hash_one(t.as_str()))
            .collect();
        assert_eq!(
            hashes.len(),
            templates.len(),
            "no two templates share a hash"
        );
        // hashbrown picks a bucket with the low bits and a tag with the top seven: both
        // must vary between similar templates (10,005 random hashes fill ~7,490 of 16,384).
        let low: HashSet<u64> = hashes.iter().map(|h| h & 0x3fff).collect();
        let tags: HashSet<u64> = hashes.iter().map(|h| h >> 57).collect();
        assert!(low.len() > 7_200, "{} of 16,384 buckets used", low.len());
        assert_eq!(tags.len(), 128, "every tag used");
    }

    #[test]
    fn allow_lists_methods_in_registration_order() {
        let mut table = RouteTable::default();
        table
            .insert(Route::new("/a", || "x").methods(["post", "GET"]))
            .expect("a route");
        table
            .insert(Route::new("/a", || "y").methods(["DELETE"]))
            .expect("a route");
        let id = table.by_template("/a").expect("registered");
        assert_eq!(table.resource(id).allow, "POST, GET, DELETE");
    }

    /// The kind without the views on both sides of a conflict, whose locations are this
    /// file's lines (the facade's tests check whole messages, locations included).
    fn without_sides(kind: DefinitionErrorKind) -> DefinitionErrorKind {
        match kind {
            DefinitionErrorKind::CaptureConflict {
                path,
                other,
                parent,
                existing,
                new,
                sides: Some(_),
            } => DefinitionErrorKind::CaptureConflict {
                path,
                other,
                parent,
                existing,
                new,
                sides: None,
            },
            other => other,
        }
    }

    #[test]
    fn definition_mistakes_are_refused() {
        let cases: &[(&[&str], &str, DefinitionErrorKind)] = &[
            (
                &["/a"],
                "/a/",
                DefinitionErrorKind::InvalidPath(path::PathError::TrailingSlash("/a/".into())),
            ),
            (
                &["/users/{id}"],
                "/users/{name}",
                DefinitionErrorKind::CaptureConflict {
                    path: "/users/{name}".into(),
                    other: "/users/{id}".into(),
                    parent: "/users".into(),
                    existing: "{id}".into(),
                    new: "{name}".into(),
                    sides: None,
                },
            ),
            (
                &["/f/{p+}"],
                "/f/{id}",
                DefinitionErrorKind::CaptureConflict {
                    path: "/f/{id}".into(),
                    other: "/f/{p+}".into(),
                    parent: "/f".into(),
                    existing: "{p+}".into(),
                    new: "{id}".into(),
                    sides: None,
                },
            ),
            (
                &["/{id}"],
                "/{name}/x",
                DefinitionErrorKind::CaptureConflict {
                    path: "/{name}/x".into(),
                    other: "/{id}".into(),
                    parent: "/".into(),
                    existing: "{id}".into(),
                    new: "{name}".into(),
                    sides: None,
                },
            ),
        ];
        for (existing, path, expected) in cases {
            let mut table = table(existing);
            let error = table.insert(Route::new(*path, || "x")).expect_err(path);
            assert_eq!(&without_sides(*error), expected, "{path}");
        }
    }

    #[test]
    fn methods_are_checked() {
        let kind = |f: fn(String, String) -> DefinitionErrorKind| f("/m".into(), "m".into());
        let cases: &[(&[&str], Result<&str, DefinitionErrorKind>)] = &[
            (&["get", "Post"], Ok("GET, POST")),
            (
                &["FETCH"],
                Err(kind(|path, view_name| {
                    DefinitionErrorKind::UnsupportedMethod {
                        path,
                        view_name,
                        method: "FETCH".into(),
                    }
                })),
            ),
            (
                &[],
                Err(kind(|path, view_name| DefinitionErrorKind::NoMethods {
                    path,
                    view_name,
                })),
            ),
            (
                &["GET", "get"],
                Err(kind(|path, view_name| {
                    DefinitionErrorKind::MethodListedTwice {
                        path,
                        view_name,
                        method: "GET".into(),
                    }
                })),
            ),
        ];
        for (methods, expected) in cases {
            let mut table = RouteTable::default();
            let result = table.insert(Route::new("/m", || "x").name("m").methods(*methods));
            match expected {
                Ok(allow) => {
                    result.expect("accepted");
                    assert_eq!(table.resources[0].allow, *allow);
                }
                Err(kind) => assert_eq!(&*result.expect_err("refused"), kind, "{methods:?}"),
            }
        }
    }

    #[test]
    fn the_unsupported_method_message_lists_the_methods_api_gateway_offers() {
        let kind = DefinitionErrorKind::UnsupportedMethod {
            path: "/m".into(),
            view_name: "m".into(),
            method: "FETCH".into(),
        };
        assert!(
            kind.to_string()
                .ends_with(&format!("use one of {}", METHODS.join(", ")))
        );
    }
}
