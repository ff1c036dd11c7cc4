//! Checks before anything is built or written, as Chalice's `validate_configuration` runs
//! before a deploy or a package: every mistake at once, each naming what to change.
//!
//! The app binary already refuses definition mistakes when it prints its manifest (bad
//! paths, CORS beside a user-defined `OPTIONS`, ...), and `.chalice/config.json` is checked
//! as it is read (environment values are strings, subnets come with security groups, a role
//! ARN when the role is not managed). The checks here are the ones that need both the
//! manifest and the stage, or that guard what the templates can express: a manifest from
//! an older or hand-written app gets the same messages Chalice gives.

use chalice_manifest::{EventSource, Manifest};

use crate::config::{EndpointType, StageConfig};
use crate::error::UsageError;
use crate::templates::functions::builtin_authorizers;
use crate::templates::openapi::{Target, method_key, preflight, route_auth, routes_by_path};

/// Every reason `manifest` can't be deployed under `config`, or `Ok`.
pub fn validate(manifest: &Manifest, config: &StageConfig) -> Result<(), UsageError> {
    let mut problems = manifest_problems(manifest);
    let handler = config.api_handler();
    let role = |f: &crate::config::FunctionConfig| {
        (
            f.manage_iam_role,
            f.iam_role_arn.clone(),
            f.iam_policy_file.clone(),
        )
    };
    let authorizers = builtin_authorizers(manifest).unwrap_or_default();
    let names = authorizers.iter().map(|authorizer| authorizer.name).chain(
        manifest
            .functions
            .iter()
            .map(|function| function.name.as_str()),
    );
    for name in names {
        if role(&config.function(name)) != role(&handler) {
            problems.push(format!(
                "lambda_functions.{name}: its role (manage_iam_role, iam_role_arn, \
                 iam_policy_file) differs from the API handler's, and the functions chalice \
                 packages share one role; set the role for the stage instead"
            ));
        }
    }
    if config.api_gateway_endpoint_type == EndpointType::Private
        && config.api_gateway_endpoint_vpce.is_empty()
    {
        problems.push(
            "api_gateway_endpoint_vpce must be specified when using PRIVATE endpoint type \
             (in .chalice/config.json: the VPC endpoint ids that may call the API)"
                .to_owned(),
        );
    }
    match problems.as_slice() {
        [] => Ok(()),
        [one] => Err(UsageError(one.clone())),
        many => Err(UsageError(format!(
            "the app can't be packaged:\n  - {}",
            many.join("\n  - ")
        ))),
    }
}

/// Why `what` (`chalice package`, `chalice generate-models`) can't take the app: it has no
/// routes, and so no API to describe. `chalice deploy` takes such an app (event handlers
/// alone), as Chalice does, and deploys no API.
pub fn api_required(manifest: &Manifest, what: &str) -> Result<(), UsageError> {
    if manifest.routes.is_empty() {
        return Err(UsageError(format!(
            "the app has no routes, so it has no REST API for {what} to describe: register one \
             with app.route(\"/\", view)"
        )));
    }
    Ok(())
}

/// The mistakes of the manifest alone.
pub fn manifest_problems(manifest: &Manifest) -> Vec<String> {
    let mut problems = Vec::new();
    let has_websocket = manifest
        .websocket
        .as_ref()
        .is_some_and(|api| !api.routes.is_empty());
    // Routes are what a REST API needs; an app of event or WebSocket handlers alone
    // deploys without one.
    if manifest.routes.is_empty() && manifest.functions.is_empty() && !has_websocket {
        problems.push(
            "the app has no routes, event handlers or WebSocket handlers, so it has nothing \
             to describe or deploy: register a route with app.route(\"/\", view)"
                .to_owned(),
        );
    }
    for (path, routes) in routes_by_path(manifest) {
        if path.is_empty() {
            problems.push("Route cannot be the empty string".to_owned());
            continue;
        }
        if path != "/" && path.ends_with('/') {
            problems.push(format!("Route cannot end with a trailing slash: {path}"));
        }
        if !path.starts_with('/') {
            problems.push(format!("Route must start with a slash: {path}"));
        }
        if routes.iter().any(|r| r.cors.is_some())
            && routes
                .iter()
                .any(|r| r.method.eq_ignore_ascii_case("OPTIONS"))
        {
            problems.push(format!(
                "Route entry cannot have both cors=True and methods=['OPTIONS', ...] \
                 configured.  When CORS is enabled, an OPTIONS method is automatically added \
                 for you.  Please remove 'OPTIONS' from the list of configured HTTP methods \
                 for: {path}"
            ));
        } else if let Err(error) = preflight(path, &routes, Target::CloudFormation) {
            problems.push(error.0);
        }
        for (i, route) in routes.iter().enumerate() {
            if let Err(error) = method_key(route) {
                problems.push(error.0);
            } else if routes[..i]
                .iter()
                .any(|r| r.method.eq_ignore_ascii_case(&route.method))
            {
                problems.push(format!(
                    "Duplicate method: '{}' detected for route: '{path}' (view {})",
                    route.method, route.view_name
                ));
            }
            if let Err(error) = route_auth(manifest, route) {
                problems.push(error.0);
            }
            let (binary, text): (Vec<&String>, Vec<&String>) = route
                .content_types
                .iter()
                .partition(|ct| manifest.binary_types.contains(ct));
            if !binary.is_empty() && !text.is_empty() {
                problems.push(format!(
                    "In view function \"{}\", the content_types {binary:?} support binary and \
                     {text:?} do not. All content_types must be consistent in their binary \
                     support.",
                    route.view_name
                ));
            }
        }
    }
    if let Err(error) = builtin_authorizers(manifest) {
        problems.push(error.0);
    }
    problems.extend(fifo_problems(manifest));
    problems
}

