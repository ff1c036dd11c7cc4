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
