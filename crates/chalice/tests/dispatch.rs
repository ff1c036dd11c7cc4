//! SPEC §5: the dispatch rules, identical for every front door. These go through the test
//! client (gateway emulation + dispatch); `tests/local_server.rs` in chalice-local checks the
//! same answers over a real socket, and the Lambda adapter's tests over events.

use chalice::test::Client;
use chalice::{Chalice, ChaliceError, CorsConfig, Method, Request, Response, Route};
use chalice_core::adapter::RouteMatch;
use serde_json::json;

fn ok() -> &'static str {
    "ok"
}

#[test]
fn unknown_paths_and_methods_get_api_gateway_403() {
    let mut app = Chalice::new("gw");
    app.register(Route::new("/items", ok).methods(["GET", "POST"]));
    app.route("/items/{id}", ok);
    let client = Client::new(app);
    let token = r#"{"message":"Missing Authentication Token"}"#;
    // (method, target, status, body)
    let cases: &[(Method, &str, u16, &str)] = &[
        (Method::GET, "/items", 200, "ok"),
        (Method::GET, "/items/", 200, "ok"),
        (Method::POST, "/items", 200, "ok"),
        (Method::GET, "/items/7", 200, "ok"),
        (Method::GET, "/nope", 403, token),
        (Method::GET, "/items/7/more", 403, token),
        (Method::GET, "/Items", 403, token),
        (Method::DELETE, "/items", 403, token),
        (Method::PATCH, "/items/7", 403, token),
        (Method::OPTIONS, "/items", 403, token),
        (Method::HEAD, "/items", 403, ""),
    ];
    for (method, target, status, body) in cases {
        let response = client.http().request(method.clone(), target).send();
        assert_eq!(
            (response.status_code, &*response.text()),
            (*status, *body),
            "{method} {target}"
        );
        if *status == 403 {
            assert_eq!(
                response.headers.get("x-amzn-errortype"),
                Some("MissingAuthenticationTokenException")
            );
            assert_eq!(
                response.headers.get("content-type"),
                Some("application/json")
            );
        }
    }
}

#[test]
fn an_authorization_header_changes_api_gateway_403_wording() {
    let client = Client::new(Chalice::new("gw"));
    let response = client
        .http()
        .get("/nope")
        .header("Authorization", "Bearer abc")
        .send();
    assert_eq!(response.status_code, 403);
    assert_eq!(
        response.headers.get("x-amzn-errortype"),
        Some("IncompleteSignatureException")
    );
    assert!(
        response.json()["message"]
            .as_str()
            .expect("message")
            .ends_with("Authorization=Bearer abc")
    );
}

#[test]
fn the_app_itself_answers_405_with_allow_for_an_unregistered_method() {
    // API Gateway never lets such a request through, but a Lambda event can still carry one
    // (a test invoke, another integration); Chalice's handler answers 405 then.
    let mut app = chalice::Chalice::new("app");
    app.register(Route::new("/a", ok).methods(["GET", "POST"]));
    let route = RouteMatch::by_template(&app, "/a", &Method::PATCH).expect("the route /a");
    let request = Request::builder(Method::PATCH, "/a").build();
    let response = chalice::__private::block_on(route.handle(request));
    assert_eq!(response.status_code, 405);
    assert_eq!(response.headers.get("allow"), Some("GET, POST"));
    assert_eq!(
        response.body,
        r#"{"Code":"MethodNotAllowedError","Message":"Unsupported method: PATCH"}"#
    );
    // A template the app does not have is no route: its adapter answers (on Lambda, API
    // Gateway's 403), the app never sees it.
    assert!(RouteMatch::by_template(&app, "/unknown-template", &Method::GET).is_none());
}

