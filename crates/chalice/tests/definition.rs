//! SPEC §1: route definitions are checked when the app is built, with Chalice's wording and
//! the place in the source that made the mistake.

use chalice::{
    AuthRequest, AuthResponse, Blueprint, BlueprintOptions, Chalice, CognitoUserPoolAuthorizer,
    CorsConfig, DefinitionErrorKind, Route,
};

fn view() -> &'static str {
    "x"
}

fn other_view() -> &'static str {
    "y"
}

/// Registers each `(path, methods)` in order and returns the app's definition errors.
fn errors_of(routes: &[(&str, &[&str])]) -> Vec<String> {
    let mut app = Chalice::new("app");
    for (path, methods) in routes {
        app.register(Route::new(*path, view).methods(*methods));
    }
    match app.check() {
        Ok(()) => Vec::new(),
        Err(errors) => errors
            .errors()
            .iter()
            .map(|e| e.message().to_owned())
            .collect(),
    }
}

#[test]
fn path_rules_use_chalice_wording() {
    let get: &[&str] = &["GET"];
    let cases: &[(&str, &str)] = &[
        ("", "Route cannot be the empty string"),
        ("/foo/", "Route cannot end with a trailing slash: /foo/"),
        ("foo", "Route must start with a '/': foo"),
        (
            "/a//b",
            "Route cannot contain an empty path segment ('//'): /a//b",
        ),
        (
            "/a?b",
            "Route contains '?', which API Gateway does not allow in a path (use only a-z A-Z 0-9 . _ - and \
             {name} captures): /a?b",
        ),
        (
            "/users/x{name}",
            "Route captures must be whole path segments, as in /users/{name}: /users/x{name}",
        ),
        ("/{a}/{a}", "Route captures {a} more than once: /{a}/{a}"),
        (
            "/{p+}/x",
            "Greedy capture {p+} must be the last segment of the route: /{p+}/x",
        ),
    ];
    for (path, expected) in cases {
        let errors = errors_of(&[(path, get)]);
        assert_eq!(errors.len(), 1, "{path:?}: {errors:?}");
        assert_eq!(errors[0], *expected, "{path:?}");
    }
    for good in ["/", "/a", "/a.b-c_d/{id}", "/files/{proxy+}"] {
        assert_eq!(errors_of(&[(good, get)]), Vec::<String>::new(), "{good}");
    }
}

#[test]
fn duplicate_method_names_both_views() {
    let mut app = Chalice::new("app");
    let line = line!() + 1;
    app.register(Route::new("/a", view).methods(["GET", "POST"]));
    app.register(Route::new("/a", other_view).methods(["PUT", "GET"]));
    let errors = app.check().expect_err("duplicate GET");
    assert!(matches!(
        errors.errors()[0].kind(),
        DefinitionErrorKind::DuplicateMethod { method, .. } if method == "GET"
    ));
    assert_eq!(
        errors.errors()[0].message(),
        format!(
            "Duplicate method: 'GET' detected for route: '/a'\nbetween view functions: \"view\" and \
             \"other_view\". A specific method may only be specified once for a particular path.\n  \
             first: \"view\" (crates/chalice/tests/definition.rs:{line}:18)\n  \
             then:  \"other_view\" (crates/chalice/tests/definition.rs:{}:18)",
            line + 1
        )
    );
}

#[test]
fn mistakes_point_at_the_line_that_made_them() {
    let mut app = Chalice::new("app");
    let line = line!() + 1;
    app.route("/trailing/", view);
    let errors = app.check().expect_err("bad path");
    let location = errors.errors()[0].location();
    assert_eq!((location.file(), location.line()), (file!(), line));
    let text = errors.to_string();
    assert!(
        text.starts_with("the app's definition has 1 mistake:"),
        "{text}"
    );
    assert!(text.contains(&format!("--> {}:{line}:", file!())), "{text}");
}

#[test]
fn every_mistake_is_reported_not_just_the_first() {
    let get: &[&str] = &["GET"];
    let errors = errors_of(&[("/a/", get), ("b", get), ("/ok", get), ("/ok", get)]);
    assert_eq!(errors.len(), 3, "{errors:?}");
}