/// What Lambda refuses of a mapping from a FIFO queue (a queue whose name ends in `.fifo`,
/// as SQS requires of FIFO queues): a batching window (Lambda's "Batching window is not
/// supported for FIFO queues", <https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html>)
/// and batches of more than 10 messages. Said here, naming the handler, rather than by
/// `CreateEventSourceMapping` in the middle of a deploy.
fn fifo_problems(manifest: &Manifest) -> Vec<String> {
    let mut problems = Vec::new();
    for function in &manifest.functions {
        let EventSource::Sqs {
            queue,
            queue_arn,
            batch_size,
            maximum_batching_window_in_seconds,
            ..
        } = &function.source
        else {
            continue;
        };
        let Some(queue) = queue_arn.as_ref().or(queue.as_ref()) else {
            continue;
        };
        if !queue.ends_with(".fifo") {
            continue;
        }
        let handler = &function.name;
        if *maximum_batching_window_in_seconds > 0 {
            problems.push(format!(
                "on_sqs_message handler \"{handler}\": {queue} is a FIFO queue, and Lambda has \
                 no batching window for FIFO queues: remove \
                 maximum_batching_window_in_seconds({maximum_batching_window_in_seconds})"
            ));
        }
        if *batch_size > 10 {
            problems.push(format!(
                "on_sqs_message handler \"{handler}\": {queue} is a FIFO queue, and Lambda \
                 takes at most 10 messages a batch from one: batch_size({batch_size}) is too \
                 many"
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use serde_json::{Value, json};

    fn route(path: &str, method: &str, extra: Value) -> Value {
        let mut route = json!({"path": path, "method": method, "view_name": "v",
            "content_types": ["application/json"]});
        if let (Some(route), Value::Object(extra)) = (route.as_object_mut(), extra) {
            route.extend(extra);
        }
        route
    }

    fn manifest(routes: &[Value], extra: Value) -> Manifest {
        let mut manifest = json!({"manifest_version": 1, "app_name": "a",
            "binary_types": ["image/png"], "routes": routes});
        if let (Some(manifest), Value::Object(extra)) = (manifest.as_object_mut(), extra) {
            manifest.extend(extra);
        }
        serde_json::from_value(manifest).expect("a manifest")
    }

    fn stage(config: &str) -> StageConfig {
        Config::parse(".chalice/config.json".into(), config)
            .and_then(|c| c.stage("dev"))
            .expect("a valid config")
    }

    #[test]
    fn mistakes_are_named() {
        let cors = json!({"cors": {"allow_origin": "*", "allow_headers": ["X"]}});
        let other_cors = json!({"cors": {"allow_origin": "https://a", "allow_headers": ["X"]}});
        let cases: Vec<(Vec<Value>, Value, &str)> = vec![
            (
                vec![],
                json!({}),
                "the app has no routes, event handlers or WebSocket handlers",
            ),
            (
                vec![route("/a/", "GET", json!({}))],
                json!({}),
                "Route cannot end with a trailing slash: /a/",
            ),
            (
                vec![route("", "GET", json!({}))],
                json!({}),
                "Route cannot be the empty string",
            ),
            (
                vec![route("a", "GET", json!({}))],
                json!({}),
                "Route must start with a slash: a",
            ),
            (
                vec![
                    route("/a", "GET", cors.clone()),
                    route("/a", "OPTIONS", json!({})),
                ],
                json!({}),
                "Route entry cannot have both cors=True and methods=['OPTIONS', ...] configured.",
            ),
            (
                vec![
                    route("/a", "GET", cors.clone()),
                    route("/a", "PUT", other_cors),
                ],
                json!({}),
                "may not have multiple differing CORS configurations",
            ),
            (
                vec![route("/a", "GET", json!({})), route("/a", "GET", json!({}))],
                json!({}),
                "Duplicate method: 'GET' detected for route: '/a'",
            ),
            (
                vec![route("/a", "TRACE", json!({}))],
                json!({}),
                "route TRACE /a (view v): API Gateway has no TRACE method",
            ),
            (
                vec![route(
                    "/a",
                    "POST",
                    json!({"content_types": ["image/png", "text/plain"]}),
                )],
                json!({}),
                r#"In view function "v", the content_types ["image/png"] support binary and ["text/plain"] do not."#,
            ),
            (
                vec![route("/a", "GET", json!({"authorizer": "missing"}))],
                json!({}),
                r#"route GET /a (view v): uses authorizer "missing", which the app does not define"#,
            ),
            (
                vec![route("/a", "GET", json!({"authorizer_id": "abc123"}))],
                json!({}),
                r#"route GET /a (view v): authorizer_id "abc123" refers to an authorizer outside the app"#,
            ),
            (
                vec![route("/a", "GET", json!({"authorization_type": "CUSTOM"}))],
                json!({}),
                "authorization_type CUSTOM needs an authorizer",
            ),
            (
                vec![route(
                    "/a",
                    "GET",
                    json!({"authorizer": "iam", "authorization_type": "CUSTOM"}),
                )],
                json!({"authorizers": [{"name": "iam", "type": "iam"}]}),
                r#"authorization_type CUSTOM contradicts its authorizer "iam" (AWS_IAM)"#,
            ),
            (
                vec![route(
                    "/a",
                    "GET",
                    json!({"cors": {"allow_origin": "it's", "allow_headers": []}}),
                )],
                json!({}),
                "can't hold a value with a single quote",
            ),
        ];
        let config = stage(r#"{"app_name": "a"}"#);
        for (routes, extra, expected) in cases {
            let manifest = manifest(&routes, extra);
            let error = validate(&manifest, &config).expect_err(expected).0;
            assert!(
                error.contains(expected),
                "want {expected:?}\n got {error:?}"
            );
        }
    }

    /// A regression test: the batching window was sent for FIFO queues too, which Lambda
    /// refuses mid-deploy.
    #[test]
    fn fifo_queues_take_no_batching_window_and_small_batches() {
        let sqs = |queue: &str, batch_size: u32, window: u32| {
            json!({"functions": [{"name": "worker", "source": "sqs", "queue": queue,
                "batch_size": batch_size, "maximum_batching_window_in_seconds": window,
                "maximum_concurrency": null, "report_batch_item_failures": false}]})
        };
        let arn = json!({"functions": [{"name": "worker", "source": "sqs",
            "queue_arn": "arn:aws:sqs:us-east-1:123456789012:orders.fifo",
            "batch_size": 10, "maximum_batching_window_in_seconds": 5,
            "maximum_concurrency": null, "report_batch_item_failures": false}]});
        let cases: &[(Value, Option<&str>)] = &[
            (sqs("orders", 10, 5), None),
            (sqs("orders", 100, 5), None),
            (sqs("orders.fifo", 10, 0), None),
            (
                sqs("orders.fifo", 10, 5),
                Some(
                    "on_sqs_message handler \"worker\": orders.fifo is a FIFO queue, and \
                     Lambda has no batching window for FIFO queues: remove \
                     maximum_batching_window_in_seconds(5)",
                ),
            ),
            (
                arn,
                Some(
                    "on_sqs_message handler \"worker\": \
                     arn:aws:sqs:us-east-1:123456789012:orders.fifo is a FIFO queue, and \
                     Lambda has no batching window for FIFO queues: remove \
                     maximum_batching_window_in_seconds(5)",
                ),
            ),
            (
                sqs("orders.fifo", 20, 1),
                Some(
                    "the app can't be packaged:\n  - on_sqs_message handler \"worker\": \
                     orders.fifo is a FIFO queue, and Lambda has no batching window for FIFO \
                     queues: remove maximum_batching_window_in_seconds(1)\n  - on_sqs_message \
                     handler \"worker\": orders.fifo is a FIFO queue, and Lambda takes at most \
                     10 messages a batch from one: batch_size(20) is too many",
                ),
            ),
        ];
        let config = stage(r#"{"app_name": "a"}"#);
        for (functions, expected) in cases {
            let result = validate(&manifest(&[], functions.clone()), &config).map_err(|e| e.0);
            assert_eq!(result.err().as_deref(), *expected, "{functions}");
        }
    }

    #[test]
    fn only_an_api_needs_routes() {
        let events = json!({"functions": [
            {"name": "every_hour", "source": "schedule", "expression": "rate(1 hour)", "description": ""}
        ]});
        let no_routes = manifest(&[], events);
        assert!(validate(&no_routes, &stage(r#"{"app_name": "a"}"#)).is_ok());
        let error = api_required(&no_routes, "chalice generate-models")
            .expect_err("no API to describe")
            .0;
        assert_eq!(
            error,
            "the app has no routes, so it has no REST API for chalice generate-models to \
             describe: register one with app.route(\"/\", view)"
        );
        let with_route = manifest(&[route("/a", "GET", json!({}))], json!({}));
        assert!(api_required(&with_route, "chalice package").is_ok());
    }

    #[test]
    fn an_app_of_websocket_handlers_alone_needs_no_routes() {
        let websocket = json!({"websocket": {
            "route_selection_expression": "$request.body.action",
            "routes": [{"route_key": "$default", "handler": "websocket_message"}]
        }});
        assert!(validate(&manifest(&[], websocket), &stage(r#"{"app_name": "a"}"#)).is_ok());
    }

    #[test]
    fn every_mistake_is_listed_at_once() {
        let manifest = manifest(
            &[
                route("/a/", "GET", json!({})),
                route("/b", "GET", json!({"authorizer": "x"})),
            ],
            json!({}),
        );
        let error = validate(&manifest, &stage(r#"{"app_name": "a"}"#))
            .expect_err("two mistakes")
            .0;
        assert!(
            error.starts_with("the app can't be packaged:\n  - Route cannot end"),
            "{error}"
        );
        assert!(
            error.contains("\n  - route GET /b (view v): uses authorizer \"x\""),
            "{error}"
        );
    }

    #[test]
    fn a_private_api_needs_its_vpc_endpoints() {
        let manifest = manifest(&[route("/", "GET", json!({}))], json!({}));
        let private = stage(r#"{"app_name": "a", "api_gateway_endpoint_type": "PRIVATE"}"#);
        let error = validate(&manifest, &private).expect_err("no vpce").0;
        assert!(
            error.starts_with("api_gateway_endpoint_vpce must be specified"),
            "{error}"
        );
        let with_vpce = stage(
            r#"{"app_name": "a", "api_gateway_endpoint_type": "PRIVATE", "api_gateway_endpoint_vpce": "vpce-1"}"#,
        );
        assert!(validate(&manifest, &with_vpce).is_ok());
        assert!(validate(&manifest, &stage(r#"{"app_name": "a"}"#)).is_ok());
    }

    #[test]
    fn functions_share_one_role() {
        let manifest = manifest(
            &[route("/", "GET", json!({"authorizer": "jwt"}))],
            json!({"authorizers": [{"name": "jwt", "type": "builtin", "header": "Authorization",
                                    "ttl_seconds": 300}],
                   "functions": [{"name": "tick", "source": "schedule",
                                  "expression": "rate(1 hour)", "description": ""}]}),
        );
        let cases = [
            (r#"{"app_name": "a"}"#, None),
            (
                r#"{"app_name": "a", "lambda_functions": {"jwt": {"lambda_memory_size": 256}}}"#,
                None,
            ),
            (
                r#"{"app_name": "a", "lambda_functions": {"tick": {"manage_iam_role": false, "iam_role_arn": "arn:aws:iam::1:role/r"}}}"#,
                Some(
                    "lambda_functions.tick: its role (manage_iam_role, iam_role_arn, \
                     iam_policy_file) differs from the API handler's, and the functions chalice \
                     packages share one role; set the role for the stage instead",
                ),
            ),
            (
                r#"{"app_name": "a", "lambda_functions": {"jwt": {"iam_policy_file": "jwt.json"}}}"#,
                Some(
                    "lambda_functions.jwt: its role (manage_iam_role, iam_role_arn, \
                     iam_policy_file) differs from the API handler's, and the functions chalice \
                     packages share one role; set the role for the stage instead",
                ),
            ),
        ];
        for (config, expected) in cases {
            let result = validate(&manifest, &stage(config)).map_err(|e| e.0);
            assert_eq!(result.err().as_deref(), expected, "{config}");
        }
    }
}
