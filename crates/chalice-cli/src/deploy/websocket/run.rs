//! The executor's calls for the WebSocket API: `CreateApi`, its routes, integrations and
//! stage, the invoke permissions, `DeleteApi`.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context;
use aws_sdk_apigatewayv2::types::{ContentHandlingStrategy, IntegrationType, ProtocolType};

use super::record::WebsocketApiRecord;
use super::spec::{WebsocketApiSpec, WebsocketRoutesSpec};
use crate::deploy::errors::{Failure, explain};
use crate::deploy::execute::{Executor, tolerate_missing};
use crate::deploy::state::Record;
use crate::deploy::url::websocket_url;

impl Executor<'_> {
    /// `CreateApi` (protocol `WEBSOCKET`), or this stage's API left by an interrupted
    /// deploy, found by its name and tag; recorded at once.
    pub(crate) async fn create_websocket_api(
        &mut self,
        api: &WebsocketApiSpec,
    ) -> anyhow::Result<()> {
        let id = match self.find_websocket_api(api).await? {
            Some(id) => {
                self.output.status(
                    "Adopting",
                    format!("WebSocket API {id}, left by an interrupted deploy of this stage"),
                );
                id
            }
            None => {
                self.output
                    .status("Creating", format!("WebSocket API {}", api.name));
                let created = self
                    .aws
                    .apigatewayv2
                    .create_api()
                    .name(&api.name)
                    .protocol_type(ProtocolType::Websocket)
                    .route_selection_expression(&api.route_selection_expression)
                    .set_tags(Some(api.tags.clone().into_iter().collect()))
                    .send()
                    .await
                    .map_err(|error| {
                        explain(&format!("creating WebSocket API {}", api.name), &error)
                    })?;
                created
                    .api_id()
                    .context("CreateApi answered without the API's id")?
                    .to_owned()
            }
        };
        self.state.put(Record::WebsocketApi(WebsocketApiRecord {
            name: api.key.clone(),
            websocket_api_id: id,
            websocket_api_url: String::new(),
            region: self.aws.region.clone(),
            stage: String::new(),
            api_hash: api.api_hash(),
            routes_hash: String::new(),
            invoke_permissions: Vec::new(),
        }));
        Ok(())
    }

    async fn find_websocket_api(&self, api: &WebsocketApiSpec) -> anyhow::Result<Option<String>> {
        let mut token = None;
        loop {
            let page = self
                .aws
                .apigatewayv2
                .get_apis()
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| explain("listing WebSocket APIs", &error))?;
            for item in page.items() {
                if item.name() == Some(api.name.as_str())
                    && item.protocol_type() == Some(&ProtocolType::Websocket)
                    && self.ours(item.tags())
                {
                    return Ok(item.api_id().map(str::to_owned));
                }
            }
            match page.next_token() {
                Some(next) if !page.items().is_empty() => token = Some(next.to_owned()),
                _ => return Ok(None),
            }
        }
    }

    /// `UpdateApi`: its name or route selection expression changed.
    pub(crate) async fn update_websocket_api(
        &mut self,
        api: &WebsocketApiSpec,
    ) -> anyhow::Result<()> {
        let mut record = self
            .state
            .websocket_api(&api.key)
            .cloned()
            .context("the plan updates a WebSocket API it has not created")?;
        let id = &record.websocket_api_id;
        self.output
            .status("Updating", format!("WebSocket API {}", api.name));
        self.aws
            .apigatewayv2
            .update_api()
            .api_id(id)
            .name(&api.name)
            .route_selection_expression(&api.route_selection_expression)
            .send()
            .await
            .map_err(|error| explain(&format!("updating WebSocket API {id}"), &error))?;
        record.api_hash = api.api_hash();
        self.state.put(Record::WebsocketApi(record));
        Ok(())
    }

    /// Brings the API's integrations, routes and stage to `spec`, by difference with what
    /// the API has: what is missing is created, a route pointing elsewhere is re-pointed,
    /// what the app no longer has is deleted.
    pub(crate) async fn sync_websocket_routes(
        &mut self,
        spec: &WebsocketRoutesSpec,
    ) -> anyhow::Result<()> {
        let mut record = self
            .state
            .websocket_api(&spec.api)
            .cloned()
            .context("the plan syncs the routes of a WebSocket API it has not created")?;
        let id = record.websocket_api_id.clone();
        let client = &self.aws.apigatewayv2;
        let doing = format!("updating the routes of WebSocket API {id}");
        self.output.status(
            "Updating",
            format!("WebSocket API routes ({})", {
                let keys: Vec<&str> = spec.routes.keys().map(String::as_str).collect();
                keys.join(", ")
            }),
        );

        // Each handler's integration, by its URI (one per function).
        let mut uris = BTreeMap::new();
        for function in spec.routes.values() {
            let record = self
                .state
                .function(function)
                .with_context(|| format!("function {function} is not deployed before its route"))?;
            let partition = record.lambda_arn.split(':').nth(1).unwrap_or("aws");
            uris.insert(
                function.clone(),
                format!(
                    "arn:{partition}:apigateway:{}:lambda:path/2015-03-31/functions/{}/invocations",
                    self.aws.region, record.lambda_arn
                ),
            );
        }
        let mut existing_integrations = Vec::new();
        let mut token = None;
        loop {
            let page = client
                .get_integrations()
                .api_id(&id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| explain(&doing, &error))?;
            for integration in page.items() {
                existing_integrations.push((
                    integration.integration_id().unwrap_or_default().to_owned(),
                    integration.integration_uri().unwrap_or_default().to_owned(),
                ));
            }
            match page.next_token() {
                Some(next) if !page.items().is_empty() => token = Some(next.to_owned()),
                _ => break,
            }
        }
        let mut integration_of = BTreeMap::new();
        for (function, uri) in &uris {
            let found = existing_integrations
                .iter()
                .find(|(_, existing)| existing == uri)
                .map(|(integration, _)| integration.clone());
            let integration = match found {
                Some(integration) => integration,
                None => client
                    .create_integration()
                    .api_id(&id)
                    .integration_type(IntegrationType::AwsProxy)
                    .integration_uri(uri)
                    // Binary frames reach the function base64-encoded, as in Chalice.
                    .content_handling_strategy(ContentHandlingStrategy::ConvertToText)
                    .send()
                    .await
                    .map_err(|error| explain(&format!("{doing}: integrating {function}"), &error))?
                    .integration_id()
                    .context("CreateIntegration answered without an id")?
                    .to_owned(),
            };
            integration_of.insert(function.clone(), integration);
        }

        // Routes: each key to its handler's integration.
        let mut existing_routes = Vec::new();
        let mut token = None;
        loop {
            let page = client
                .get_routes()
                .api_id(&id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| explain(&doing, &error))?;
            for route in page.items() {
                existing_routes.push((
                    route.route_id().unwrap_or_default().to_owned(),
                    route.route_key().unwrap_or_default().to_owned(),
                    route.target().unwrap_or_default().to_owned(),
                ));
            }
            match page.next_token() {
                Some(next) if !page.items().is_empty() => token = Some(next.to_owned()),
                _ => break,
            }
        }
        let target = |function: &String| format!("integrations/{}", integration_of[function]);
        for (route_id, key, current) in &existing_routes {
            match spec.routes.get(key) {
                None => {
                    let result = client
                        .delete_route()
                        .api_id(&id)
                        .route_id(route_id)
                        .send()
                        .await;
                    tolerate_missing(result, &format!("{doing}: deleting route {key}"))?;
                }
                Some(function) if *current != target(function) => {
                    client
                        .update_route()
                        .api_id(&id)
                        .route_id(route_id)
                        .target(target(function))
                        .send()
                        .await
                        .map_err(|error| explain(&format!("{doing}: route {key}"), &error))?;
                }
                Some(_) => {}
            }
        }
        for (key, function) in &spec.routes {
            if !existing_routes
                .iter()
                .any(|(_, existing, _)| existing == key)
            {
                client
                    .create_route()
                    .api_id(&id)
                    .route_key(key)
                    .target(target(function))
                    .send()
                    .await
                    .map_err(|error| explain(&format!("{doing}: route {key}"), &error))?;
            }
        }
        let used: BTreeSet<&String> = integration_of.values().collect();
        for (integration, _) in &existing_integrations {
            if !used.contains(integration) {
                let result = client
                    .delete_integration()
                    .api_id(&id)
                    .integration_id(integration)
                    .send()
                    .await;
                tolerate_missing(result, &doing)?;
            }
        }

        // The stage, deploying every change by itself.
        let stage = client
            .get_stage()
            .api_id(&id)
            .stage_name(&spec.stage)
            .send()
            .await;
        match stage {
            Ok(stage) if stage.auto_deploy() == Some(true) => {}
            // A stage made by Chalice (deployed by hand, CreateDeployment): from now on it
            // deploys itself.
            Ok(_) => {
                client
                    .update_stage()
                    .api_id(&id)
                    .stage_name(&spec.stage)
                    .auto_deploy(true)
                    .send()
                    .await
                    .map_err(|error| explain(&doing, &error))?;
            }
            Err(error) => {
                let failure = Failure::of(&error);
                if !failure.is_not_found() {
                    return Err(failure.explain(&doing));
                }
                self.output.status(
                    "Deploying",
                    format!("WebSocket API to stage {}", spec.stage),
                );
                client
                    .create_stage()
                    .api_id(&id)
                    .stage_name(&spec.stage)
                    .auto_deploy(true)
                    .send()
                    .await
                    .map_err(|error| explain(&doing, &error))?;
            }
        }
        if !record.stage.is_empty() && record.stage != spec.stage {
            let result = client
                .delete_stage()
                .api_id(&id)
                .stage_name(&record.stage)
                .send()
                .await;
            tolerate_missing(result, &format!("{doing}: deleting stage {}", record.stage))?;
        }
        record.stage = spec.stage.clone();
        record.websocket_api_url = websocket_url(&id, &self.aws.region, &spec.stage);
        record.routes_hash = spec.routes_hash();
        self.state.put(Record::WebsocketApi(record));
        Ok(())
    }

    /// `DeleteApi` (its routes, integrations and stages go with it).
    pub(crate) async fn delete_websocket_api(&mut self, key: &str, id: &str) -> anyhow::Result<()> {
        self.output
            .status("Deleting", format!("WebSocket API {id}"));
        let result = self.aws.apigatewayv2.delete_api().api_id(id).send().await;
        tolerate_missing(result, &format!("deleting WebSocket API {id}"))?;
        if self
            .state
            .websocket_api(key)
            .is_some_and(|api| api.websocket_api_id == id)
        {
            self.state.forget(key);
        }
        Ok(())
    }
}