#[test]
fn methods_and_options_are_checked() {
    let cases: &[(&[&str], Option<&str>)] = &[
        (&["get", "post"], None),
        (
            &["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "POST"],
            None,
        ),
        (
            &["FETCH"],
            Some(
                "Unsupported method: 'FETCH' for route: '/m' of view function \"view\"; use one of GET, POST, \
                 PUT, PATCH, DELETE, HEAD, OPTIONS",
            ),
        ),
        (
            &[],
            Some("Route '/m' of view function \"view\" has no methods"),
        ),
    ];
    for (methods, expected) in cases {
        let errors = errors_of(&[("/m", methods)]);
        match expected {
            None => assert!(errors.is_empty(), "{methods:?}: {errors:?}"),
            Some(message) => assert_eq!(errors, [*message], "{methods:?}"),
        }
    }
}

#[test]
fn sibling_captures_with_different_names_conflict() {
    let get: &[&str] = &["GET"];
    let mut app = Chalice::new("app");
    let line = line!() + 1;
    app.register(Route::new("/users/{id}", view).methods(get));
    app.register(Route::new("/users/{name}/posts", other_view).methods(get));
    let errors = app.check().expect_err("a conflict");
    assert!(matches!(
        errors.errors()[0].kind(),
        DefinitionErrorKind::CaptureConflict { parent, .. } if parent == "/users"
    ));
    assert_eq!(
        errors.errors()[0].message(),
        format!(
            "Route /users/{{name}}/posts conflicts with route /users/{{id}}: API Gateway allows one variable path \
             part under /users ({{id}} there, {{name}} here); use the same capture name in both routes\n  \
             first: \"view\" ({file}:{line}:18)\n  then:  \"other_view\" ({file}:{}:18)",
            line + 1,
            file = file!(),
        )
    );
}

#[test]
fn cors_with_user_options_is_refused_as_chalice_deploy_does() {
    let mut app = Chalice::new("app");
    app.register(Route::new("/c", view).cors(true));
    app.register(Route::new("/c", other_view).methods(["OPTIONS"]));
    let errors = app.check().expect_err("cors and OPTIONS");
    assert_eq!(
        errors.errors()[0].message(),
        "Route entry cannot have both cors=True and methods=['OPTIONS', ...] configured.  When CORS is \
         enabled, an OPTIONS method is automatically added for you.  Please remove 'OPTIONS' from the list \
         of configured HTTP methods for: /c"
    );
}

#[test]
fn differing_cors_on_one_path_is_refused() {
    let mut app = Chalice::new("app");
    app.register(Route::new("/c", view).cors(true));
    app.register(
        Route::new("/c", other_view)
            .methods(["POST"])
            .cors_config(CorsConfig::new().allow_origin("https://a")),
    );
    let errors = app.check().expect_err("two cors configs");
    assert_eq!(
        errors.errors()[0].message(),
        "Route may not have multiple differing CORS configurations. Please ensure all views for \"/c\" that have \
         CORS configured have the same CORS configuration."
    );
}

#[test]
fn content_types_must_agree_on_binary_support() {
    let mut app = Chalice::new("app");
    app.register(
        Route::new("/u", view)
            .methods(["POST"])
            .content_types(["image/png", "application/json"]),
    );
    let errors = app.check().expect_err("mixed");
    assert_eq!(
        errors.errors()[0].message(),
        "In view function \"view\", the content_types ['image/png'] support binary and ['application/json'] do not. \
         All content_types must be consistent in their binary support."
    );
}

#[test]
fn route_defaults_match_chalice() {
    let mut app = Chalice::new("app");
    app.route("/d", view);
    let route = app.routes().next().expect("one route");
    assert_eq!(route.method(), "GET");
    assert_eq!(route.view_name(), "view");
    assert_eq!(route.content_types(), ["application/json"]);
    assert!(route.cors().is_none());
    assert!(!route.api_key_required());
    assert_eq!(route.authorizer(), None);

    let mut app = Chalice::new("app");
    app.register(
        Route::new("/o", view)
            .name("renamed")
            .api_key_required(true)
            .authorizer("my_auth")
            .authorization_type("CUSTOM")
            .authorizer_id("abc123"),
    );
    let route = app.routes().next().expect("one route");
    assert_eq!(
        (
            route.view_name(),
            route.api_key_required(),
            route.authorizer(),
            route.authorization_type(),
            route.authorizer_id()
        ),
        (
            "renamed",
            true,
            Some("my_auth"),
            Some("CUSTOM"),
            Some("abc123")
        )
    );
}

#[test]
fn closures_are_named_after_where_they_were_registered() {
    let mut app = Chalice::new("app");
    let line = line!() + 1;
    app.route("/c", || "closure");
    let name = app.routes().next().expect("one").view_name().to_owned();
    assert_eq!(name, format!("closure@{}:{line}", file!()));
}

#[test]
fn app_wide_cors_applies_to_routes_without_their_own() {
    let mut app = Chalice::new("app");
    app.route("/a", view);
    app.register(Route::new("/b", view).cors(false));
    app.api.cors = Some(CorsConfig::new());
    let cors: Vec<bool> = app.routes().map(|r| r.cors().is_some()).collect();
    assert_eq!(cors, [true, false]);
}

/// The name of a kind, to tell kinds apart in a table (the kinds are `#[non_exhaustive]`, so
/// they cannot be written out here).
fn kind_name(kind: &DefinitionErrorKind) -> &'static str {
    match kind {
        DefinitionErrorKind::InvalidPath(_) => "InvalidPath",
        DefinitionErrorKind::NoMethods { .. } => "NoMethods",
        DefinitionErrorKind::UnsupportedMethod { .. } => "UnsupportedMethod",
        DefinitionErrorKind::MethodListedTwice { .. } => "MethodListedTwice",
        DefinitionErrorKind::DuplicateMethod { .. } => "DuplicateMethod",
        DefinitionErrorKind::CaptureConflict { .. } => "CaptureConflict",
        DefinitionErrorKind::RouteConflict { .. } => "RouteConflict",
        DefinitionErrorKind::AuthorizerNameClash { .. } => "AuthorizerNameClash",
        DefinitionErrorKind::UnknownAuthorizer { .. } => "UnknownAuthorizer",
        DefinitionErrorKind::CorsWithOptions { .. } => "CorsWithOptions",
        DefinitionErrorKind::DifferingCors { .. } => "DifferingCors",
        DefinitionErrorKind::InconsistentContentTypes { .. } => "InconsistentContentTypes",
        DefinitionErrorKind::InvalidUrlPrefix { .. } => "InvalidUrlPrefix",
        _ => "a kind this test does not know",
    }
}

