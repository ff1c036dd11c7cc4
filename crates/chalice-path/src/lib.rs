//! API Gateway's and Chalice's rules for route paths such as `/users/{name}`.
//!
//! Two crates of chalice for Rust check paths, at different times: `chalice-core` when an app
//! is built, and `chalice-macros` when a `#[route("/users/{name}")]` compiles. Both call
//! [`parse`] here, so they can never disagree on a rule or on the wording of its error. The
//! crate depends on `std` alone: the macro crate compiles it for the host.
//!
//! The rules are API Gateway's for REST resource paths (a path part is `[a-zA-Z0-9._-]+` or a
//! whole-segment `{name}`, and the last part may be a greedy `{name+}`) plus Chalice's own
//! (`Route cannot end with a trailing slash`, unique capture names).
//!
//! ```
//! use chalice_path::{PathError, Segment, capture_names, parse};
//!
//! let segments = parse("/users/{name}/files/{path+}").unwrap();
//! assert_eq!(
//!     segments,
//!     [
//!         Segment::Static("users"),
//!         Segment::Capture("name"),
//!         Segment::Static("files"),
//!         Segment::Greedy("path"),
//!     ]
//! );
//! assert_eq!(capture_names(&segments).collect::<Vec<_>>(), ["name", "path"]);
//!
//! let error = parse("/users/").unwrap_err();
//! assert_eq!(error, PathError::TrailingSlash("/users/".to_owned()));
//! assert_eq!(error.to_string(), "Route cannot end with a trailing slash: /users/");
//! ```

use std::fmt;

/// One `/`-separated part of a route path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    /// A literal part, such as `users`.
    Static(&'a str),
    /// A capture, such as `{name}`: one path segment.
    Capture(&'a str),
    /// A greedy capture, such as `{proxy+}`: the rest of the path, one or more segments.
    Greedy(&'a str),
}

/// Why a route path was refused, with the path. The `Display` text is what users read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PathError {
    /// The path is `""`.
    Empty,
    /// The path does not start with `/`.
    NoLeadingSlash(String),
    /// The path ends with `/` (and is not `/`).
    TrailingSlash(String),
    /// The path has `//`.
    EmptySegment(String),
    /// A static part has a character API Gateway does not allow.
    BadCharacter {
        /// The path.
        path: String,
        /// The first character not allowed.
        character: char,
    },
    /// A capture is not a whole segment (`/users/x{name}`), or a brace is unmatched.
    PartialCapture(String),
    /// A capture's name is empty or has characters other than letters, digits and `_`.
    BadCaptureName {
        /// The path.
        path: String,
        /// The capture's name as written.
        name: String,
    },
    /// Two captures have the same name.
    DuplicateCapture {
        /// The path.
        path: String,
        /// The name captured twice.
        name: String,
    },
    /// A greedy capture `{name+}` is not the last segment.
    GreedyNotLast {
        /// The path.
        path: String,
        /// The greedy capture's name.
        name: String,
    },
}

impl std::error::Error for PathError {}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The first two wordings are Chalice's own (chalice/deploy/validate.py).
            PathError::Empty => f.write_str("Route cannot be the empty string"),
            PathError::TrailingSlash(path) => {
                write!(f, "Route cannot end with a trailing slash: {path}")
            }
            PathError::NoLeadingSlash(path) => {
                write!(f, "Route must start with a '/': {path}")
            }
            PathError::EmptySegment(path) => {
                write!(
                    f,
                    "Route cannot contain an empty path segment ('//'): {path}"
                )
            }
            PathError::BadCharacter { path, character } => write!(
                f,
                "Route contains {character:?}, which API Gateway does not allow in a path \
                 (use only a-z A-Z 0-9 . _ - and {{name}} captures): {path}"
            ),
            PathError::PartialCapture(path) => write!(
                f,
                "Route captures must be whole path segments, as in /users/{{name}}: {path}"
            ),
            PathError::BadCaptureName { path, name } => write!(
                f,
                "Route capture {{{name}}} must be named with letters, digits and '_' only: {path}"
            ),
            PathError::DuplicateCapture { path, name } => {
                write!(f, "Route captures {{{name}}} more than once: {path}")
            }
            PathError::GreedyNotLast { path, name } => write!(
                f,
                "Greedy capture {{{name}+}} must be the last segment of the route: {path}"
            ),
        }
    }
}

