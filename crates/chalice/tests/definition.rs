//! SPEC §1: route definitions are checked when the app is built, with Chalice's wording and
//! the place in the source that made the mistake.

use chalice::{Chalice, CorsConfig, Route};

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
            "Route contains '?', which API Gateway does not allow in a path",
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
        assert!(errors[0].starts_with(expected), "{path:?}: {}", errors[0]);
    }
    for good in ["/", "/a", "/a.b-c_d/{id}", "/files/{proxy+}"] {
        assert_eq!(errors_of(&[(good, get)]), Vec::<String>::new(), "{good}");
    }
}

#[test]
fn duplicate_method_names_both_views() {
    let mut app = Chalice::new("app");
    app.register(Route::new("/a", view).methods(["GET", "POST"]));
    app.register(Route::new("/a", other_view).methods(["PUT", "GET"]));
    let errors = app.check().expect_err("duplicate GET");
    assert_eq!(
        errors.errors()[0].message(),
        "Duplicate method: 'GET' detected for route: '/a'\nbetween view functions: \"view\" and \"other_view\". \
         A specific method may only be specified once for a particular path.\n  \
         first: \"view\" (crates/chalice/tests/definition.rs:68:18)\n  \
         then:  \"other_view\" (crates/chalice/tests/definition.rs:69:18)"
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
            Some("Unsupported method: 'FETCH' for route: '/m'"),
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
            Some(prefix) => assert!(errors[0].starts_with(prefix), "{methods:?}: {errors:?}"),
        }
    }
}

#[test]
fn sibling_captures_with_different_names_conflict() {
    let get: &[&str] = &["GET"];
    let errors = errors_of(&[("/users/{id}", get), ("/users/{name}/posts", get)]);
    assert!(
        errors[0].starts_with("Route /users/{name}/posts conflicts with route /users/{id}"),
        "{errors:?}"
    );
}

#[test]
fn cors_with_user_options_is_refused_as_chalice_deploy_does() {
    let mut app = Chalice::new("app");
    app.register(Route::new("/c", view).cors(true));
    app.register(Route::new("/c", other_view).methods(["OPTIONS"]));
    let errors = app.check().expect_err("cors and OPTIONS");
    assert!(
        errors.errors()[0]
            .message()
            .starts_with("Route entry cannot have both cors=True and methods=['OPTIONS', ...]")
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

#[test]
#[should_panic(expected = "Route cannot end with a trailing slash: /x/")]
fn the_test_client_refuses_a_broken_app() {
    let mut app = Chalice::new("app");
    app.route("/x/", view);
    let _ = chalice::test::Client::new(app);
}
