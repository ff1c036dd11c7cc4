//! SPEC §7: authorizers and API keys, every allow and deny path, through the test client
//! (the same gateway emulation as `chalice local`).

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use chalice::test::Client;
use chalice::{
    AuthRequest, AuthResponse, AuthRoute, Chalice, ChaliceError, CognitoUserPoolAuthorizer,
    CustomAuthorizer, IamAuthorizer, Json, Request, Route,
};
use serde_json::{Value, json};

const UNAUTHORIZED: &str = r#"{"message":"Unauthorized"}"#;
const DENIED: &str = r#"{"Message": "User is not authorized to access this resource"}"#;

/// The authorizer context the view sees.
fn whoami(request: &Request) -> Json<Value> {
    Json(request.context()["authorizer"].clone())
}

/// Chalice's demo authorizer, grown: the token decides what the caller may do.
fn demo_auth(request: &AuthRequest) -> Result<AuthResponse, ChaliceError> {
    match request.token.as_str() {
        "allow" => Ok(AuthResponse::new("alice")
            .routes(["/private", "/users/{name}"])
            .route(AuthRoute::new("/items", ["GET"]))
            .context("plan", "gold")
            .context("level", 3)),
        "everything" => Ok(AuthResponse::new("root").routes(["*"])),
        "nothing" => Ok(AuthResponse::new("nobody")),
        "boom" => Err(std::io::Error::other("the user store is down").into()),
        "panic" => panic!("authorizer bug"),
        _ => Err(ChaliceError::unauthorized("bad token")),
    }
}

fn builtin_app() -> Chalice {
    let mut app = Chalice::new("auth");
    let auth = app.authorizer("demo_auth", demo_auth);
    app.register(Route::new("/private", whoami).authorizer(&auth));
    app.register(Route::new("/users/{name}", whoami).authorizer("demo_auth"));
    app.register(
        Route::new("/items", whoami)
            .methods(["GET", "POST"])
            .authorizer(&auth),
    );
    app.register(Route::new("/admin", whoami).authorizer(&auth));
    app.route("/public", || "public");
    app
}

