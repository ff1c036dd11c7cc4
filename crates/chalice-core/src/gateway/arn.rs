//! The `execute-api` ARNs of the gateway emulation: the `methodArn` API Gateway gives a
//! built-in authorizer, and IAM's wildcard matching of the ARNs its answer allows.
//!
//! `arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH`, where PATH is the request
//! path without its leading `/`: the root is `.../GET/` (Chalice's own test of
//! `AuthRoute('/')` uses that ARN; its local server alone writes `.../GET//`, which no
//! `AuthRoute('/')` policy matches, so we follow the deployed API).

/// The account of the local API: Chalice's placeholder (`LocalARNBuilder`), in the ARNs and
/// in `requestContext.accountId` alike.
pub(crate) const LOCAL_ACCOUNT_ID: &str = "123456789012";
/// The id of the local API: Chalice's placeholder, in the ARNs and `requestContext.apiId`.
pub(crate) const LOCAL_API_ID: &str = "ymy8tbxw7b";

/// The region, account and API id of locally built ARNs: Chalice's placeholders, so that
/// authorizers written against `chalice local` see the same ARNs here.
const LOCAL_PREFIX: &str = "arn:aws:execute-api:mars-west-1:123456789012:ymy8tbxw7b";

/// The `methodArn` API Gateway would send for `method` on the concrete `path` (Chalice's
/// `LocalARNBuilder`). A trailing slash is dropped, as routing ignores it.
pub(crate) fn local_method_arn(stage: &str, method: &str, path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    let path = path.strip_prefix('/').unwrap_or(path);
    let path = path.strip_suffix('/').unwrap_or(path);
    format!("{LOCAL_PREFIX}/{stage}/{method}/{path}")
}

/// Whether IAM resource `pattern` matches `arn`: `*` is any run of characters (`/`
/// included), `?` any one character (Chalice's `ARNMatcher`).
pub(crate) fn matches(pattern: &str, arn: &str) -> bool {
    let (pattern, arn) = (pattern.as_bytes(), arn.as_bytes());
    // The classic wildcard walk: remember the last `*` and how much of `arn` it has taken,
    // and let it take one more character on a mismatch. Linear in practice, never
    // exponential.
    let (mut p, mut a) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while a < arn.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, a));
                p += 1;
            }
            Some(&c) if c == b'?' || c == arn[a] => {
                p += 1;
                a += 1;
            }
            _ => match star {
                Some((star_p, star_a)) => {
                    p = star_p + 1;
                    a = star_a + 1;
                    star = Some((star_p, star_a + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_arns_follow_chalice() {
        let base = "arn:aws:execute-api:mars-west-1:123456789012:ymy8tbxw7b/api";
        // (method, path, ARN after the base)
        let cases = [
            ("GET", "/resource", "/GET/resource"),
            ("GET", "/", "/GET/"),
            ("GET", "/path/to/resource", "/GET/path/to/resource"),
            ("*", "/resource", "/*/resource"),
            ("*", "/resource?foo=bar", "/*/resource"),
            ("PUT", "/users/", "/PUT/users"),
        ];
        for (method, path, expected) in cases {
            assert_eq!(
                local_method_arn("api", method, path),
                format!("{base}{expected}"),
                "{method} {path}"
            );
        }
    }

    #[test]
    fn patterns_match_as_chalice_matches_them() {
        // Chalice's tests/unit/test_local.py, test_can_allow/deny_route_arns.
        let p = "arn:aws:execute-api:";
        let cases = [
            (
                "mars-west-2:123456789012:ymy8tbxw7b/api/GET/foo",
                "mars-west-2:123456789012:ymy8tbxw7b/api/GET/foo",
                true,
            ),
            (
                "mars-west-1:123456789012:ymy8tbxw7b/api/GET/foobar",
                "mars-west-1:123456789012:ymy8tbxw7b/api/GET/*",
                true,
            ),
            (
                "mars-west-1:123456789012:ymy8tbxw7b/api/PUT/foobar",
                "mars-west-1:123456789012:ymy8tbxw7b/api/???/foobar",
                true,
            ),
            (
                "mars-west-1:123456789012:ymy8tbxw7b/api/GET/foobar",
                "mars-west-1:123456789012:ymy8tbxw7b/api/???/*",
                true,
            ),
            (
                "mars-west-1:123456789012:ymy8tbxw7b/api/GET/foobar",
                "mars-west-1:123456789012:*/api/GET/*",
                true,
            ),
            (
                "mars-west-2:123456789012:ymy8tbxw7b/api/GET/foobar",
                "*",
                true,
            ),
            (
                "mars-west-2:123456789012:ymy8tbxw7b/api/GET/foo.bar",
                "mars-west-2:123456789012:ymy8tbxw7b/*/GET/*",
                true,
            ),
            (
                "mars-west-1:123456789012:ymy8tbxw7b/api/GET/foobar",
                "mars-west-1:123456789012:ymy8tbxw7b/api/PUT/*",
                false,
            ),
            (
                "mars-west-1:123456789012:ymy8tbxw7b/api/GET/foobar",
                "mars-west-1:123456789012:ymy8tbxw7b/api/??/foobar",
                false,
            ),
            (
                "mars-west-1:123456789012:ymy8tbxw7b/api/GET/foobar",
                "mars-west-2:123456789012:ymy8tbxw7b/api/???/*",
                false,
            ),
            (
                "mars-west-2:123456789012:ymy8tbxw7b/api/GET/foobar",
                "mars-west-2:123456789012:ymy8tbxw7b/*/GET/foo...",
                false,
            ),
            ("a/GET/", "a/GET/*", true),
            ("a/GET/x", "a/GET/", false),
            ("a/GET/users/bob/posts", "a/*/users/*", true),
        ];
        for (arn, pattern, expected) in cases {
            let (arn, pattern) = if pattern == "*" {
                (format!("{p}{arn}"), "*".to_owned())
            } else if arn.starts_with("a/") {
                (arn.to_owned(), pattern.to_owned())
            } else {
                (format!("{p}{arn}"), format!("{p}{pattern}"))
            };
            assert_eq!(matches(&pattern, &arn), expected, "{pattern} ~ {arn}");
        }
    }
}