#[test]
fn content_types_are_enforced_with_415() {
    let mut app = Chalice::new("ct");
    app.register(Route::new("/default", ok).methods(["POST"]));
    app.register(
        Route::new("/text", ok)
            .methods(["POST"])
            .content_types(["text/plain", "text/csv"]),
    );
    app.register(
        Route::new("/any", ok)
            .methods(["POST"])
            .content_types(Vec::<String>::new()),
    );
    app.register(
        Route::new("/star", ok)
            .methods(["POST"])
            .content_types(["*/*"]),
    );
    let client = Client::new(app);
    // (path, request content type, status)
    let cases: &[(&str, Option<&str>, u16)] = &[
        ("/default", None, 200),
        ("/default", Some("application/json"), 200),
        ("/default", Some("application/json; charset=utf-8"), 200),
        ("/default", Some("APPLICATION/JSON"), 200),
        ("/default", Some("text/plain"), 415),
        ("/default", Some("application/x-www-form-urlencoded"), 415),
        ("/default", Some("*/*"), 200),
        ("/text", Some("text/csv"), 200),
        ("/text", Some("text/plain; charset=utf-8"), 200),
        ("/text", None, 415),
        ("/text", Some("application/json"), 415),
        ("/any", Some("image/png"), 200),
        ("/any", None, 200),
        ("/star", Some("anything/else"), 200),
    ];
    for (path, content_type, status) in cases {
        let mut request = client.http().post(path);
        if let Some(ct) = content_type {
            request = request.header("Content-Type", ct);
        }
        let response = request.send();
        assert_eq!(response.status_code, *status, "{path} {content_type:?}");
        if *status == 415 {
            let shown = content_type.unwrap_or("application/json");
            assert_eq!(
                response.json(),
                json!({"Code": "UnsupportedMediaType", "Message": format!("Unsupported media type: {shown}")})
            );
        }
    }
}

#[test]
fn binary_responses_need_a_binary_accept() {
    let mut app = Chalice::new("bin");
    app.route("/png", || {
        Response::new(vec![0x89u8, b'P', b'N', b'G']).header("Content-Type", "image/png")
    });
    app.route("/octets", || vec![0u8, 1, 2]);
    app.route("/custom", || {
        Response::new("x").header("Content-Type", "application/x-custom")
    });
    app.route("/json", || json!({"a": 1}));
    app.api.binary_types.push("application/x-custom".to_owned());
    let client = Client::new(app);
    let message = |ct: &str| {
        format!(
            "Request did not specify an Accept header with {ct}, The response has a Content-Type of {ct}. If a \
             response has a binary Content-Type then the request must specify an Accept header that matches."
        )
    };
    // (path, accept, status)
    let cases: &[(&str, Option<&str>, u16)] = &[
        ("/png", Some("image/png"), 200),
        ("/png", Some("image/jpeg, image/png;q=0.9"), 200),
        ("/png", Some("application/octet-stream"), 200),
        ("/png", Some("*/*"), 200),
        ("/png", None, 400),
        ("/png", Some("text/html"), 400),
        ("/png", Some("image/*"), 400),
        ("/octets", Some("application/octet-stream"), 200),
        ("/octets", None, 400),
        ("/custom", Some("application/x-custom"), 200),
        ("/custom", None, 400),
        ("/json", None, 200),
        ("/json", Some("image/png"), 200),
    ];
    for (path, accept, status) in cases {
        let mut request = client.http().get(path);
        if let Some(accept) = accept {
            request = request.header("Accept", accept);
        }
        let response = request.send();
        assert_eq!(response.status_code, *status, "{path} {accept:?}");
        if *status == 400 {
            let ct = match *path {
                "/png" => "image/png",
                "/octets" => "application/octet-stream",
                _ => "application/x-custom",
            };
            assert_eq!(
                response.json(),
                json!({"Code": "BadRequest", "Message": message(ct)}),
                "{path}"
            );
        }
    }
    let png = client
        .http()
        .get("/png")
        .header("Accept", "image/png")
        .send();
    assert_eq!(
        &png.body[..],
        [0x89, b'P', b'N', b'G'],
        "bodies are raw bytes outside Lambda"
    );
}

fn cors_app() -> Client {
    let mut app = Chalice::new("cors");
    app.register(Route::new("/open", ok).methods(["GET", "POST"]).cors(true));
    app.register(
        Route::new(
            "/open/{id}",
            |r: &Request| -> Result<&'static str, ChaliceError> {
                match r.uri_param("id") {
                    Some("missing") => Err(ChaliceError::not_found("no such thing")),
                    Some("boom") => panic!("boom"),
                    _ => Ok("found"),
                }
            },
        )
        .methods(["GET", "PUT"])
        .cors_config(
            CorsConfig::new()
                .allow_origin("https://example.com")
                .allow_headers(["X-Special"])
                .expose_headers(["X-Total"])
                .max_age(600)
                .allow_credentials(true),
        ),
    );
    app.register(
        Route::new("/own", || {
            Response::new("x").header("Access-Control-Allow-Origin", "https://mine")
        })
        .cors(true),
    );
    app.route("/closed", ok);
    app.register(Route::new("/user-options", ok).methods(["OPTIONS"]));
    Client::new(app)
}