/// Checks `path` against the rules and splits it into segments.
///
/// `/` is the one path with no segments.
pub fn parse(path: &str) -> Result<Vec<Segment<'_>>, PathError> {
    if path.is_empty() {
        return Err(PathError::Empty);
    }
    if !path.starts_with('/') {
        return Err(PathError::NoLeadingSlash(path.to_owned()));
    }
    if path == "/" {
        return Ok(Vec::new());
    }
    if path.ends_with('/') {
        return Err(PathError::TrailingSlash(path.to_owned()));
    }
    let mut segments = Vec::new();
    let mut parts = path[1..].split('/').peekable();
    while let Some(part) = parts.next() {
        let segment = parse_segment(path, part)?;
        if let Segment::Greedy(name) = segment
            && parts.peek().is_some()
        {
            return Err(PathError::GreedyNotLast {
                path: path.to_owned(),
                name: name.to_owned(),
            });
        }
        if let Segment::Capture(name) | Segment::Greedy(name) = segment
            && capture_names(&segments).any(|seen| seen == name)
        {
            return Err(PathError::DuplicateCapture {
                path: path.to_owned(),
                name: name.to_owned(),
            });
        }
        segments.push(segment);
    }
    Ok(segments)
}

/// The capture names of parsed segments, in path order.
pub fn capture_names<'s, 'a>(segments: &'s [Segment<'a>]) -> impl Iterator<Item = &'a str> + 's {
    segments.iter().filter_map(|segment| match segment {
        Segment::Capture(name) | Segment::Greedy(name) => Some(*name),
        Segment::Static(_) => None,
    })
}

fn parse_segment<'a>(path: &str, part: &'a str) -> Result<Segment<'a>, PathError> {
    if part.is_empty() {
        return Err(PathError::EmptySegment(path.to_owned()));
    }
    if let Some(inner) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
        let (name, greedy) = match inner.strip_suffix('+') {
            Some(name) => (name, true),
            None => (inner, false),
        };
        let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(PathError::BadCaptureName {
                path: path.to_owned(),
                name: name.to_owned(),
            });
        }
        return Ok(if greedy {
            Segment::Greedy(name)
        } else {
            Segment::Capture(name)
        });
    }
    if part.contains(['{', '}']) {
        return Err(PathError::PartialCapture(path.to_owned()));
    }
    match part
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        Some(character) => Err(PathError::BadCharacter {
            path: path.to_owned(),
            character,
        }),
        None => Ok(Segment::Static(part)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_paths() {
        let cases: &[(&str, &[Segment<'_>])] = &[
            ("/", &[]),
            ("/users", &[Segment::Static("users")]),
            (
                "/a.b_c-d/E9",
                &[Segment::Static("a.b_c-d"), Segment::Static("E9")],
            ),
            (
                "/users/{name}",
                &[Segment::Static("users"), Segment::Capture("name")],
            ),
            (
                "/{a}/{b_2}",
                &[Segment::Capture("a"), Segment::Capture("b_2")],
            ),
            (
                "/files/{proxy+}",
                &[Segment::Static("files"), Segment::Greedy("proxy")],
            ),
            ("/{proxy+}", &[Segment::Greedy("proxy")]),
        ];
        for (path, expected) in cases {
            assert_eq!(parse(path).as_deref(), Ok(*expected), "{path}");
        }
    }

    #[test]
    fn refused_paths_name_the_rule() {
        let cases = [
            ("", "Route cannot be the empty string"),
            ("/foo/", "Route cannot end with a trailing slash: /foo/"),
            ("users", "Route must start with a '/': users"),
            (
                "/a//b",
                "Route cannot contain an empty path segment ('//'): /a//b",
            ),
            (
                "/a*b",
                "Route contains '*', which API Gateway does not allow in a path (use only a-z A-Z 0-9 . _ - and {name} captures): /a*b",
            ),
            (
                "/a b",
                "Route contains ' ', which API Gateway does not allow in a path (use only a-z A-Z 0-9 . _ - and {name} captures): /a b",
            ),
            (
                "/users/x{name}",
                "Route captures must be whole path segments, as in /users/{name}: /users/x{name}",
            ),
            (
                "/users/{name",
                "Route captures must be whole path segments, as in /users/{name}: /users/{name",
            ),
            (
                "/users/{}",
                "Route capture {} must be named with letters, digits and '_' only: /users/{}",
            ),
            (
                "/users/{a-b}",
                "Route capture {a-b} must be named with letters, digits and '_' only: /users/{a-b}",
            ),
            ("/{a}/{a}", "Route captures {a} more than once: /{a}/{a}"),
            ("/{a}/{a+}", "Route captures {a} more than once: /{a}/{a+}"),
            (
                "/{p+}/x",
                "Greedy capture {p+} must be the last segment of the route: /{p+}/x",
            ),
            (
                "/é",
                "Route contains 'é', which API Gateway does not allow in a path (use only a-z A-Z 0-9 . _ - and {name} captures): /é",
            ),
        ];
        for (path, expected) in cases {
            let message = parse(path).expect_err(path).to_string();
            assert_eq!(message, expected, "{path}");
        }
    }
}

/// The README's examples, compiled and run as doctests so they cannot go stale.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
