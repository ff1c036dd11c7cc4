//! `#[route]` through the app's public API: what a declaration registers, and what its
//! view answers (through the core's API Gateway emulation, no socket).

use std::sync::Arc;

use chalice::{Chalice, ChaliceError, Json, Method, Request, route};
use chalice_core::adapter::{Gateway, HttpRequest};
use serde_json::{Value, json};

#[route("/users/{name}/posts/{id}", methods = ["GET", "put"], cors = true)]
fn post(name: &str, id: u32, request: &Request) -> Result<Json<Value>, ChaliceError> {
    Ok(Json(
        json!({"name": name, "id": id, "method": request.method().as_str()}),
    ))
}

#[route("/")]
async fn index() -> &'static str {
    "hi"
}

#[route("/async/{id}", methods = ["POST"], content_types = ["text/plain"])]
async fn async_owned(id: i64, request: Request) -> String {
    // The request is owned by the future: borrowing it across an await is fine.
    let body = std::str::from_utf8(request.raw_body())
        .unwrap_or("?")
        .to_owned();
    std::future::ready(()).await;
    format!("{id}:{body}")
}

#[route("/async-ref/{word}")]
async fn async_borrowed(request: &Request, word: String) -> String {
    std::future::ready(()).await;
    format!("{word} {}", request.path())
}

#[route("/owned/{flag}", name = "renamed", api_key_required = true)]
#[allow(clippy::needless_pass_by_value)] // Guards the sync view that takes an owned request.
fn sync_owned(request: Request, flag: bool) -> String {
    format!("{flag} {}", request.path())
}

#[route(
    "/guarded",
    authorizer = "auth",
    authorization_type = "CUSTOM",
    authorizer_id = "abc123",
    content_types = []
)]
/// A public view at the crate root.
pub fn guarded() -> Json<Value> {
    Json(json!({"guarded": true}))
}

#[route("/files/{proxy+}")]
fn files(proxy: String) -> String {
    proxy
}

// `_unused` takes `{unused}`: accepted (and parsed) but not used.
#[route("/raw/{type}/{unused}")]
fn raw_and_unused(r#type: String, _unused: u8) -> String {
    r#type
}

#[route("/manual/{a}/{b}")]
fn manual(a: u16, request: &chalice::Request) -> Option<String> {
    // `{b}` has no parameter: the view reads it from the request.
    Some(format!("{a} {}", request.uri_param("b")?))
}

#[route("/fails/{why}")]
fn fails(why: &str) -> Result<&'static str, ChaliceError> {
    Err(ChaliceError::not_found(format!("No such thing: {why}")))
}

/// Views in a nested module.
pub mod nested {
    use chalice::route;

    /// A documented public view in a nested module.
    #[route("/nested/{n}")]
    pub fn deep(n: u8) -> String {
        format!("deep {n}")
    }

    #[route("/nested-private")]
    fn shallow() -> &'static str {
        "shallow"
    }

    pub(crate) fn routes() -> [chalice::Route; 1] {
        [shallow::route()]
    }
}

/// Line of the `#[route]` on `post`, for the location check.
const POST_LINE: u32 = 10;

fn app() -> Chalice {
    let mut app = Chalice::new("macros");
    app.register(post::route())
        .register(index::route())
        .register(async_owned::route())
        .register(async_borrowed::route())
        .register(sync_owned::route())
        .register(guarded::route())
        .register(files::route())
        .register(raw_and_unused::route())
        .register(manual::route())
        .register(fails::route())
        .register(nested::deep::route());
    for route in nested::routes() {
        app.register(route);
    }
    app
}

