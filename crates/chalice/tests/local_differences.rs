//! The README's table "The local server and the test client, against `chalice local`", row
//! by row: each deliberate difference holds on the wire (the local server over a real
//! socket) and in the test client alike. The limits row is proven in chalice-local's tests,
//! the authorizer rows in tests/auth.rs.

mod common;

use std::sync::Arc;

use chalice::test::Client;
use chalice::{Chalice, Json, Request, Response, Route};
use chalice_core::adapter::Gateway;
use serde_json::json;

use common::{runtime, through_local_server};

fn app() -> Chalice {
    let mut app = Chalice::new("differences");
    app.register(Route::new("/items", || Json(json!(["a", "b"]))).methods(["GET", "HEAD"]));
    app.register(Route::new("/cors", || "{}").cors(true));
    app.route("/tag", |request: &Request| {
        Json(json!(request.header("x-tag")))
    });
    app.route("/typed", || {
        Response::new("plain").header("content-type", "text/plain")
    });
    app.route("/bytes", || Response::new(vec![1_u8, 2]));
    app.route("/nan", || {
        Json(json!({"x": 1.5, "y": f64::NAN})).0.to_string()
    });
    app.route("/nan-json", || Json(vec![f64::NAN, f64::INFINITY]));
    app.route("/vars", |request: &Request| {
        Json(json!({"stage_vars": request.stage_vars(), "path": request.context()["path"]}))
    });
    app
}

/// One row of the table: a request, and what it gets.
struct Case {
    row: &'static str,
    /// Method and path, then extra header lines.
    method: &'static str,
    target: &'static str,
    headers: &'static [(&'static str, &'static str)],
    status: u16,
    /// Headers that must come exactly once, with this value.
    once: &'static [(&'static str, &'static str)],
    body: &'static [u8],
}

const CASES: &[Case] = &[
    Case {
        row: "an unregistered method: API Gateway's 403, not the app's 405",
        method: "DELETE",
        target: "/items",
        headers: &[],
        status: 403,
        once: &[("content-type", "application/json")],
        body: br#"{"message":"Missing Authentication Token"}"#,
    },
    Case {
        row: "HEAD: no body, the length GET would have",
        method: "HEAD",
        target: "/items",
        headers: &[],
        status: 200,
        once: &[("content-length", "9")],
        body: b"",
    },
    Case {
        row: "a CORS preflight: API Gateway's mock answer, with its Content-Type",
        method: "OPTIONS",
        target: "/cors",
        headers: &[("Origin", "https://app.example")],
        status: 200,
        once: &[
            ("content-type", "application/json"),
            ("access-control-allow-origin", "*"),
            ("access-control-allow-methods", "GET,OPTIONS"),
        ],
        body: b"",
    },
    Case {
        row: "a repeated request header: its last value",
        method: "GET",
        target: "/tag",
        headers: &[("X-Tag", "first"), ("X-Tag", "last")],
        status: 200,
        once: &[],
        body: br#""last""#,
    },
    Case {
        row: "a view's lower-case content-type: one Content-Type header",
        method: "GET",
        target: "/typed",
        headers: &[],
        status: 200,
        once: &[("content-type", "text/plain")],
        body: b"plain",
    },
    Case {
        row: "Response::new(bytes): application/octet-stream, a binary type",
        method: "GET",
        target: "/bytes",
        headers: &[("Accept", "application/octet-stream")],
        status: 200,
        once: &[("content-type", "application/octet-stream")],
        body: b"\x01\x02",
    },
    Case {
        row: "Response::new(bytes) to a request that accepts no binary type: Chalice's 400",
        method: "GET",
        target: "/bytes",
        headers: &[("Accept", "application/json")],
        status: 400,
        once: &[("content-type", "application/json")],
        body: br#"{"Code":"BadRequest","Message":"Request did not specify an Accept header with application/octet-stream, The response has a Content-Type of application/octet-stream. If a response has a binary Content-Type then the request must specify an Accept header that matches."}"#,
    },
    Case {
        row: "NaN in a JSON value: null",
        method: "GET",
        target: "/nan",
        headers: &[],
        status: 200,
        once: &[],
        body: br#"{"x":1.5,"y":null}"#,
    },
    Case {
        row: "NaN and infinities in Json: null",
        method: "GET",
        target: "/nan-json",
        headers: &[],
        status: 200,
        once: &[("content-type", "application/json")],
        body: b"[null,null]",
    },
    Case {
        row: "stageVariables null; requestContext.path under the stage",
        method: "GET",
        target: "/vars",
        headers: &[],
        status: 200,
        once: &[],
        body: br#"{"stage_vars":null,"path":"/api/vars"}"#,
    },
];

#[test]
fn every_difference_from_chalice_local_holds_on_both_local_doors() {
    let runtime = runtime();
    let client = Client::new(app());
    for case in CASES {
        let row = case.row;
        let mut head = format!("{} {} HTTP/1.1\r\nHost: x", case.method, case.target);
        for (name, value) in case.headers {
            head.push_str(&format!("\r\n{name}: {value}"));
        }
        let gateway = Gateway::new(Arc::new(app()));
        let wire = runtime.block_on(through_local_server(gateway, &head, b""));
        assert_eq!(
            (wire.status, String::from_utf8_lossy(&wire.body)),
            (case.status, String::from_utf8_lossy(case.body)),
            "local server: {row}"
        );
        for (name, value) in case.once {
            let sent: Vec<&str> = wire
                .headers
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .collect();
            assert_eq!(sent, [*value], "local server: {row}: {name}");
        }

        let method = chalice::Method::from_bytes(case.method.as_bytes()).expect("a method");
        let mut request = client.http().request(method, case.target);
        for (name, value) in case.headers {
            request = request.header(name, value);
        }
        let response = request.send();
        assert_eq!(
            (response.status_code, &response.body[..]),
            (case.status, case.body),
            "test client: {row}"
        );
        for (name, value) in case.once {
            let sent: Vec<&str> = response.headers.get_all(name).collect();
            assert_eq!(sent, [*value], "test client: {row}: {name}");
        }
    }
}
