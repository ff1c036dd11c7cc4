//! Custom domains (`api_gateway_custom_domain`, `websocket_api_custom_domain`) in both
//! templates, with Chalice's names: in SAM `ApiGatewayCustomDomain` (an
//! `AWS::ApiGateway::DomainName`) and `ApiGatewayCustomDomainMapping` (its base path
//! mapping), `WebsocketApiCustomDomain` (an `AWS::ApiGatewayV2::DomainName`) and
//! `WebsocketApiCustomDomainMapping` (its API mapping); in Terraform
//! `api_gateway_custom_domain` and `websocket_api_custom_domain`, each with a `_mapping`.
//!
//! The certificate goes where the endpoint type needs it: `CertificateArn` for an `EDGE`
//! API (CloudFront's, so in `us-east-1`), `RegionalCertificateArn` for a `REGIONAL` one. A
//! WebSocket API is always regional.

use serde_json::{Map, Value, json};

use crate::config::{CustomDomain, EndpointType, StageConfig};
use crate::error::UsageError;
use crate::templates::literal;

/// The SAM logical id of the REST API's custom domain.
pub const REST_DOMAIN_CFN: &str = "ApiGatewayCustomDomain";
/// The SAM logical id of the WebSocket API's custom domain.
pub const WEBSOCKET_DOMAIN_CFN: &str = "WebsocketApiCustomDomain";
/// The Terraform name of the REST API's custom domain.
pub const REST_DOMAIN_TF: &str = "api_gateway_custom_domain";
/// The Terraform name of the WebSocket API's custom domain.
pub const WEBSOCKET_DOMAIN_TF: &str = "websocket_api_custom_domain";
/// What the mapping of a domain is named after: the domain's name plus this.
pub const MAPPING_CFN_SUFFIX: &str = "Mapping";

/// The REST API's custom domain, if the stage has one, refused for a `PRIVATE` API (API
/// Gateway's custom domains of REST APIs are public, `EDGE` or `REGIONAL`).
pub fn rest_domain(config: &StageConfig) -> Result<Option<&CustomDomain>, UsageError> {
    let Some(domain) = &config.api_gateway_custom_domain else {
        return Ok(None);
    };
    if config.api_gateway_endpoint_type == EndpointType::Private {
        return Err(UsageError(format!(
            "api_gateway_custom_domain ({}): a PRIVATE API cannot have a public custom domain; \
             set api_gateway_endpoint_type to EDGE or REGIONAL, or remove the domain",
            domain.domain_name
        )));
    }
    Ok(Some(domain))
}

/// The SAM resources of the REST API's custom domain and its base path mapping onto the
/// stage of `RestAPI` (referred to as `RestAPI.Stage`, so that the mapping waits for the
/// stage SAM creates), and the outputs that say where to point the domain's DNS.
pub fn sam_rest_domain(
    domain: &CustomDomain,
    config: &StageConfig,
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) {
    let endpoint = config.api_gateway_endpoint_type;
    let mut properties = json!({
        "DomainName": domain.domain_name,
        "EndpointConfiguration": {"Types": [endpoint.as_str()]},
    });
    let (certificate, alias, zone) = match endpoint {
        EndpointType::Edge => (
            "CertificateArn",
            "DistributionDomainName",
            "DistributionHostedZoneId",
        ),
        EndpointType::Regional | EndpointType::Private => (
            "RegionalCertificateArn",
            "RegionalDomainName",
            "RegionalHostedZoneId",
        ),
    };
    properties[certificate] = json!(domain.certificate_arn);
    if let Some(tls) = domain.tls_version {
        properties["SecurityPolicy"] = json!(tls.as_str());
    }
    if !domain.tags.is_empty() {
        let tags: Vec<Value> = domain
            .tags
            .iter()
            .map(|(key, value)| json!({"Key": key, "Value": value}))
            .collect();
        properties["Tags"] = json!(tags);
    }
    resources.insert(
        REST_DOMAIN_CFN.into(),
        json!({"Type": "AWS::ApiGateway::DomainName", "Properties": properties}),
    );
    resources.insert(
        format!("{REST_DOMAIN_CFN}{MAPPING_CFN_SUFFIX}"),
        json!({
            "Type": "AWS::ApiGateway::BasePathMapping",
            "Properties": {
                "DomainName": {"Ref": REST_DOMAIN_CFN},
                "RestApiId": {"Ref": "RestAPI"},
                "BasePath": domain.base_path(),
                "Stage": {"Ref": "RestAPI.Stage"},
            },
        }),
    );
    outputs.insert(
        "AliasDomainName".into(),
        json!({"Value": {"Fn::GetAtt": [REST_DOMAIN_CFN, alias]}}),
    );
    outputs.insert(
        "HostedZoneId".into(),
        json!({"Value": {"Fn::GetAtt": [REST_DOMAIN_CFN, zone]}}),
    );
}