/// `(status, body)` of `method target` (with an optional text body) through API Gateway.
fn send(gateway: &Gateway, method: Method, target: &str, body: Option<&str>) -> (u16, String) {
    let mut request = HttpRequest::new(method, target);
    // `/owned/{flag}` has `api_key_required = true`.
    request
        .headers
        .insert("x-api-key", "test-key".parse().expect("a valid header"));
    if let Some(body) = body {
        request.body = body.to_owned().into();
        request.headers.insert(
            "content-type",
            "text/plain".parse().expect("a valid header"),
        );
    }
    let response = chalice_core::__private::block_on(gateway.handle(request));
    let body = String::from_utf8_lossy(&response.body).into_owned();
    (response.status_code, body)
}

#[test]
fn declarations_register_path_methods_name_and_options() {
    let app = app();
    app.check().expect("every macro route is valid");
    let routes: Vec<_> = app
        .routes()
        .map(|r| {
            (
                r.method().to_string(),
                r.path(),
                r.view_name(),
                r.cors().is_some(),
                r.api_key_required(),
                r.content_types().join(","),
                (r.authorizer(), r.authorization_type(), r.authorizer_id()),
            )
        })
        .collect();
    let json = "application/json".to_owned();
    let none = (None, None, None);
    let expected = [
        (
            "GET",
            "/users/{name}/posts/{id}",
            "post",
            true,
            false,
            json.clone(),
            none,
        ),
        (
            "PUT",
            "/users/{name}/posts/{id}",
            "post",
            true,
            false,
            json.clone(),
            none,
        ),
        ("GET", "/", "index", false, false, json.clone(), none),
        (
            "POST",
            "/async/{id}",
            "async_owned",
            false,
            false,
            "text/plain".to_owned(),
            none,
        ),
        (
            "GET",
            "/async-ref/{word}",
            "async_borrowed",
            false,
            false,
            json.clone(),
            none,
        ),
        (
            "GET",
            "/owned/{flag}",
            "renamed",
            false,
            true,
            json.clone(),
            none,
        ),
        (
            "GET",
            "/guarded",
            "guarded",
            false,
            false,
            String::new(),
            (Some("auth"), Some("CUSTOM"), Some("abc123")),
        ),
        (
            "GET",
            "/files/{proxy+}",
            "files",
            false,
            false,
            json.clone(),
            none,
        ),
        (
            "GET",
            "/raw/{type}/{unused}",
            "raw_and_unused",
            false,
            false,
            json.clone(),
            none,
        ),
        (
            "GET",
            "/manual/{a}/{b}",
            "manual",
            false,
            false,
            json.clone(),
            none,
        ),
        (
            "GET",
            "/fails/{why}",
            "fails",
            false,
            false,
            json.clone(),
            none,
        ),
        (
            "GET",
            "/nested/{n}",
            "deep",
            false,
            false,
            json.clone(),
            none,
        ),
        (
            "GET",
            "/nested-private",
            "shallow",
            false,
            false,
            json,
            none,
        ),
    ];
    let expected: Vec<_> = expected
        .into_iter()
        .map(|(m, p, n, c, k, ct, a)| (m.to_owned(), p, n, c, k, ct, a))
        .collect();
    assert_eq!(routes, expected);
}

