//! SPEC §7: middleware, error handlers and blueprints, through the test client.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chalice::test::Client;
use chalice::{
    AuthRequest, AuthResponse, Blueprint, BlueprintOptions, Chalice, ChaliceError, EventType, Json,
    Next, Request, Response, Route,
};
use serde_json::json;

type Log = Arc<Mutex<Vec<String>>>;

fn tracing_middleware(app: &mut Chalice, log: &Log, name: &'static str) {
    let log = Arc::clone(log);
    app.middleware(EventType::All, move |request: Request, next: Next| {
        let log = Arc::clone(&log);
        async move {
            log.lock()
                .expect("log")
                .push(format!("{name} before {}", request.path()));
            let response = next.run(request).await;
            let outcome = match response.error() {
                None => format!("{name} after {}", response.status_code),
                Some(error) => format!("{name} saw error {}", error.status_code()),
            };
            log.lock().expect("log").push(outcome);
            response
        }
    });
}

#[test]
fn middleware_runs_in_registration_order_around_the_view() {
    let log: Log = Arc::default();
    let mut app = Chalice::new("mw");
    tracing_middleware(&mut app, &log, "outer");
    tracing_middleware(&mut app, &log, "inner");
    let view_log = Arc::clone(&log);
    app.route("/", move || {
        view_log.lock().expect("log").push("view".into());
        "hi"
    });
    app.route("/fails", || {
        Err::<String, _>(ChaliceError::not_found("gone"))
    });
    let client = Client::new(app);

    let response = client.http().get("/").send();
    assert_eq!((response.status_code, &*response.text()), (200, "hi"));
    assert_eq!(
        *log.lock().expect("log"),
        [
            "outer before /",
            "inner before /",
            "view",
            "inner after 200",
            "outer after 200"
        ]
    );

    log.lock().expect("log").clear();
    let response = client.http().get("/fails").send();
    assert_eq!(response.status_code, 404);
    assert_eq!(
        *log.lock().expect("log"),
        [
            "outer before /fails",
            "inner before /fails",
            "inner saw error 404",
            "outer saw error 404"
        ]
    );

    // API Gateway's own answers never reach the app or its middleware.
    log.lock().expect("log").clear();
    assert_eq!(client.http().get("/nowhere").send().status_code, 403);
    assert!(log.lock().expect("log").is_empty());
}

#[test]
fn middleware_short_circuits_changes_responses_and_recovers_errors() {
    let mut app = Chalice::new("mw");
    app.middleware(EventType::Http, |request: Request, next: Next| async move {
        if request.headers().get("x-block").is_some() {
            return Ok(Response::new("blocked").status_code(429));
        }
        let response = next.run(request).await;
        let mut response = match response.error() {
            // Turn a view's 404 into a friendlier 200.
            Some(error) if error.status_code() == 404 => Response::new("fallback"),
            // A middleware's own error keeps its status (Chalice makes it a 500).
            Some(error) if error.status_code() == 409 => {
                return Err(ChaliceError::too_many_requests("slow down"));
            }
            _ => response,
        };
        response.headers.insert("x-middleware", "yes");
        Ok(response)
    });
    app.register(Route::new("/", || "view").cors(true));
    app.route("/missing", || {
        Err::<String, _>(ChaliceError::not_found("nope"))
    });
    app.route("/broken", || {
        Err::<String, _>(ChaliceError::bad_request("bad"))
    });
    app.route("/busy", || Err::<String, _>(ChaliceError::conflict("busy")));
    let client = Client::new(app);

    let response = client.http().get("/").send();
    assert_eq!((response.status_code, &*response.text()), (200, "view"));
    assert_eq!(response.headers.get("x-middleware"), Some("yes"));
    // The route's CORS headers still go on after the middleware.
    assert_eq!(
        response.headers.get("access-control-allow-origin"),
        Some("*")
    );

    let response = client.http().get("/").header("x-block", "1").send();
    assert_eq!((response.status_code, &*response.text()), (429, "blocked"));
    assert_eq!(
        response.headers.get("access-control-allow-origin"),
        Some("*")
    );

    let response = client.http().get("/missing").send();
    assert_eq!((response.status_code, &*response.text()), (200, "fallback"));

    let response = client.http().get("/broken").send();
    assert_eq!(response.status_code, 400);
    assert_eq!(response.json()["Code"], "BadRequestError");
    assert_eq!(response.headers.get("x-middleware"), Some("yes"));

    let response = client.http().get("/busy").send();
    assert_eq!(
        (response.status_code, response.json()),
        (
            429,
            json!({"Code": "TooManyRequestsError", "Message": "slow down"})
        )
    );
}