#[test]
fn builtin_authorizer_allows_and_denies_as_api_gateway_does() {
    let client = Client::new(builtin_app());
    // (method, path, token, status, body or "" for the authorizer context check)
    let cases: &[(&str, &str, Option<&str>, u16, &str)] = &[
        ("GET", "/public", None, 200, "public"),
        ("GET", "/private", None, 401, UNAUTHORIZED),
        ("GET", "/private", Some(""), 401, UNAUTHORIZED),
        ("GET", "/private", Some("wrong"), 401, UNAUTHORIZED),
        ("GET", "/private", Some("allow"), 200, ""),
        ("GET", "/users/bob", Some("allow"), 200, ""),
        ("GET", "/items", Some("allow"), 200, ""),
        // The policy allows GET only on /items.
        ("POST", "/items", Some("allow"), 403, DENIED),
        ("GET", "/admin", Some("allow"), 403, DENIED),
        ("GET", "/admin", Some("everything"), 200, ""),
        ("POST", "/items", Some("everything"), 200, ""),
        ("GET", "/private", Some("nothing"), 403, DENIED),
        // An authorizer that fails (an error other than Unauthorized, or a panic) is API
        // Gateway's 500 with a null message.
        ("GET", "/private", Some("boom"), 500, r#"{"message":null}"#),
        ("GET", "/private", Some("panic"), 500, r#"{"message":null}"#),
    ];
    for (method, path, token, status, body) in cases {
        let mut request = client.http().request(method.parse().expect("method"), path);
        if let Some(token) = token {
            request = request.header("Authorization", token);
        }
        let response = request.send();
        assert_eq!(
            response.status_code,
            *status,
            "{method} {path} {token:?}: {}",
            response.text()
        );
        if !body.is_empty() {
            assert_eq!(response.text(), *body, "{method} {path} {token:?}");
        }
        let kind = response.headers.get("x-amzn-errortype");
        match status {
            401 => assert_eq!(kind, Some("UnauthorizedException")),
            403 => assert_eq!(kind, Some("AccessDeniedException")),
            500 => assert_eq!(kind, Some("AuthorizerConfigurationException")),
            _ => assert_eq!(kind, None),
        }
    }
}

#[test]
fn the_view_sees_the_principal_and_context() {
    let client = Client::new(builtin_app());
    let response = client
        .http()
        .get("/users/bob")
        .header("Authorization", "allow")
        .send();
    assert_eq!(
        response.json(),
        json!({"plan": "gold", "level": 3, "principalId": "alice"})
    );
}

#[test]
fn a_custom_header_carries_the_token() {
    let mut app = Chalice::new("hdr");
    let auth = chalice::ChaliceAuthorizer::new("key_auth", |r: &AuthRequest| {
        AuthResponse::new(r.token.clone()).routes(["*"])
    })
    .header("X-Token");
    app.register(Route::new("/", whoami).authorizer(&auth));
    let client = Client::new(app);
    let response = client.http().get("/").header("Authorization", "x").send();
    assert_eq!(response.status_code, 401);
    let response = client.http().get("/").header("x-token", "carol").send();
    assert_eq!(response.status_code, 200);
    assert_eq!(response.json()["principalId"], "carol");
}

#[test]
fn async_authorizers_and_method_arns() {
    let mut app = Chalice::new("arns");
    let auth = app.authorizer("arn_echo", |request: AuthRequest| async move {
        tokio::task::yield_now().await;
        AuthResponse::new("x")
            .routes(["*"])
            .context("arn", request.method_arn)
    });
    app.register(
        Route::new("/files/{path+}", whoami)
            .methods(["GET", "PUT"])
            .authorizer(&auth),
    );
    app.register(Route::new("/", whoami).authorizer(&auth));
    let client = Client::new(app);
    let base = "arn:aws:execute-api:mars-west-1:123456789012:ymy8tbxw7b/api";
    for (method, path, expected) in [
        ("GET", "/files/a/b.txt", "/GET/files/a/b.txt"),
        ("PUT", "/files/x", "/PUT/files/x"),
        ("GET", "/", "/GET/"),
    ] {
        let response = client
            .http()
            .request(method.parse().expect("method"), path)
            .header("Authorization", "t")
            .send();
        assert_eq!(response.status_code, 200, "{method} {path}");
        assert_eq!(response.json()["arn"], format!("{base}{expected}"));
    }
}

fn jwt(claims: &Value) -> String {
    let encode = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.c2lnbmF0dXJl",
        encode(&json!({"alg": "RS256", "kid": "k"})),
        encode(claims)
    )
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

#[test]
fn cognito_tokens_are_decoded_checked_and_passed_on() {
    let pool = CognitoUserPoolAuthorizer::new(
        "pool",
        ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"],
    );
    let mut app = Chalice::new("cognito");
    app.register(Route::new("/me", whoami).authorizer(&pool));
    app.register(Route::new("/admin", whoami).authorizer(pool.with_scopes(["admin", "root"])));
    let client = Client::new(app);

    let valid = jwt(
        &json!({"sub": "u-1", "cognito:username": "bob", "exp": now() + 600, "scope": "read admin"}),
    );
    let expired = jwt(&json!({"sub": "u-1", "exp": now() - 5}));
    let no_scope = jwt(&json!({"sub": "u-2", "exp": now() + 600, "scope": "read"}));
    // (path, token, status)
    let cases: Vec<(&str, Option<String>, u16)> = vec![
        ("/me", None, 401),
        ("/me", Some("not-a-jwt".into()), 401),
        ("/me", Some("a.b.c".into()), 401),
        ("/me", Some(expired), 401),
        ("/me", Some(valid.clone()), 200),
        ("/me", Some(format!("Bearer {valid}")), 200),
        ("/admin", Some(valid.clone()), 200),
        ("/admin", Some(no_scope), 401),
    ];
    for (path, token, status) in cases {
        let mut request = client.http().get(path);
        if let Some(token) = &token {
            request = request.header("Authorization", token);
        }
        let response = request.send();
        assert_eq!(response.status_code, status, "{path} {token:?}");
        if status == 401 {
            assert_eq!(response.text(), UNAUTHORIZED);
        }
    }
    let response = client
        .http()
        .get("/me")
        .header("Authorization", &valid)
        .send();
    let claims = &response.json()["claims"];
    assert_eq!(claims["cognito:username"], "bob");
    // API Gateway hands claims over as strings.
    assert_eq!(claims["exp"], (now() + 600).to_string());
}

#[test]
fn iam_requires_a_sigv4_shaped_signature() {
    let mut app = Chalice::new("iam");
    app.register(Route::new("/internal", || "ok").authorizer(IamAuthorizer::new()));
    let client = Client::new(app);

    let response = client.http().get("/internal").send();
    assert_eq!(response.status_code, 403);
    assert_eq!(
        response.text(),
        r#"{"message":"Missing Authentication Token"}"#
    );

    let response = client
        .http()
        .get("/internal")
        .header("Authorization", "Bearer xyz")
        .send();
    assert_eq!(response.status_code, 403);
    assert_eq!(
        response.headers.get("x-amzn-errortype"),
        Some("IncompleteSignatureException")
    );
    assert!(
        response.text().contains("requires 'Credential' parameter"),
        "{}",
        response.text()
    );

    let response = client
        .http()
        .get("/internal")
        .header(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/execute-api/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        )
        .header("X-Amz-Date", "20261124T120000Z")
        .send();
    assert_eq!((response.status_code, &*response.text()), (200, "ok"));
}

#[test]
fn custom_authorizers_need_their_token_header() {
    let uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:corp/invocations";
    let mut app = Chalice::new("custom");
    app.register(
        Route::new("/corp", || "ok")
            .authorizer(CustomAuthorizer::new("corp", uri).header("X-Corp")),
    );
    app.register(
        Route::new("/outside", || "ok")
            .authorizer("elsewhere")
            .authorizer_id("abc123"),
    );
    let client = Client::new(app);
    assert_eq!(client.http().get("/corp").send().status_code, 401);
    assert_eq!(
        client
            .http()
            .get("/corp")
            .header("X-Corp", "t")
            .send()
            .status_code,
        200
    );
    // An authorizer defined outside the app: nothing to run locally.
    assert_eq!(client.http().get("/outside").send().status_code, 200);
}

#[test]
fn api_keys_are_enforced_after_the_authorizer() {
    let mut app = Chalice::new("keys");
    let auth = app.authorizer("demo_auth", demo_auth);
    app.register(Route::new("/paid", || "paid").api_key_required(true));
    app.register(
        Route::new("/private", || "both")
            .api_key_required(true)
            .authorizer(&auth),
    );
    app.route("/free", || "free");
    let client = Client::new(app).api_keys(["key-1", "key-2"]);
    let forbidden = r#"{"message":"Forbidden"}"#;
    // (path, api key, token, status, body)
    let cases: &[(&str, Option<&str>, Option<&str>, u16, &str)] = &[
        ("/free", None, None, 200, "free"),
        ("/paid", None, None, 403, forbidden),
        ("/paid", Some("nope"), None, 403, forbidden),
        ("/paid", Some("key-1"), None, 200, "paid"),
        ("/paid", Some("key-2"), None, 200, "paid"),
        ("/private", Some("key-1"), None, 401, UNAUTHORIZED),
        ("/private", None, Some("allow"), 403, forbidden),
        ("/private", Some("key-1"), Some("allow"), 200, "both"),
    ];
    for (path, key, token, status, body) in cases {
        let mut request = client.http().get(path);
        if let Some(key) = key {
            request = request.header("x-api-key", key);
        }
        if let Some(token) = token {
            request = request.header("Authorization", token);
        }
        let response = request.send();
        assert_eq!(
            (response.status_code, &*response.text()),
            (*status, *body),
            "{path} key={key:?} token={token:?}"
        );
    }
    // Without keys configured, a key-protected route refuses everyone.
    let mut app = Chalice::new("nokeys");
    app.register(Route::new("/paid", || "paid").api_key_required(true));
    let client = Client::new(app);
    let response = client
        .http()
        .get("/paid")
        .header("x-api-key", "anything")
        .send();
    assert_eq!(response.status_code, 403);
}

#[test]
fn unknown_and_clashing_authorizers_are_definition_errors() {
    let mut app = Chalice::new("bad");
    app.register(Route::new("/a", || "a").authorizer("missing_auth"));
    let errors = app.check().expect_err("an unknown authorizer");
    assert_eq!(
        errors.errors()[0].message(),
        "Route /a uses authorizer \"missing_auth\", which the app does not declare (it declares none). \
         Declare it with app.authorizer(..) or app.add_authorizer(..), or set authorizer_id for one defined \
         outside the app."
    );
    let text = errors.to_string();
    assert!(text.contains("tests/auth.rs:"), "{text}");

    let mut app = Chalice::new("clash");
    app.authorizer("same", |_: &AuthRequest| AuthResponse::new("a"));
    app.register(
        Route::new("/b", || "b").authorizer(CognitoUserPoolAuthorizer::new(
            "same",
            ["arn:aws:cognito-idp:x"],
        )),
    );
    let text = app
        .check()
        .expect_err("two authorizers named alike")
        .to_string();
    assert!(
        text.contains("Two different authorizers are named \"same\" (ChaliceAuthorizer and CognitoUserPoolAuthorizer)"),
        "{text}"
    );
}

#[test]
fn the_manifest_lists_authorizers_and_scopes() {
    let mut app = Chalice::new("m");
    let auth = app.authorizer("demo_auth", demo_auth);
    let pool =
        CognitoUserPoolAuthorizer::new("pool", ["arn:aws:cognito-idp:us-east-1:1:userpool/p"]);
    app.register(Route::new("/a", || "a").authorizer(&auth));
    app.register(Route::new("/b", || "b").authorizer(pool.with_scopes(["admin"])));
    app.register(Route::new("/c", || "c").authorizer(IamAuthorizer::new()));
    let manifest = serde_json::to_value(app.manifest()).expect("json");
    assert_eq!(
        manifest["authorizers"],
        json!([
            {"name": "demo_auth", "type": "builtin", "header": "Authorization", "ttl_seconds": 300},
            {"name": "pool", "type": "cognito_user_pools", "provider_arns": ["arn:aws:cognito-idp:us-east-1:1:userpool/p"], "header": "Authorization"},
            {"name": "sigv4", "type": "iam"},
        ])
    );
    assert_eq!(manifest["routes"][1]["authorizer"], "pool");
    assert_eq!(
        manifest["routes"][1]["authorization_scopes"],
        json!(["admin"])
    );
}