/// The SAM resources of the WebSocket API's custom domain (regional) and its API mapping
/// onto the API's stage, and the outputs that say where to point the domain's DNS.
pub fn sam_websocket_domain(
    domain: &CustomDomain,
    api: &str,
    stage: &str,
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) {
    let mut configuration = json!({
        "CertificateArn": domain.certificate_arn,
        "EndpointType": "REGIONAL",
    });
    if let Some(tls) = domain.tls_version {
        configuration["SecurityPolicy"] = json!(tls.as_str());
    }
    let mut properties = json!({
        "DomainName": domain.domain_name,
        "DomainNameConfigurations": [configuration],
    });
    if !domain.tags.is_empty() {
        properties["Tags"] = json!(domain.tags);
    }
    resources.insert(
        WEBSOCKET_DOMAIN_CFN.into(),
        json!({"Type": "AWS::ApiGatewayV2::DomainName", "Properties": properties}),
    );
    let mut mapping = json!({
        "DomainName": {"Ref": WEBSOCKET_DOMAIN_CFN},
        "ApiId": {"Ref": api},
        "Stage": {"Ref": stage},
    });
    if let Some(key) = domain.mapping_key() {
        mapping["ApiMappingKey"] = json!(key);
    }
    resources.insert(
        format!("{WEBSOCKET_DOMAIN_CFN}{MAPPING_CFN_SUFFIX}"),
        json!({"Type": "AWS::ApiGatewayV2::ApiMapping", "Properties": mapping}),
    );
    outputs.insert(
        "WebsocketAliasDomainName".into(),
        json!({"Value": {"Fn::GetAtt": [WEBSOCKET_DOMAIN_CFN, "RegionalDomainName"]}}),
    );
    outputs.insert(
        "WebsocketHostedZoneId".into(),
        json!({"Value": {"Fn::GetAtt": [WEBSOCKET_DOMAIN_CFN, "RegionalHostedZoneId"]}}),
    );
}

