//! Real API Gateway events through `handle_event`: one row per quirk of the two payloads.

mod common;

use common::{echo_app, fixture, patch, respond, unset};
use serde_json::{Value, json};

/// One quirk: an AWS sample event, patched, sent to an echo app with `routes`; `expect`
/// holds JSON pointers into `{"response": <API Gateway response>, "echo": <what the view
/// saw, or null>}` and the JSON text each must equal.
struct Case {
    quirk: &'static str,
    fixture: &'static str,
    patch: &'static [(&'static str, &'static str)],
    unset: &'static [&'static str],
    routes: &'static [&'static str],
    expect: &'static [(&'static str, &'static str)],
}

const V1: &str = "example-apigw-request.json";
const V2: &str = "example-apigw-v2-request-no-authorizer.json";

const CASES: &[Case] = &[
    // ---- REST API, payload 1.0 ----
    Case {
        quirk: "v1 sample: {proxy+} resource, body, query, stage variables",
        fixture: V1,
        patch: &[],
        unset: &[],
        routes: &["/{proxy+}"],
        expect: &[
            ("/response/statusCode", "200"),
            ("/echo/method", r#""POST""#),
            ("/echo/template", r#""/{proxy+}""#),
            ("/echo/uri_params", r#"{"proxy": "hello/world"}"#),
            ("/echo/query", r#"{"name": ["me"]}"#),
            ("/echo/body", r#""{\r\n\t\"a\": 1\r\n}""#),
            (
                "/echo/stage_vars",
                r#"{"stageVariableName": "stageVariableValue"}"#,
            ),
            ("/echo/headers/content-type", r#"["application/json"]"#),
            (
                "/echo/headers/x-forwarded-for",
                r#"["54.240.196.186, 54.182.214.83"]"#,
            ),
        ],
    },
    Case {
        quirk: "v1 repeated query key: multiValueQueryStringParameters has every value",
        fixture: "example-apigw-request-multi-value-parameters.json",
        patch: &[],
        unset: &[],
        routes: &["/{proxy+}"],
        expect: &[("/echo/query", r#"{"name": ["me", "me2"]}"#)],
    },
    Case {
        quirk: "v1 repeated header: multiValueHeaders wins over headers (last value only)",
        fixture: V1,
        patch: &[
            (
                "multiValueHeaders/Accept",
                r#"["text/html", "application/json"]"#,
            ),
            ("headers/Accept", r#""application/json""#),
        ],
        unset: &[],
        routes: &["/{proxy+}"],
        expect: &[(
            "/echo/headers/accept",
            r#"["text/html", "application/json"]"#,
        )],
    },
    Case {
        quirk: "v1 single-valued headers when multiValueHeaders is null",
        fixture: V1,
        patch: &[("multiValueHeaders", "null"), ("headers/X-Only", r#""1""#)],
        unset: &[],
        routes: &["/{proxy+}"],
        expect: &[("/echo/headers/x-only", r#"["1"]"#)],
    },
    Case {
        quirk: "v1 console test event: every map null",
        fixture: "example-apigw-console-test-request.json",
        patch: &[],
        unset: &[],
        routes: &["/myPath"],
        expect: &[
            ("/response/statusCode", "200"),
            ("/echo/method", r#""POST""#),
            ("/echo/headers", "{}"),
            ("/echo/query", "null"),
            ("/echo/uri_params", "null"),
            ("/echo/stage_vars", "null"),
        ],
    },
    Case {
        quirk: "v1 custom domain: path carries a base path, resource names the route",
        fixture: V1,
        patch: &[
            ("resource", r#""/users/{name}""#),
            ("path", r#""/v1/users/bob""#),
            ("pathParameters", r#"{"name": "bob"}"#),
            ("requestContext/resourcePath", r#""/users/{name}""#),
        ],
        unset: &[],
        routes: &["/users/{name}"],
        expect: &[
            ("/echo/template", r#""/users/{name}""#),
            ("/echo/uri_params", r#"{"name": "bob"}"#),
        ],
    },
    Case {
        quirk: "v1 resource unknown to the app ({proxy+} in front): routed by the filled template",
        fixture: V1,
        patch: &[("path", r#""/base/hello/world""#)],
        unset: &[],
        routes: &["/hello/{who}"],
        expect: &[
            ("/echo/template", r#""/hello/{who}""#),
            ("/echo/uri_params", r#"{"who": "world"}"#),
        ],
    },
    Case {
        quirk: "v1 without resource: routed by path, stage prefix stripped",
        fixture: V1,
        patch: &[("path", r#""/testStage/hello/world""#)],
        unset: &["resource", "requestContext/resourcePath"],
        routes: &["/hello/{who}"],
        expect: &[("/echo/template", r#""/hello/{who}""#)],
    },
    Case {
        quirk: "v1 + and %XX in a path: captures as sent, as a REST API passes them",
        fixture: V1,
        patch: &[
            ("path", r#""/files/a+b%20c%2Fd""#),
            ("pathParameters", "null"),
        ],
        unset: &["resource", "requestContext/resourcePath"],
        routes: &["/files/{name}"],
        expect: &[("/echo/uri_params", r#"{"name": "a+b%20c%2Fd"}"#)],
    },
    Case {
        quirk: "v1 path no route matches: API Gateway's 403",
        fixture: V1,
        patch: &[],
        unset: &[],
        routes: &["/other"],
        expect: &[
            ("/response/statusCode", "403"),
            (
                "/response/body",
                r#""{\"message\":\"Missing Authentication Token\"}""#,
            ),
            (
                "/response/headers/x-amzn-errortype",
                r#""MissingAuthenticationTokenException""#,
            ),
        ],
    },
    Case {
        quirk: "v1 HTTP API payload 1.0 (\"version\": \"1.0\") is a REST-shaped event",
        fixture: V1,
        patch: &[("version", r#""1.0""#)],
        unset: &[],
        routes: &["/{proxy+}"],
        expect: &[
            ("/response/statusCode", "200"),
            ("/response/multiValueHeaders", "{}"),
        ],
    },
    Case {
        quirk: "v1 base64 body is decoded",
        fixture: V1,
        patch: &[("isBase64Encoded", "true"), ("body", r#""AP9hYg==""#)],
        unset: &[],
        routes: &["/{proxy+}"],
        expect: &[("/echo/body_bytes", "[0, 255, 97, 98]")],
    },
    Case {
        quirk: "v1 body that is not the base64 it claims: 400 naming the problem",
        fixture: "hostile-invalid-base64.json",
        patch: &[],
        unset: &[],
        routes: &["/upload"],
        expect: &[
            ("/response/statusCode", "400"),
            (
                "/response/body",
                r#""{\"Code\":\"BadRequestError\",\"Message\":\"The request body is marked isBase64Encoded but is not valid base64: Invalid symbol 32, offset 4.\"}""#,
            ),
        ],
    },
    Case {
        quirk: "v1 null body is empty",
        fixture: V1,
        patch: &[("body", "null")],
        unset: &[],
        routes: &["/{proxy+}"],
        expect: &[("/echo/body_bytes", "[]")],
    },
    Case {
        quirk: "v1 method HTTP cannot carry: 400",
        fixture: V1,
        patch: &[("httpMethod", r#""GE T""#)],
        unset: &[],
        routes: &["/{proxy+}"],
        expect: &[
            ("/response/statusCode", "400"),
            (
                "/response/body",
                r#""{\"Code\":\"BadRequestError\",\"Message\":\"Invalid HTTP method: \\\"GE T\\\"\"}""#,
            ),
        ],
    },
    Case {
        quirk: "v1 method the route lacks: the app's 405 with Allow",
        fixture: V1,
        patch: &[("httpMethod", r#""OPTIONS""#)],
        unset: &[],
        routes: &["/{proxy+}"],
        expect: &[
            ("/response/statusCode", "405"),
            (
                "/response/headers/allow",
                r#""GET, POST, PUT, PATCH, DELETE""#,
            ),
        ],
    },
    // ---- HTTP API, payload 2.0 ----
    Case {
        quirk: "v2 sample: $default route key, routed by rawPath",
        fixture: V2,
        patch: &[],
        unset: &[],
        routes: &["/"],
        expect: &[
            ("/response/statusCode", "200"),
            ("/response/cookies", "[]"),
            ("/echo/method", r#""GET""#),
            ("/echo/template", r#""/""#),
            ("/echo/query", "null"),
            ("/echo/headers/user-agent", r#"["curl/7.58.0"]"#),
        ],
    },
    Case {
        quirk: "v2 minimal event: the fewest fields an HTTP API sends",
        fixture: "lambda-http-apigw_v2_proxy_request_minimal.json",
        patch: &[],
        unset: &[],
        routes: &["/"],
        expect: &[
            ("/response/statusCode", "200"),
            ("/echo/method", r#""GET""#),
            ("/echo/body_bytes", "[]"),
            ("/echo/uri_params", "null"),
        ],
    },
    Case {
        quirk: "v2 named stage in rawPath is stripped (aws-lambda-rust-runtime#782)",
        fixture: "lambda-http-apigw_v2_proxy_request_with_stage_in_path.json",
        patch: &[],
        unset: &[],
        routes: &["/my/path"],
        expect: &[
            ("/echo/template", r#""/my/path""#),
            ("/echo/method", r#""POST""#),
        ],
    },
    Case {
        quirk: "v2 repeated query keys stay apart (rawQueryString, not the comma-joined map)",
        fixture: "example-apigw-v2-request-jwt-authorizer.json",
        patch: &[],
        unset: &[],
        routes: &["/my/path"],
        expect: &[(
            "/echo/query",
            r#"{"parameter1": ["value1", "value2"], "parameter2": ["value"]}"#,
        )],
    },
    Case {
        quirk: "v2 cookies list becomes one Cookie header",
        fixture: "example-apigw-v2-request-jwt-authorizer.json",
        patch: &[],
        unset: &[],
        routes: &["/my/path"],
        expect: &[("/echo/headers/cookie", r#"["cookie1; cookie2"]"#)],
    },
    Case {
        quirk: "v2 comma-joined header values stay one value",
        fixture: "example-apigw-v2-request-multi-value-parameters.json",
        patch: &[],
        unset: &[],
        routes: &["/my/path"],
        expect: &[("/echo/headers/header2", r#"["value1,value2"]"#)],
    },
    Case {
        quirk: "v2 + and %XX in a query: + is a space, %XX decoded",
        fixture: V2,
        patch: &[("rawQueryString", r#""q=a+b%20c%2Bd&e=%E2%9C%93&e""#)],
        unset: &[],
        routes: &["/"],
        expect: &[("/echo/query", r#"{"q": ["a b c+d"], "e": ["✓", ""]}"#)],
    },
    Case {
        quirk: "v2 rawPath arrives decoded: a space",
        fixture: "lambda-http-apigw_request_path_with_space.json",
        patch: &[],
        unset: &[],
        routes: &["/my/{name}"],
        expect: &[("/echo/uri_params", r#"{"name": "path-with space"}"#)],
    },
    Case {
        quirk: "v2 rawPath arrives decoded: a literal % and + are not decoded again",
        fixture: V2,
        patch: &[("rawPath", r#""/files/100% off+more""#)],
        unset: &[],
        routes: &["/files/{name}"],
        expect: &[("/echo/uri_params", r#"{"name": "100% off+more"}"#)],
    },
    Case {
        quirk: "v2 route key names the template (SAM local event)",
        fixture: "example-apigw-sam-http-request.json",
        patch: &[],
        unset: &[],
        routes: &["/dump"],
        expect: &[
            ("/echo/template", r#""/dump""#),
            ("/echo/query", r#"{"foo": ["bar"]}"#),
            ("/echo/uri_params", "{}"),
        ],
    },
    Case {
        quirk: "v2 concrete method in the route key: requestContext.http not needed",
        fixture: "example-apigw-sam-http-request.json",
        patch: &[],
        unset: &["requestContext/http"],
        routes: &["/dump"],
        expect: &[("/echo/method", r#""GET""#)],
    },
    Case {
        quirk: "v2 ANY greedy {proxy+}: method from requestContext, captures from pathParameters",
        fixture: V2,
        patch: &[
            ("routeKey", r#""ANY /{proxy+}""#),
            ("rawPath", r#""/a/b/c""#),
            ("pathParameters", r#"{"proxy": "a/b/c"}"#),
            ("requestContext/http/method", r#""DELETE""#),
        ],
        unset: &[],
        routes: &["/{proxy+}"],
        expect: &[
            ("/echo/method", r#""DELETE""#),
            ("/echo/template", r#""/{proxy+}""#),
            ("/echo/uri_params", r#"{"proxy": "a/b/c"}"#),
        ],
    },
    Case {
        quirk: "v2 route key the app does not know: falls back to the path",
        fixture: V2,
        patch: &[
            ("routeKey", r#""GET /legacy/{id}""#),
            ("rawPath", r#""/items/7""#),
            ("pathParameters", r#"{"id": "7"}"#),
        ],
        unset: &[],
        routes: &["/items/{id}"],
        expect: &[
            ("/echo/template", r#""/items/{id}""#),
            ("/echo/uri_params", r#"{"id": "7"}"#),
        ],
    },
    Case {
        quirk: "v2 path no route matches: HTTP API's 404",
        fixture: V2,
        patch: &[],
        unset: &[],
        routes: &["/nothing"],
        expect: &[
            ("/response/statusCode", "404"),
            ("/response/body", r#""{\"message\":\"Not Found\"}""#),
        ],
    },
    Case {
        quirk: "v2 base64 body without padding is decoded",
        fixture: V2,
        patch: &[("isBase64Encoded", "true"), ("body", r#""AP9hYg""#)],
        unset: &[],
        routes: &["/"],
        expect: &[("/echo/body_bytes", "[0, 255, 97, 98]")],
    },
    Case {
        quirk: "v2 empty body",
        fixture: V2,
        patch: &[("body", r#""""#)],
        unset: &[],
        routes: &["/"],
        expect: &[("/echo/body_bytes", "[]")],
    },
];

#[test]
fn quirks() {
    for case in CASES {
        let mut event = fixture(case.fixture);
        for (pointer, value) in case.patch {
            let value = serde_json::from_str(value).expect("patch JSON");
            patch(&mut event, pointer, value);
        }
        for pointer in case.unset {
            unset(&mut event, pointer);
        }
        let app = echo_app(case.routes);
        let response = respond(&app, &event);
        let echo = response["body"]
            .as_str()
            .and_then(|b| serde_json::from_str::<Value>(b).ok())
            .filter(|b| b.get("template").is_some())
            .unwrap_or(Value::Null);
        let seen = json!({"response": response, "echo": echo});
        for (pointer, expected) in case.expect {
            let expected: Value = serde_json::from_str(expected).expect("expected JSON");
            assert_eq!(
                seen.pointer(pointer),
                Some(&expected),
                "{}: {pointer}\nresponse: {:#}",
                case.quirk,
                seen
            );
        }
    }
}
