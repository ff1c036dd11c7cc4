//! The `execute-api` ARNs an [`AuthResponse`](crate::AuthResponse) allows:
//! `arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH`, where PATH is the route's
//! path without its leading `/` (the root is `.../GET/`).

/// The ARN allowing `method` on route `path` for the API and stage of `method_arn`
/// (Chalice's `AuthResponse._generate_arn`). `*` as the path allows every path. Captures
/// (`{name}`, `{proxy+}`) become `*`: the policy must match concrete paths, and Chalice's
/// verbatim `{name}` never does.
pub(crate) fn resource(method_arn: &str, method: &str, path: &str) -> String {
    // arn:<partition>:<service>:<region>:<account-id>:<resource>; the resource starts with
    // API_ID/STAGE.
    let parts: Vec<&str> = method_arn.splitn(6, ':').collect();
    let (head, resource) = match parts.split_last() {
        Some((resource, head)) if !head.is_empty() => (Some(head.join(":")), *resource),
        _ => (None, method_arn),
    };
    let mut base = resource.split('/').take(2).collect::<Vec<_>>().join("/");
    base.push('/');
    base.push_str(method);
    base.push('/');
    if path == "*" {
        base.push('*');
    } else {
        let relative = path.strip_prefix('/').unwrap_or(path);
        let segments: Vec<&str> = relative
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') && segment.ends_with('}') {
                    "*"
                } else {
                    segment
                }
            })
            .collect();
        base.push_str(&segments.join("/"));
    }
    match head {
        Some(head) => format!("{head}:{base}"),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_keep_the_api_and_stage() {
        let arn = "arn:aws:execute-api:us-west-2:123:rest-api-id/dev/GET/needs/auth";
        let cases = [
            (
                "GET",
                "/a",
                "arn:aws:execute-api:us-west-2:123:rest-api-id/dev/GET/a",
            ),
            (
                "*",
                "*",
                "arn:aws:execute-api:us-west-2:123:rest-api-id/dev/*/*",
            ),
            (
                "GET",
                "/",
                "arn:aws:execute-api:us-west-2:123:rest-api-id/dev/GET/",
            ),
            (
                "POST",
                "/u/{id}",
                "arn:aws:execute-api:us-west-2:123:rest-api-id/dev/POST/u/*",
            ),
        ];
        for (method, path, expected) in cases {
            assert_eq!(resource(arn, method, path), expected, "{method} {path}");
        }
        // Not an ARN at all: the same steps, on what there is.
        assert_eq!(resource("api/stage", "GET", "/a"), "api/stage/GET/a");
    }
}