/// Each kind of mistake, with its whole message. Regression: a prefix check let 26 stray
/// spaces through in the middle of the unknown-authorizer message.
#[test]
fn every_kind_of_mistake_has_its_whole_message() {
    let auth = |_: &AuthRequest| AuthResponse::new("a");
    let pool = CognitoUserPoolAuthorizer::new("same", ["arn:aws:cognito-idp:x"]);
    // (what the app does wrong, the kind, the whole message)
    let cases: Vec<(Box<dyn Fn(&mut Chalice)>, &str, &str)> = vec![
        (
            Box::new(|app| {
                app.route("/users/", view);
            }),
            "InvalidPath",
            "Route cannot end with a trailing slash: /users/",
        ),
        (
            Box::new(|app| {
                app.register(Route::new("/m", view).methods([] as [&str; 0]));
            }),
            "NoMethods",
            "Route '/m' of view function \"view\" has no methods",
        ),
        (
            Box::new(|app| {
                app.register(Route::new("/m", view).methods(["get", "FETCH"]));
            }),
            "UnsupportedMethod",
            "Unsupported method: 'FETCH' for route: '/m' of view function \"view\"; use one of GET, POST, PUT, \
             PATCH, DELETE, HEAD, OPTIONS",
        ),
        (
            Box::new(|app| {
                app.register(Route::new("/m", view).methods(["GET", "get"]));
            }),
            "MethodListedTwice",
            "Duplicate method: 'GET' listed twice for route: '/m' of view function \"view\"",
        ),
        (
            Box::new(|app| {
                app.register(Route::new("/a", view).authorizer("missing_auth"));
            }),
            "UnknownAuthorizer",
            "Route /a uses authorizer \"missing_auth\", which the app does not declare (it declares none). \
             Declare it with app.authorizer(..) or app.add_authorizer(..), or set authorizer_id for one defined \
             outside the app.",
        ),
        (
            Box::new(move |app| {
                app.authorizer("first", auth);
                app.authorizer("second", auth);
                app.register(Route::new("/a", view).authorizer("third"));
            }),
            "UnknownAuthorizer",
            "Route /a uses authorizer \"third\", which the app does not declare (it declares \"first\", \
             \"second\"). Declare it with app.authorizer(..) or app.add_authorizer(..), or set authorizer_id for \
             one defined outside the app.",
        ),
        (
            Box::new(move |app| {
                app.authorizer("same", auth);
                app.register(Route::new("/b", view).authorizer(&pool));
            }),
            "AuthorizerNameClash",
            "Two different authorizers are named \"same\" (ChaliceAuthorizer and CognitoUserPoolAuthorizer): \
             give each its own name",
        ),
        (
            Box::new(|app| {
                app.register(Route::new("/c", view).cors(true));
                app.register(Route::new("/c", other_view).methods(["OPTIONS"]));
            }),
            "CorsWithOptions",
            "Route entry cannot have both cors=True and methods=['OPTIONS', ...] configured.  When CORS is \
             enabled, an OPTIONS method is automatically added for you.  Please remove 'OPTIONS' from the list \
             of configured HTTP methods for: /c",
        ),
        (
            Box::new(|app| {
                app.register(Route::new("/c", view).cors(true));
                let other = CorsConfig::new().allow_origin("https://a");
                app.register(
                    Route::new("/c", other_view)
                        .methods(["PUT"])
                        .cors_config(other),
                );
            }),
            "DifferingCors",
            "Route may not have multiple differing CORS configurations. Please ensure all views for \"/c\" that \
             have CORS configured have the same CORS configuration.",
        ),
        (
            Box::new(|app| {
                let types = ["image/png", "application/json", "image/jpeg"];
                app.register(
                    Route::new("/u", view)
                        .methods(["POST"])
                        .content_types(types),
                );
            }),
            "InconsistentContentTypes",
            "In view function \"view\", the content_types ['image/png', 'image/jpeg'] support binary and \
             ['application/json'] do not. All content_types must be consistent in their binary support.",
        ),
        (
            Box::new(|app| {
                let options = BlueprintOptions::new().url_prefix("v2");
                app.register_blueprint(&Blueprint::new("bp"), options);
            }),
            "InvalidUrlPrefix",
            "A blueprint's url_prefix must start with '/': \"v2\"",
        ),
        (
            Box::new(|app| {
                let options = BlueprintOptions::new().url_prefix("/v2/");
                app.register_blueprint(&Blueprint::new("bp"), options);
            }),
            "InvalidUrlPrefix",
            "A blueprint's url_prefix cannot end with a trailing slash: \"/v2/\"",
        ),
    ];
    for (mistake, kind, message) in &cases {
        let mut app = Chalice::new("app");
        mistake(&mut app);
        let errors = app.check().expect_err(message);
        assert_eq!(errors.errors().len(), 1, "{errors}");
        let error = &errors.errors()[0];
        assert_eq!(kind_name(error.kind()), *kind, "{message}");
        assert_eq!(error.message(), *message);
        assert_eq!(error.kind().to_string(), *message);
    }
}

#[test]
#[should_panic(expected = "Route cannot end with a trailing slash: /x/")]
fn the_test_client_refuses_a_broken_app() {
    let mut app = Chalice::new("app");
    app.route("/x/", view);
    let _ = chalice::test::Client::new(app);
}