/// A Terraform resource: its kind, its name and its body.
pub type TerraformResource = (&'static str, String, Value);

fn tf(text: &str) -> Value {
    Value::String(literal::terraform(text))
}

fn tf_tags(domain: &CustomDomain) -> Value {
    domain
        .tags
        .iter()
        .map(|(key, value)| (literal::terraform(key), tf(value)))
        .collect::<Map<_, _>>()
        .into()
}

/// The Terraform resources of the REST API's custom domain and its base path mapping onto
/// the stage `aws_api_gateway_stage.rest_api`, and the outputs that say where to point the
/// domain's DNS (Chalice's `AliasDomainName` and `HostedZoneId`).
pub fn terraform_rest_domain(
    domain: &CustomDomain,
    config: &StageConfig,
    outputs: &mut Map<String, Value>,
) -> Vec<TerraformResource> {
    let endpoint = config.api_gateway_endpoint_type;
    let mut properties = json!({
        "domain_name": tf(&domain.domain_name),
        "endpoint_configuration": {"types": [endpoint.as_str()]},
    });
    let (certificate, alias, zone) = match endpoint {
        EndpointType::Edge => (
            "certificate_arn",
            "cloudfront_domain_name",
            "cloudfront_zone_id",
        ),
        EndpointType::Regional | EndpointType::Private => (
            "regional_certificate_arn",
            "regional_domain_name",
            "regional_zone_id",
        ),
    };
    properties[certificate] = tf(&domain.certificate_arn);
    if let Some(tls) = domain.tls_version {
        properties["security_policy"] = json!(tls.as_str());
    }
    if !domain.tags.is_empty() {
        properties["tags"] = tf_tags(domain);
    }
    let resource = format!("aws_api_gateway_domain_name.{REST_DOMAIN_TF}");
    let mut mapping = json!({
        "api_id": "${aws_api_gateway_rest_api.rest_api.id}",
        // References rather than names, so that the mapping waits for both.
        "stage_name": "${aws_api_gateway_stage.rest_api.stage_name}",
        "domain_name": format!("${{{resource}.domain_name}}"),
    });
    if let Some(prefix) = domain.mapping_key() {
        mapping["base_path"] = tf(prefix);
    }
    outputs.insert(
        "AliasDomainName".into(),
        json!({"value": format!("${{{resource}.{alias}}}")}),
    );
    outputs.insert(
        "HostedZoneId".into(),
        json!({"value": format!("${{{resource}.{zone}}}")}),
    );
    vec![
        (
            "aws_api_gateway_domain_name",
            REST_DOMAIN_TF.to_owned(),
            properties,
        ),
        (
            "aws_api_gateway_base_path_mapping",
            format!("{REST_DOMAIN_TF}_mapping"),
            mapping,
        ),
    ]
}

/// The Terraform resources of the WebSocket API's custom domain (regional) and its API
/// mapping onto the API's stage, and the outputs that say where to point the domain's DNS.
pub fn terraform_websocket_domain(
    domain: &CustomDomain,
    api: &str,
    stage: &str,
    outputs: &mut Map<String, Value>,
) -> Vec<TerraformResource> {
    let mut configuration = json!({
        "certificate_arn": tf(&domain.certificate_arn),
        "endpoint_type": "REGIONAL",
    });
    if let Some(tls) = domain.tls_version {
        configuration["security_policy"] = json!(tls.as_str());
    }
    let mut properties = json!({
        "domain_name": tf(&domain.domain_name),
        "domain_name_configuration": configuration,
    });
    if !domain.tags.is_empty() {
        properties["tags"] = tf_tags(domain);
    }
    let resource = format!("aws_apigatewayv2_domain_name.{WEBSOCKET_DOMAIN_TF}");
    let mut mapping = json!({
        "api_id": format!("${{aws_apigatewayv2_api.{api}.id}}"),
        "domain_name": format!("${{{resource}.id}}"),
        "stage": format!("${{aws_apigatewayv2_stage.{stage}.id}}"),
    });
    if let Some(key) = domain.mapping_key() {
        mapping["api_mapping_key"] = tf(key);
    }
    let target = format!("${{{resource}.domain_name_configuration[0]");
    outputs.insert(
        "WebsocketAliasDomainName".into(),
        json!({"value": format!("{target}.target_domain_name}}")}),
    );
    outputs.insert(
        "WebsocketHostedZoneId".into(),
        json!({"value": format!("{target}.hosted_zone_id}}")}),
    );
    vec![
        (
            "aws_apigatewayv2_domain_name",
            WEBSOCKET_DOMAIN_TF.to_owned(),
            properties,
        ),
        (
            "aws_apigatewayv2_api_mapping",
            format!("{WEBSOCKET_DOMAIN_TF}_mapping"),
            mapping,
        ),
    ]
}
