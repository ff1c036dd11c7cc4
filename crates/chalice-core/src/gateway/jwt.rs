//! Reading a JSON Web Token's claims, for the local emulation of Cognito user-pool
//! authorizers.
//!
//! Only the *shape* is checked here: three base64url parts, a JSON object header and
//! payload. The signature is not verified: that takes the user pool's keys, which only the
//! deployed API Gateway fetches. Locally a forged token passes; on AWS it does not.

use base64::Engine as _;
use serde_json::{Map, Value};

/// Base64url, padding optional: JWTs drop it, some tools keep it.
const URL_SAFE: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// The claims of `token` (an optional `Bearer ` prefix is ignored), or why it is not a JWT.
pub(crate) fn claims(token: &str) -> Result<Map<String, Value>, String> {
    let token = token.trim();
    let token = match token.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("bearer ") => token[7..].trim_start(),
        _ => token,
    };
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, _signature] = parts[..] else {
        return Err(format!(
            "it has {} dot-separated parts, not the three of a JWT (header.payload.signature)",
            parts.len()
        ));
    };
    object(header).map_err(|why| format!("its header {why}"))?;
    object(payload).map_err(|why| format!("its payload {why}"))
}

fn object(part: &str) -> Result<Map<String, Value>, &'static str> {
    let bytes = URL_SAFE.decode(part).map_err(|_| "is not base64url")?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err("is not a JSON object"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn encode(value: &Value) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
    }

    #[test]
    fn tokens_decode_or_say_why_not() {
        let header = encode(&json!({"alg": "RS256"}));
        let payload = encode(&json!({"sub": "abc", "cognito:username": "bob"}));
        let good = format!("{header}.{payload}.c2ln");
        let padded_payload = base64::engine::general_purpose::URL_SAFE
            .encode(json!({"sub": "abc", "cognito:username": "bob"}).to_string());
        assert!(padded_payload.ends_with('='), "the case needs padding");
        let padded = format!("{header}.{padded_payload}.");
        // (token, Ok(sub) or Err(reason))
        let cases: Vec<(String, Result<&str, &str>)> = vec![
            (good.clone(), Ok("abc")),
            (format!("Bearer {good}"), Ok("abc")),
            (format!("bearer  {good}"), Ok("abc")),
            (padded, Ok("abc")),
            (
                "abc".to_owned(),
                Err(
                    "it has 1 dot-separated parts, not the three of a JWT (header.payload.signature)",
                ),
            ),
            (
                format!("{header}.{payload}"),
                Err(
                    "it has 2 dot-separated parts, not the three of a JWT (header.payload.signature)",
                ),
            ),
            (
                format!("{header}.%%%.sig"),
                Err("its payload is not base64url"),
            ),
            (
                format!("{header}.{}.sig", encode(&json!([1]))),
                Err("its payload is not a JSON object"),
            ),
            (
                format!("{}.{payload}.sig", encode(&json!("x"))),
                Err("its header is not a JSON object"),
            ),
        ];
        for (token, expected) in cases {
            let got = claims(&token);
            match expected {
                Ok(sub) => assert_eq!(got.expect(&token)["sub"], sub),
                Err(reason) => assert_eq!(got.expect_err(&token), reason),
            }
        }
    }
}