#[test]
fn cors_headers_are_on_every_response_of_the_route_errors_included() {
    let client = cors_app();
    let default_headers = "Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key";
    // (method, target, content type, status, allow origin)
    let cases: &[(Method, &str, Option<&str>, u16, &str)] = &[
        (Method::GET, "/open", None, 200, "*"),
        (Method::POST, "/open", Some("text/plain"), 415, "*"),
        (Method::GET, "/open/1", None, 200, "https://example.com"),
        (
            Method::GET,
            "/open/missing",
            None,
            404,
            "https://example.com",
        ),
        (Method::GET, "/open/boom", None, 500, "https://example.com"),
        (Method::GET, "/own", None, 200, "https://mine"),
    ];
    for (method, target, content_type, status, origin) in cases {
        let mut request = client.http().request(method.clone(), target);
        if let Some(ct) = content_type {
            request = request.header("Content-Type", ct);
        }
        let response = request.send();
        assert_eq!(response.status_code, *status, "{method} {target}");
        assert_eq!(
            response.headers.get("access-control-allow-origin"),
            Some(*origin),
            "{method} {target}"
        );
    }
    let response = client.http().get("/open").send();
    assert_eq!(
        response.headers.get("access-control-allow-headers"),
        Some(default_headers)
    );
    assert_eq!(response.headers.get("access-control-max-age"), None);
    let response = client.http().get("/open/1").send();
    assert_eq!(
        response.headers.get("access-control-allow-headers"),
        Some("Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key,X-Special")
    );
    assert_eq!(
        response.headers.get("access-control-expose-headers"),
        Some("X-Total")
    );
    assert_eq!(response.headers.get("access-control-max-age"), Some("600"));
    assert_eq!(
        response.headers.get("access-control-allow-credentials"),
        Some("true")
    );
    let response = client.http().get("/closed").send();
    assert_eq!(response.headers.get("access-control-allow-origin"), None);
}

#[test]
fn preflights_are_answered_by_the_gateway() {
    let client = cors_app();
    let response = client
        .http()
        .options("/open")
        .header("Origin", "https://x")
        .send();
    assert_eq!(response.status_code, 200);
    assert_eq!(
        response.headers.get("access-control-allow-methods"),
        Some("GET,POST,OPTIONS")
    );
    assert_eq!(
        response.headers.get("access-control-allow-origin"),
        Some("*")
    );
    assert_eq!(response.text(), "");
    let response = client.http().options("/open/7").send();
    assert_eq!(
        response.headers.get("access-control-allow-methods"),
        Some("GET,PUT,OPTIONS")
    );
    assert_eq!(
        response.headers.get("access-control-allow-origin"),
        Some("https://example.com")
    );
    assert_eq!(response.headers.get("access-control-max-age"), Some("600"));
    // No CORS: OPTIONS is just a method the path lacks.
    assert_eq!(client.http().options("/closed").send().status_code, 403);
    // A user-defined OPTIONS view answers itself.
    assert_eq!(client.http().options("/user-options").send().text(), "ok");
}

#[test]
fn app_wide_cors() {
    let mut app = Chalice::new("wide");
    app.api.cors = Some(CorsConfig::new().allow_origin("https://all"));
    app.route("/a", ok);
    app.register(Route::new("/b", ok).cors(false));
    let client = Client::new(app);
    assert_eq!(
        client
            .http()
            .get("/a")
            .send()
            .headers
            .get("access-control-allow-origin"),
        Some("https://all")
    );
    assert_eq!(
        client
            .http()
            .get("/b")
            .send()
            .headers
            .get("access-control-allow-origin"),
        None
    );
    assert_eq!(client.http().options("/a").send().status_code, 200);
}

#[test]
fn head_answers_carry_no_body() {
    let mut app = Chalice::new("head");
    app.register(Route::new("/h", || "twelve bytes").methods(["GET", "HEAD"]));
    let client = Client::new(app);
    let response = client.http().head("/h").send();
    assert_eq!(response.status_code, 200);
    assert!(response.body.is_empty());
    assert_eq!(response.headers.get("content-length"), Some("12"));
}

#[test]
fn bodies_over_ten_megabytes_get_413() {
    let mut app = Chalice::new("big");
    app.register(
        Route::new("/up", |r: &Request| r.raw_body().len().to_string())
            .methods(["POST"])
            .content_types(Vec::<String>::new()),
    );
    let client = Client::new(app);
    let limit = chalice_core::adapter::MAX_BODY_BYTES;
    assert_eq!(
        client
            .http()
            .post("/up")
            .body(vec![b'a'; limit])
            .send()
            .text(),
        limit.to_string()
    );
    let response = client.http().post("/up").body(vec![b'a'; limit + 1]).send();
    assert_eq!(
        (response.status_code, response.json()),
        (413, json!({"message": "Request Too Long"}))
    );
}
