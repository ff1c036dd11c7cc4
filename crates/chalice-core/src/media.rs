//! Media types: Chalice's content-type matching and API Gateway's binary types.

/// Chalice's default `api.binary_types`: bodies of these types are binary, base64-encoded
/// on Lambda.
pub const DEFAULT_BINARY_TYPES: [&str; 16] = [
    "application/octet-stream",
    "application/x-tar",
    "application/zip",
    "audio/basic",
    "audio/ogg",
    "audio/mp4",
    "audio/mpeg",
    "audio/wav",
    "audio/webm",
    "image/png",
    "image/jpg",
    "image/jpeg",
    "image/gif",
    "video/ogg",
    "video/mpeg",
    "video/webm",
];

/// Whether a `Content-Type` or `Accept` header value names one of `valid` types.
///
/// Chalice's rule, kept as is so that the same requests pass and fail: compare
/// case-insensitively; `*/*` in the header or in `valid` matches everything; otherwise split
/// the header on `,` and `;` and look for an exact type among the parts. So
/// `application/json; charset=utf-8` matches `application/json`, but `image/*` does not
/// match `image/png`.
pub(crate) fn matches_content_type<S: AsRef<str>>(header: &str, valid: &[S]) -> bool {
    // The usual header is one bare type (`application/json`): ASCII without `,`, `;` or
    // `*`, so no `*/*` and one part, itself. One pass over it, then the comparisons, instead
    // of the window scan and the split (half the cost, on every request with content types).
    if header
        .bytes()
        .all(|b| b.is_ascii() && !matches!(b, b',' | b';' | b'*'))
    {
        let part = header.trim();
        return valid
            .iter()
            .any(|v| v.as_ref() == "*/*" || part.eq_ignore_ascii_case(v.as_ref()));
    }
    // `*/*` has no letters: no lowercasing needed to find it. Nothing here allocates: this
    // runs on every response (`is_binary`) and every request with `content_types`. A
    // window scan, not `str::contains`, whose searcher costs more to set up than a header
    // takes to read.
    if has_any_type(header) || valid.iter().any(|v| v.as_ref() == "*/*") {
        return true;
    }
    header
        .split([',', ';'])
        .map(str::trim)
        .any(|part| valid.iter().any(|v| part.eq_ignore_ascii_case(v.as_ref())))
}

/// Whether `text` contains `*/*`.
fn has_any_type(text: &str) -> bool {
    text.as_bytes().windows(3).any(|window| window == b"*/*")
}

#[cfg(test)]
mod tests {
    use super::matches_content_type;

    #[test]
    fn chalice_matching_rules() {
        let json = ["application/json"];
        let cases: &[(&str, &[&str], bool)] = &[
            ("application/json", &json, true),
            ("Application/JSON", &json, true),
            ("application/json; charset=utf-8", &json, true),
            ("text/plain, application/json;q=0.9", &json, true),
            ("text/plain", &json, false),
            ("application/jsonp", &json, false),
            ("", &json, false),
            ("*/*", &json, true),
            ("text/html, */*;q=0.8", &json, true),
            ("*/", &json, false),
            ("text/*", &json, false),
            ("text/plain", &["*/*"], true),
            ("image/*", &["image/png"], false),
            ("IMAGE/PNG", &["image/png"], true),
            ("text/plain", &["Text/Plain"], true),
            ("anything", &[], false),
            (" application/json\t", &json, true),
            ("\u{b}application/json", &json, true),
            ("application/json\u{a0}", &json, true),
            ("application/jsonx", &["*/*", "text/plain"], true),
            (
                "text/plain; charset=utf-8",
                &["text/plain; charset=utf-8"],
                false,
            ),
        ];
        for (header, valid, expected) in cases {
            assert_eq!(
                matches_content_type(header, valid),
                *expected,
                "{header:?} in {valid:?}"
            );
        }
    }
}