#[test]
fn middleware_can_replace_the_request_the_view_sees() {
    let mut app = Chalice::new("mw");
    app.middleware(EventType::Http, |request: Request, next: Next| async move {
        let user = request
            .headers()
            .get("x-user")
            .unwrap_or("anonymous")
            .to_uppercase();
        let rewritten = Request::builder(request.method().clone(), request.path().to_owned())
            .headers(request.headers().clone())
            .header("x-user", user)
            .build();
        next.run(rewritten).await
    });
    app.route("/", || {
        let request = chalice::current_request().expect("a current request");
        request
            .headers()
            .get("x-user")
            .unwrap_or_default()
            .to_owned()
    });
    let client = Client::new(app);
    assert_eq!(
        client.http().get("/").header("x-user", "bob").send().text(),
        "BOB"
    );
}

#[test]
fn middleware_can_change_the_request_in_place_and_keep_the_original_event() {
    let mut app = Chalice::new("mw");
    app.middleware(
        EventType::Http,
        |mut request: Request, next: Next| async move {
            let user = request
                .header("x-user")
                .unwrap_or("anonymous")
                .to_uppercase();
            request.headers_mut().insert("x-user", user);
            if request.header("x-empty-body").is_some() {
                request.set_body(r#"{"replaced": true}"#);
            }
            request.context_mut()["authorizer"] = json!({"principalId": "mw"});
            next.run(request).await
        },
    );
    app.register(
        Route::new("/", |request: &Request| {
            let event = request.to_original_event();
            Json(json!({
                "user": request.header("x-user"),
                "body": request.json_body().ok().flatten(),
                "principal": request.context()["authorizer"]["principalId"],
                "original_user": event["headers"]["x-user"],
                "current_user": chalice::current_request().and_then(|r| r.header("x-user").map(str::to_owned)),
            }))
        })
        .methods(["GET", "POST"]),
    );
    let client = Client::new(app);
    let cases = [
        (
            client.http().get("/").header("x-user", "bob"),
            json!({"user": "BOB", "body": null, "principal": "mw", "original_user": "bob", "current_user": "BOB"}),
        ),
        (
            client
                .http()
                .post("/")
                .json(&json!({"a": 1}))
                .header("x-empty-body", "1"),
            json!({"user": "ANONYMOUS", "body": {"replaced": true}, "principal": "mw", "original_user": null, "current_user": "ANONYMOUS"}),
        ),
    ];
    for (request, expected) in cases {
        let response = request.send();
        assert_eq!((response.status_code, response.json()), (200, expected));
    }
}

#[test]
fn a_panicking_middleware_is_a_500_not_a_crash() {
    let mut app = Chalice::new("mw");
    app.middleware(EventType::All, |_: Request, _: Next| async move {
        if true {
            panic!("middleware bug");
        }
        Ok::<_, ChaliceError>(Response::new("unreachable"))
    });
    app.route("/", || "hi");
    let client = Client::new(app);
    let response = client.http().get("/").send();
    assert_eq!(response.status_code, 500);
    assert_eq!(
        response.json(),
        json!({"Code": "InternalServerError", "Message": "An internal server error occurred."})
    );
    assert_eq!(client.http().get("/").send().status_code, 500);
}

#[derive(Debug)]
struct OutOfStock(&'static str);

impl fmt::Display for OutOfStock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is out of stock", self.0)
    }
}

impl std::error::Error for OutOfStock {}

#[derive(Debug)]
struct Wrapped(OutOfStock);

impl fmt::Display for Wrapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("order failed")
    }
}