#[test]
fn views_answer_with_typed_captures() {
    let gateway = Gateway::new(Arc::new(app())).api_keys(["test-key"]);
    let cases: &[(Method, &str, Option<&str>, u16, &str)] = &[
        (
            Method::GET,
            "/users/bob/posts/7",
            None,
            200,
            r#"{"name":"bob","id":7,"method":"GET"}"#,
        ),
        (
            Method::PUT,
            "/users/b%20b/posts/0",
            None,
            200,
            r#"{"name":"b b","id":0,"method":"PUT"}"#,
        ),
        (
            Method::GET,
            "/users/bob/posts/abc",
            None,
            400,
            r#"{"Code":"BadRequestError","Message":"Invalid value for URI parameter 'id': \"abc\" is not a valid u32 (invalid digit found in string)"}"#,
        ),
        (
            Method::GET,
            "/users/bob/posts/-1",
            None,
            400,
            r#"{"Code":"BadRequestError","Message":"Invalid value for URI parameter 'id': \"-1\" is not a valid u32 (invalid digit found in string)"}"#,
        ),
        (Method::GET, "/", None, 200, "hi"),
        (Method::POST, "/async/-3", Some("body"), 200, "-3:body"),
        (
            Method::POST,
            "/async/x",
            Some("body"),
            400,
            r#"{"Code":"BadRequestError","Message":"Invalid value for URI parameter 'id': \"x\" is not a valid i64 (invalid digit found in string)"}"#,
        ),
        (
            Method::GET,
            "/async-ref/hello",
            None,
            200,
            "hello /async-ref/{word}",
        ),
        (Method::GET, "/owned/true", None, 200, "true /owned/{flag}"),
        (
            Method::GET,
            "/owned/yes",
            None,
            400,
            r#"{"Code":"BadRequestError","Message":"Invalid value for URI parameter 'flag': \"yes\" is not a valid bool (provided string was not `true` or `false`)"}"#,
        ),
        (Method::GET, "/guarded", None, 200, r#"{"guarded":true}"#),
        (Method::GET, "/files/a/b/c.txt", None, 200, "a/b/c.txt"),
        (Method::GET, "/raw/kind/255", None, 200, "kind"),
        (
            Method::GET,
            "/raw/kind/256",
            None,
            400,
            r#"{"Code":"BadRequestError","Message":"Invalid value for URI parameter 'unused': \"256\" is not a valid u8 (number too large to fit in target type)"}"#,
        ),
        (Method::GET, "/manual/1/two", None, 200, "1 two"),
        (
            Method::GET,
            "/fails/it",
            None,
            404,
            r#"{"Code":"NotFoundError","Message":"No such thing: it"}"#,
        ),
        (Method::GET, "/nested/3", None, 200, "deep 3"),
        (Method::GET, "/nested-private", None, 200, "shallow"),
    ];
    for (method, target, body, status, expected) in cases {
        let answer = send(&gateway, method.clone(), target, *body);
        assert_eq!(
            answer,
            (*status, (*expected).to_owned()),
            "{method} {target}"
        );
    }
}

#[test]
fn views_stay_callable_directly() {
    let request = Request::builder(Method::PUT, "/users/{name}/posts/{id}").build();
    let Json(value) = post("ann", 3, &request).expect("the view succeeds");
    assert_eq!(value, json!({"name": "ann", "id": 3, "method": "PUT"}));
    assert_eq!(chalice_core::__private::block_on(index()), "hi");
    assert_eq!(files("a/b".to_owned()), "a/b");
    assert_eq!(nested::deep(1), "deep 1");
}

#[test]
fn routes_record_where_they_were_declared() {
    let app = app();
    let info = app.routes().next().expect("the first route is post's");
    assert_eq!(info.view_name(), "post");
    assert!(
        info.location().file().ends_with("route.rs"),
        "{}",
        info.location()
    );
    assert_eq!(info.location().line(), POST_LINE);
}

#[test]
fn the_route_builder_takes_what_literals_cannot() {
    let mut app = Chalice::new("builder");
    let cors = chalice::CorsConfig::new().allow_origin("https://example.com");
    app.register(index::route().cors_config(cors.clone()));
    let info = app.routes().next().expect("one route");
    assert_eq!(info.cors(), Some(&cors));
}

#[test]
fn views_declared_inside_a_function_work() {
    #[chalice::route("/local/{n}")]
    fn local(n: u32) -> String {
        (n * 2).to_string()
    }
    let mut app = chalice::Chalice::new("local");
    app.register(local::route());
    let gateway = Gateway::new(std::sync::Arc::new(app));
    let response = chalice_core::__private::block_on(
        gateway.handle(HttpRequest::new(Method::GET, "/local/21")),
    );
    assert_eq!(
        (response.status_code, &response.body[..]),
        (200, &b"42"[..])
    );
    assert_eq!(local(1), "2", "the view stays callable");
}
