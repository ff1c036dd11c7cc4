//! The floor: an API Gateway event parsed into borrowed typed structs, and nothing else.
//!
//! Every field API Gateway sends is read into a typed field; strings borrow from the event
//! (`&str`, or `Cow` where JSON escapes may occur: bodies, and values such as a PEM that
//! carry `\n`); maps are vectors of pairs, so no hashing is counted. Free-form objects
//! (`authorizer`) are kept as raw JSON, as any adapter would until asked.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// A JSON object read in order into pairs.
pub struct Pairs<'a, V>(pub Vec<(&'a str, V)>);

impl<'de: 'a, 'a, V: Deserialize<'de>> Deserialize<'de> for Pairs<'a, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairsVisitor<'a, V>(PhantomData<(&'a (), V)>);
        impl<'de: 'a, 'a, V: Deserialize<'de>> Visitor<'de> for PairsVisitor<'a, V> {
            type Value = Pairs<'a, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some((key, value)) = map.next_entry::<&'de str, V>()? {
                    pairs.push((key, value));
                }
                Ok(Pairs(pairs))
            }
        }
        deserializer.deserialize_map(PairsVisitor(PhantomData))
    }
}

type Map<'a> = Option<Pairs<'a, &'a str>>;
type MultiMap<'a> = Option<Pairs<'a, Vec<&'a str>>>;

/// A REST API (payload 1.0) proxy event.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FloorV1<'a> {
    pub resource: &'a str,
    pub path: &'a str,
    pub http_method: &'a str,
    #[serde(borrow)]
    pub headers: Map<'a>,
    #[serde(borrow)]
    pub multi_value_headers: MultiMap<'a>,
    #[serde(borrow)]
    pub query_string_parameters: Map<'a>,
    #[serde(borrow)]
    pub multi_value_query_string_parameters: MultiMap<'a>,
    #[serde(borrow)]
    pub path_parameters: Map<'a>,
    #[serde(borrow)]
    pub stage_variables: Map<'a>,
    #[serde(borrow)]
    pub request_context: ContextV1<'a>,
    #[serde(borrow)]
    pub body: Option<Cow<'a, str>>,
    #[serde(default)]
    pub is_base64_encoded: bool,
}

/// `requestContext` of payload 1.0.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextV1<'a> {
    pub account_id: Option<&'a str>,
    pub resource_id: Option<&'a str>,
    pub path: Option<&'a str>,
    pub stage: Option<&'a str>,
    pub domain_name: Option<&'a str>,
    pub domain_prefix: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub protocol: Option<&'a str>,
    #[serde(borrow)]
    pub identity: Option<Identity<'a>>,
    #[serde(borrow)]
    pub authorizer: Option<&'a RawValue>,
    pub resource_path: Option<&'a str>,
    pub http_method: Option<&'a str>,
    pub request_time: Option<&'a str>,
    pub request_time_epoch: Option<i64>,
    pub api_id: Option<&'a str>,
}

/// `requestContext.identity` of payload 1.0.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity<'a> {
    pub cognito_identity_pool_id: Option<&'a str>,
    pub account_id: Option<&'a str>,
    pub cognito_identity_id: Option<&'a str>,
    pub caller: Option<&'a str>,
    pub api_key: Option<&'a str>,
    pub api_key_id: Option<&'a str>,
    pub access_key: Option<&'a str>,
    pub source_ip: Option<&'a str>,
    pub cognito_authentication_type: Option<&'a str>,
    pub cognito_authentication_provider: Option<&'a str>,
    pub user_arn: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub user: Option<&'a str>,
}

/// An HTTP API (payload 2.0) event.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FloorV2<'a> {
    pub version: &'a str,
    pub route_key: &'a str,
    pub raw_path: &'a str,
    pub raw_query_string: Option<&'a str>,
    pub cookies: Option<Vec<&'a str>>,
    #[serde(borrow)]
    pub headers: Map<'a>,
    #[serde(borrow)]
    pub query_string_parameters: Map<'a>,
    #[serde(borrow)]
    pub path_parameters: Map<'a>,
    #[serde(borrow)]
    pub stage_variables: Map<'a>,
    #[serde(borrow)]
    pub request_context: ContextV2<'a>,
    #[serde(borrow)]
    pub body: Option<Cow<'a, str>>,
    #[serde(default)]
    pub is_base64_encoded: bool,
}

/// `requestContext` of payload 2.0.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextV2<'a> {
    pub account_id: Option<&'a str>,
    pub api_id: Option<&'a str>,
    #[serde(borrow)]
    pub authentication: Option<Authentication<'a>>,
    #[serde(borrow)]
    pub authorizer: Option<&'a RawValue>,
    pub domain_name: Option<&'a str>,
    pub domain_prefix: Option<&'a str>,
    #[serde(borrow)]
    pub http: Http<'a>,
    pub request_id: Option<&'a str>,
    pub route_key: Option<&'a str>,
    pub stage: Option<&'a str>,
    pub time: Option<&'a str>,
    pub time_epoch: Option<i64>,
}

/// `requestContext.authentication` of payload 2.0 (mutual TLS).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authentication<'a> {
    #[serde(borrow)]
    pub client_cert: Option<ClientCert<'a>>,
}

/// The client certificate of a mutual-TLS request.
#[derive(Deserialize)]
pub struct ClientCert<'a> {
    #[serde(rename = "clientCertPem", borrow)]
    pub pem: Option<Cow<'a, str>>,
    #[serde(rename = "issuerDN")]
    pub issuer_dn: Option<&'a str>,
    #[serde(rename = "serialNumber")]
    pub serial_number: Option<&'a str>,
    #[serde(rename = "subjectDN")]
    pub subject_dn: Option<&'a str>,
    #[serde(borrow)]
    pub validity: Option<Validity<'a>>,
}

/// The validity of a client certificate.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Validity<'a> {
    pub not_after: Option<&'a str>,
    pub not_before: Option<&'a str>,
}

/// `requestContext.http` of payload 2.0.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Http<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub protocol: Option<&'a str>,
    pub source_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

fn len<V>(map: Option<&Pairs<'_, V>>) -> usize {
    map.map_or(0, |pairs| pairs.0.len())
}

impl FloorV1<'_> {
    /// A number that depends on the whole parse, so none of it is optimized away.
    pub fn weight(&self) -> usize {
        self.resource.len()
            + self.path.len()
            + self.http_method.len()
            + len(self.headers.as_ref())
            + len(self.multi_value_headers.as_ref())
            + len(self.query_string_parameters.as_ref())
            + len(self.multi_value_query_string_parameters.as_ref())
            + len(self.path_parameters.as_ref())
            + len(self.stage_variables.as_ref())
            + self.request_context.request_id.map_or(0, str::len)
            + self.body.as_deref().map_or(0, str::len)
            + usize::from(self.is_base64_encoded)
    }
}

impl FloorV2<'_> {
    /// A number that depends on the whole parse, so none of it is optimized away.
    pub fn weight(&self) -> usize {
        self.version.len()
            + self.route_key.len()
            + self.raw_path.len()
            + self.cookies.as_ref().map_or(0, Vec::len)
            + len(self.headers.as_ref())
            + len(self.query_string_parameters.as_ref())
            + len(self.path_parameters.as_ref())
            + len(self.stage_variables.as_ref())
            + self.request_context.http.method.len()
            + self.body.as_deref().map_or(0, str::len)
            + usize::from(self.is_base64_encoded)
    }
}
