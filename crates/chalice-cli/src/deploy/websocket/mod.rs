//! The app's WebSocket API on AWS: its resources in the graph, their planner, the
//! executor's calls, and the `websocket_api` record of the state file.
//!
//! Two resources of the graph, because the API's id is needed on both sides of the
//! functions: [`WebsocketApiSpec`](spec::WebsocketApiSpec) (`CreateApi`, protocol `WEBSOCKET`) comes first, so the
//! role's policy (`execute-api:ManageConnections` on the API's connections) and every
//! function's [`WEBSOCKET_ENDPOINT_ENV`](chalice_manifest::WEBSOCKET_ENDPOINT_ENV) can name it; [`WebsocketRoutesSpec`](spec::WebsocketRoutesSpec) comes after
//! the functions, whose ARNs its integrations point at: per handler an `AWS_PROXY`
//! integration and a route, the stage, and the permission for API Gateway to invoke it.
//!
//! What only AWS knows (the API's id, the region, the account) stands in the specs as
//! placeholders, [`HOST_PLACEHOLDER`](record::HOST_PLACEHOLDER) and [`CONNECTIONS_PLACEHOLDER`], filled in from the
//! state by [`resolve`](plan::resolve) (when planning, so that hashes compare what AWS has) and by the
//! executor (when calling, once the API exists). A recreated API (deleted behind chalice's
//! back) thus updates the functions and the policy that named the old one.
//!
//! Unlike Chalice, which deletes and recreates every route and integration on each deploy,
//! an update compares what the API has with what the app declares: new routes and
//! integrations are created, changed routes re-pointed, removed ones deleted, and nothing
//! is called at all when the routes did not change. The stage deploys itself
//! (`AutoDeploy`): apigatewayv2's `CreateDeployment` is not needed after each change (and
//! moto, which the tests run against, does not implement it).
//!
//! Split by the deployer's layers: [`record`] (the state file's), [`spec`] (the graph's),
//! [`plan`] (the planner's, and the placeholders' resolution), and `run` (the executor's).

pub(crate) mod plan;
pub(crate) mod record;
mod run;
pub(crate) mod spec;
#[cfg(test)]
mod tests;

pub(crate) use record::CONNECTIONS_PLACEHOLDER;