impl std::error::Error for Wrapped {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[test]
fn error_handlers_map_user_errors_to_responses() {
    let mut app = Chalice::new("shop");
    app.error_handler(|error: &OutOfStock| {
        Json(json!({"error": error.to_string(), "item": error.0})).status_code(409)
    });
    app.error_handler(|_: &std::num::ParseIntError| {
        Err::<Response, _>(ChaliceError::bad_request("not a number"))
    });
    app.route("/tea", || -> Result<String, ChaliceError> {
        Err(OutOfStock("tea"))?
    });
    app.route("/order", || -> Result<String, ChaliceError> {
        Err(Wrapped(OutOfStock("cake")))?
    });
    app.route("/count", || -> Result<String, ChaliceError> {
        Ok("x".parse::<u8>()?.to_string())
    });
    app.route("/io", || -> Result<String, ChaliceError> {
        Err(std::io::Error::other("disk"))?
    });
    // A middleware's own error goes through the error handlers too; the middleware around
    // it gets the handler's answer, which still holds the error.
    app.middleware(EventType::Http, |request: Request, next: Next| async move {
        let mut response = next.run(request).await;
        let item = response
            .error()
            .and_then(|error| error.downcast_ref::<OutOfStock>())
            .map(|error| error.0);
        if let Some(item) = item {
            response.headers.insert("x-out-of-stock", item);
        }
        response
    });
    app.middleware(EventType::Http, |request: Request, next: Next| async move {
        if request.header("x-sold-out").is_some() {
            return Err(OutOfStock("everything").into());
        }
        Ok::<_, ChaliceError>(next.run(request).await)
    });
    let client = Client::new(app);

    let response = client.http().get("/io").header("x-sold-out", "1").send();
    assert_eq!(
        (response.status_code, response.json()["item"].clone()),
        (409, json!("everything"))
    );
    assert_eq!(response.headers.get("x-out-of-stock"), Some("everything"));
    assert_eq!(
        client
            .http()
            .get("/order")
            .send()
            .headers
            .get("x-out-of-stock"),
        Some("cake")
    );

    let response = client.http().get("/tea").send();
    assert_eq!(response.status_code, 409);
    assert_eq!(
        response.json(),
        json!({"error": "tea is out of stock", "item": "tea"})
    );
    // A cause deeper in the chain matches too.
    let response = client.http().get("/order").send();
    assert_eq!(
        (response.status_code, response.json()["item"].clone()),
        (409, json!("cake"))
    );
    // A handler may answer with one of Chalice's errors.
    let response = client.http().get("/count").send();
    assert_eq!(
        (response.status_code, response.json()),
        (
            400,
            json!({"Code": "BadRequestError", "Message": "not a number"})
        )
    );
    // Errors without a handler stay unhandled 500s.
    let response = client.http().get("/io").send();
    assert_eq!(response.status_code, 500);
    assert_eq!(response.json()["Code"], "InternalServerError");
}

trait StatusCode {
    fn status_code(self, code: u16) -> Response;
}

impl StatusCode for Json<serde_json::Value> {
    fn status_code(self, code: u16) -> Response {
        Response::new(self.0.to_string())
            .status_code(code)
            .header("content-type", "application/json")
    }
}

fn users_blueprint(log: &Log) -> Blueprint {
    let mut bp = Blueprint::new("users");
    bp.register(Route::new("/", || "all users").name("list"));
    bp.register(
        Route::new("/{name}", |r: &Request| {
            r.uri_param("name").unwrap_or_default().to_owned()
        })
        .name("get")
        .methods(["GET", "DELETE"]),
    );
    let auth = bp.authorizer("bp_auth", |r: &AuthRequest| {
        if r.token == "ok" {
            Ok(AuthResponse::new("bp-user").routes(["*"]))
        } else {
            Err(ChaliceError::unauthorized("no"))
        }
    });
    bp.register(
        Route::new("/me/secret", || "secret")
            .name("secret")
            .authorizer(&auth),
    );
    let log = Arc::clone(log);
    bp.middleware(EventType::Http, move |request: Request, next: Next| {
        let log = Arc::clone(&log);
        async move {
            log.lock()
                .expect("log")
                .push(format!("bp middleware {}", request.path()));
            next.run(request).await
        }
    });
    bp
}

#[test]
fn blueprints_bring_prefixed_routes_middleware_and_authorizers() {
    let log: Log = Arc::default();
    let mut app = Chalice::new("app");
    app.route("/", || "home");
    app.register_blueprint(
        &users_blueprint(&log),
        BlueprintOptions::new()
            .url_prefix("/users")
            .name_prefix("users_"),
    );
    app.register_blueprint(
        &users_blueprint(&log),
        BlueprintOptions::new().url_prefix("/v2/people/"),
    );
    let errors = app.check().expect_err("a trailing slash in a url_prefix");
    assert!(
        errors
            .to_string()
            .contains("A blueprint's url_prefix cannot end with a trailing slash: \"/v2/people/\""),
        "{errors}"
    );

    let mut app = Chalice::new("app");
    app.route("/", || "home");
    app.register_blueprint(
        &users_blueprint(&log),
        BlueprintOptions::new()
            .url_prefix("/users")
            .name_prefix("users_"),
    );
    let routes: Vec<String> = app
        .routes()
        .map(|r| format!("{} {} {}", r.method(), r.path(), r.view_name()))
        .collect();
    assert_eq!(
        routes,
        [
            "GET / {closure}",
            "GET /users users_list",
            "GET /users/{name} users_get",
            "DELETE /users/{name} users_get",
            "GET /users/me/secret users_secret",
        ]
        .map(|r| r.replace(
            "{closure}",
            app.routes().next().expect("a route").view_name()
        ))
    );
    let client = Client::new(app);
    assert_eq!(client.http().get("/users").send().text(), "all users");
    assert_eq!(client.http().delete("/users/bob").send().text(), "bob");
    assert_eq!(
        client.http().get("/users/me/secret").send().status_code,
        401
    );
    let response = client
        .http()
        .get("/users/me/secret")
        .header("Authorization", "ok")
        .send();
    assert_eq!((response.status_code, &*response.text()), (200, "secret"));
    // The blueprint's middleware applies app-wide, as Chalice's does.
    log.lock().expect("log").clear();
    assert_eq!(client.http().get("/").send().text(), "home");
    assert_eq!(*log.lock().expect("log"), ["bp middleware /"]);
}

#[test]
fn blueprint_conflicts_name_both_sides() {
    let log: Log = Arc::default();
    let mut app = Chalice::new("app");
    app.register(
        Route::new("/users/{name}", || "mine")
            .name("app_user")
            .methods(["DELETE"]),
    );
    app.register_blueprint(
        &users_blueprint(&log),
        BlueprintOptions::new().url_prefix("/users"),
    );
    let text = app.check().expect_err("a clash").to_string();
    assert!(
        text.contains("Duplicate method: 'DELETE' detected for route: '/users/{name}'"),
        "{text}"
    );
    assert!(
        text.contains("first: \"app_user\" (crates/chalice/tests/middleware.rs:"),
        "{text}"
    );
    assert!(
        text.contains("then:  \"get\" (crates/chalice/tests/middleware.rs:"),
        "{text}"
    );
    assert!(
        text.contains("blueprint \"users\" registered at crates/chalice/tests/middleware.rs:"),
        "{text}"
    );

    // A capture named differently at the same place in the tree.
    let mut app = Chalice::new("app");
    app.route("/users/{id}/posts", || "posts");
    app.register_blueprint(
        &users_blueprint(&log),
        BlueprintOptions::new().url_prefix("/users"),
    );
    let text = app.check().expect_err("a capture clash").to_string();
    assert!(
        text.contains("Route /users/{name} conflicts with route /users/{id}/posts"),
        "{text}"
    );
    assert!(text.contains("blueprint \"users\""), "{text}");
}

/// What a middleware does with `next.run`: awaits it in place, moves it to another task,
/// gives up on it (a timeout), or never calls it. Each way gets its answer, and a view that
/// was given up on stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn middleware_may_run_the_chain_on_another_task_or_give_up_on_it() {
    let mut app = Chalice::new("mw");
    for layer in ["outer", "inner"] {
        app.middleware(
            EventType::Http,
            move |request: Request, next: Next| async move {
                let mode = request
                    .header(&format!("x-{layer}"))
                    .unwrap_or("await")
                    .to_owned();
                let mut response = match mode.as_str() {
                    "spawn" => tokio::spawn(next.run(request))
                        .await
                        .expect("the spawned chain"),
                    "timeout" => {
                        match tokio::time::timeout(Duration::from_millis(500), next.run(request))
                            .await
                        {
                            Ok(response) => response,
                            Err(_) => Response::new("gave up").status_code(504),
                        }
                    }
                    "answer" => Response::new("answered"),
                    _ => next.run(request).await,
                };
                response.headers.append("x-layers", layer);
                response
            },
        );
    }
    let finished = Arc::new(AtomicBool::new(false));
    let slow_done = Arc::clone(&finished);
    app.route("/fast", || async { "fast" });
    app.route("/slow", move || {
        let done = Arc::clone(&slow_done);
        async move {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            done.store(true, Ordering::SeqCst);
            "slow"
        }
    });
    let client = Client::new(app);
    // (path, outer's mode, inner's mode, status, body, layers that saw the answer)
    let cases = [
        ("/fast", "await", "await", 200, "fast", "inner,outer"),
        ("/fast", "spawn", "await", 200, "fast", "inner,outer"),
        ("/fast", "await", "spawn", 200, "fast", "inner,outer"),
        ("/fast", "spawn", "spawn", 200, "fast", "inner,outer"),
        ("/fast", "timeout", "spawn", 200, "fast", "inner,outer"),
        ("/fast", "await", "answer", 200, "answered", "inner,outer"),
        ("/slow", "timeout", "await", 504, "gave up", "outer"),
        ("/slow", "timeout", "spawn", 504, "gave up", "outer"),
    ];
    for (path, outer, inner, status, body, layers) in cases {
        let response = client
            .http()
            .get(path)
            .header("x-outer", outer)
            .header("x-inner", inner)
            .await;
        let seen: Vec<&str> = response.headers.get_all("x-layers").collect();
        assert_eq!(
            (response.status_code, &*response.text(), seen.join(",")),
            (status, body, layers.to_owned()),
            "{path} outer={outer} inner={inner}"
        );
    }
    // The views given up on were dropped, not left running.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!finished.load(Ordering::SeqCst));
}
