//! The types of the settings' values, each with the words its mistakes are reported in.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::setting::{Expected, Setting};

/// A whole number within bounds, refused (as a wrong value) outside them.
macro_rules! bounded {
    ($(#[$doc:meta])* $name:ident, $min:expr, $max:expr, $expected:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
        #[serde(try_from = "u64")]
        pub struct $name(pub u32);

        impl TryFrom<u64> for $name {
            type Error = &'static str;

            fn try_from(number: u64) -> Result<Self, Self::Error> {
                match u32::try_from(number) {
                    Ok(number) if ($min..=$max).contains(&number) => Ok($name(number)),
                    _ => Err($expected),
                }
            }
        }

        impl Expected for $name {
            const EXPECTED: &'static str = $expected;
        }
    };
}

bounded!(
    /// `lambda_memory_size`, in MB (Lambda's range).
    MemorySize,
    128,
    10240,
    "a whole number from 128 to 10240"
);
bounded!(
    /// `lambda_timeout`, in seconds (Lambda's range).
    Timeout,
    1,
    900,
    "a whole number from 1 to 900"
);
bounded!(
    /// `reserved_concurrency`.
    ReservedConcurrency,
    0,
    u32::MAX,
    "a whole number, 0 or more"
);
bounded!(
    /// `minimum_compression_size`, in bytes (API Gateway's range).
    CompressionSize,
    0,
    10_485_760,
    "a whole number from 0 to 10485760"
);

/// CloudWatch Logs' retention periods, in days.
pub const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// `log_retention_in_days`: one of CloudWatch Logs' periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "u64")]
pub struct RetentionDays(pub u32);

impl TryFrom<u64> for RetentionDays {
    type Error = &'static str;

    fn try_from(days: u64) -> Result<Self, Self::Error> {
        RETENTION_DAYS
            .iter()
            .find(|&&period| u64::from(period) == days)
            .map(|&period| RetentionDays(period))
            .ok_or(Self::EXPECTED)
    }
}

impl Expected for RetentionDays {
    const EXPECTED: &'static str = "one of CloudWatch's retention periods (1, 3, 5, 7, 14, 30, \
        60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)";
}

/// API Gateway's endpoint types.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum EndpointType {
    /// Behind CloudFront (API Gateway's default).
    #[default]
    Edge,
    /// In the API's region.
    Regional,
    /// Reachable only from VPC endpoints.
    Private,
}

impl EndpointType {
    /// API Gateway's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointType::Edge => "EDGE",
            EndpointType::Regional => "REGIONAL",
            EndpointType::Private => "PRIVATE",
        }
    }
}

impl Expected for EndpointType {
    const EXPECTED: &'static str = "one of EDGE, REGIONAL, PRIVATE";
}

/// The kinds of API Gateway API an app can be deployed behind (`api_gateway_type`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiGatewayType {
    /// A REST API (API Gateway v1, payload 1.0): Chalice's only kind.
    #[default]
    Rest,
    /// An HTTP API (API Gateway v2, payload 2.0): cheaper and faster, fewer features.
    Http,
}

impl Expected for ApiGatewayType {
    const EXPECTED: &'static str = r#""rest" or "http""#;
}

/// Lambda's instruction sets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Architecture {
    /// Intel and AMD.
    #[default]
    #[serde(rename = "x86_64")]
    X86_64,
    /// AWS Graviton.
    #[serde(rename = "arm64")]
    Arm64,
}

impl Architecture {
    /// Lambda's name for it (`Architectures` in templates).
    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }

    /// The Rust target a `provided.al2023` bootstrap is built for.
    pub fn rust_target(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64-unknown-linux-musl",
            Architecture::Arm64 => "aarch64-unknown-linux-musl",
        }
    }
}

impl Expected for Architecture {
    const EXPECTED: &'static str = r#""x86_64" or "arm64""#;
}

/// `api_gateway_endpoint_vpce`: one VPC endpoint id, or a list of them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "OneOrMany")]
pub struct VpcEndpoints(pub Vec<String>);

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl From<OneOrMany> for VpcEndpoints {
    fn from(ids: OneOrMany) -> Self {
        match ids {
            OneOrMany::One(id) => VpcEndpoints(vec![id]),
            OneOrMany::Many(ids) => VpcEndpoints(ids),
        }
    }
}

impl Expected for VpcEndpoints {
    const EXPECTED: &'static str = "a VPC endpoint id or a list of them";
}

/// A value of `environment_variables` or `tags`: a string, which Lambda and AWS tags
/// require (Chalice's `validate_environment_variables_type`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Text(pub String);

impl Expected for Text {
    const EXPECTED: &'static str = "a string";

    fn hint(found: &Value) -> Option<String> {
        Some(format!("write it in quotes: \"{found}\""))
    }
}

/// `environment_variables` or `tags` of one level: names to strings, each value checked on
/// its own.
pub type TextMap = BTreeMap<String, Setting<Text>>;

impl Expected for TextMap {
    const EXPECTED: &'static str = "an object of strings";
}

/// `api_gateway_custom_domain` / `websocket_api_custom_domain`: a domain name for the API
/// (Chalice's keys).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CustomDomain {
    /// The domain, such as `api.example.com`.
    pub domain_name: String,
    /// The ACM certificate for it (in `us-east-1` for an `EDGE` API, in the API's region
    /// otherwise).
    pub certificate_arn: String,
    /// The base path under which the API is mapped (default: the root).
    #[serde(default)]
    pub url_prefix: Option<String>,
    /// The TLS policy of the domain.
    #[serde(default)]
    pub tls_version: Option<TlsVersion>,
    /// Tags of the domain name resource.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

impl CustomDomain {
    /// The base path of the mapping, as Chalice writes it: `url_prefix`, or API Gateway's
    /// `(none)` (the root) when it is absent, empty or `/`.
    pub fn base_path(&self) -> &str {
        match self.url_prefix.as_deref() {
            None | Some("" | "/") => "(none)",
            Some(prefix) => prefix,
        }
    }

    /// The mapping key of an API Gateway v2 mapping: `url_prefix`, or `None` for the root
    /// (API Gateway v2 has no `(none)`; the root is an empty key).
    pub fn mapping_key(&self) -> Option<&str> {
        match self.base_path() {
            "(none)" => None,
            prefix => Some(prefix),
        }
    }
}

impl Expected for CustomDomain {
    const EXPECTED: &'static str = "an object with domain_name and certificate_arn";

    fn hint(found: &Value) -> Option<String> {
        let object = found.as_object()?;
        let mut problems = Vec::new();
        for required in ["domain_name", "certificate_arn"] {
            match object.get(required) {
                None | Some(Value::Null) => problems.push(format!("{required} is missing")),
                Some(Value::String(text)) if text.is_empty() => {
                    problems.push(format!("{required} is empty"));
                }
                Some(Value::String(_)) => {}
                Some(other) => problems.push(format!("{required} must be a string, not {other}")),
            }
        }
        let present = |key: &str| object.get(key).filter(|v| !v.is_null());
        if let Some(prefix) = present("url_prefix").filter(|v| !v.is_string()) {
            problems.push(format!("url_prefix must be a string, not {prefix}"));
        }
        if let Some(tls) = present("tls_version")
            .filter(|tls| serde_json::from_value::<TlsVersion>((*tls).clone()).is_err())
        {
            problems.push(format!(
                "tls_version must be {}, not {tls}",
                TlsVersion::EXPECTED
            ));
        }
        if let Some(tags) = present("tags").filter(|tags| {
            serde_json::from_value::<BTreeMap<String, String>>((*tags).clone()).is_err()
        }) {
            problems.push(format!("tags must be an object of strings, not {tags}"));
        }
        (!problems.is_empty()).then(|| problems.join("; "))
    }
}

/// A custom domain's TLS policy (`tls_version`): API Gateway's security policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum TlsVersion {
    /// TLS 1.0 and later.
    #[serde(rename = "TLS_1_0")]
    Tls10,
    /// TLS 1.2 and later.
    #[serde(rename = "TLS_1_2")]
    Tls12,
}

impl TlsVersion {
    /// API Gateway's name for it (`SecurityPolicy`).
    pub fn as_str(self) -> &'static str {
        match self {
            TlsVersion::Tls10 => "TLS_1_0",
            TlsVersion::Tls12 => "TLS_1_2",
        }
    }
}

impl Expected for TlsVersion {
    const EXPECTED: &'static str = "\"TLS_1_0\" or \"TLS_1_2\"";
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problem<T: Expected>(value: Value) -> Option<String> {
        serde_json::from_value::<Setting<T>>(value)
            .expect("a setting always reads")
            .problem()
    }

    #[test]
    fn values_are_checked_by_their_type() {
        let cases: Vec<(Option<String>, Option<&str>)> = vec![
            (problem::<MemorySize>(json!(128)), None),
            (problem::<MemorySize>(json!(10240)), None),
            (
                problem::<MemorySize>(json!(127)),
                Some("must be a whole number from 128 to 10240, not 127"),
            ),
            (
                problem::<MemorySize>(json!("lots")),
                Some(r#"must be a whole number from 128 to 10240, not "lots""#),
            ),
            (
                problem::<MemorySize>(json!(256.5)),
                Some("must be a whole number from 128 to 10240, not 256.5"),
            ),
            (
                problem::<Timeout>(json!(901)),
                Some("must be a whole number from 1 to 900, not 901"),
            ),
            (
                problem::<ReservedConcurrency>(json!(-1)),
                Some("must be a whole number, 0 or more, not -1"),
            ),
            (problem::<RetentionDays>(json!(14)), None),
            (
                problem::<RetentionDays>(json!(2)),
                Some(
                    "must be one of CloudWatch's retention periods (1, 3, 5, 7, 14, 30, 60, 90, \
                     120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, \
                     3653), not 2",
                ),
            ),
            (problem::<EndpointType>(json!("REGIONAL")), None),
            (
                problem::<EndpointType>(json!("GLOBAL")),
                Some(r#"must be one of EDGE, REGIONAL, PRIVATE, not "GLOBAL""#),
            ),
            (
                problem::<Architecture>(json!("riscv")),
                Some(r#"must be "x86_64" or "arm64", not "riscv""#),
            ),
            (problem::<VpcEndpoints>(json!("vpce-1")), None),
            (problem::<VpcEndpoints>(json!(["vpce-1", "vpce-2"])), None),
            (
                problem::<VpcEndpoints>(json!(7)),
                Some("must be a VPC endpoint id or a list of them, not 7"),
            ),
            (
                problem::<Text>(json!(8080)),
                Some(r#"must be a string, not 8080 (write it in quotes: "8080")"#),
            ),
            (
                problem::<Vec<String>>(json!(["arn:1", 2])),
                Some(r#"must be a list of strings, not ["arn:1",2]"#),
            ),
            (
                problem::<bool>(json!("yes")),
                Some(r#"must be true or false, not "yes""#),
            ),
            (
                problem::<CustomDomain>(json!({"domain_name": "api.example.com"})),
                Some(
                    r#"must be an object with domain_name and certificate_arn, not {"domain_name":"api.example.com"} (certificate_arn is missing)"#,
                ),
            ),
            (
                problem::<CustomDomain>(json!({"domain_name": "", "certificate_arn": 3})),
                Some(
                    r#"must be an object with domain_name and certificate_arn, not {"domain_name":"","certificate_arn":3} (domain_name is empty; certificate_arn must be a string, not 3)"#,
                ),
            ),
            (
                problem::<CustomDomain>(json!({
                    "domain_name": "api.example.com", "certificate_arn": "arn:c",
                    "tls_version": "TLS_1_1", "tags": {"team": 7},
                })),
                Some(
                    r#"must be an object with domain_name and certificate_arn, not {"domain_name":"api.example.com","certificate_arn":"arn:c","tls_version":"TLS_1_1","tags":{"team":7}} (tls_version must be "TLS_1_0" or "TLS_1_2", not "TLS_1_1"; tags must be an object of strings, not {"team":7})"#,
                ),
            ),
            (
                problem::<CustomDomain>(json!({
                    "domain_name": "api.example.com", "certificate_arn": "arn:c",
                    "url_prefix": "v1", "tls_version": "TLS_1_2", "tags": {"team": "web"},
                })),
                None,
            ),
            (problem::<String>(json!(null)), None),
        ];
        for (index, (found, expected)) in cases.into_iter().enumerate() {
            assert_eq!(found.as_deref(), expected, "case {index}");
        }
    }

    #[test]
    fn one_endpoint_id_reads_as_a_list_of_one() {
        let ids: VpcEndpoints = serde_json::from_value(json!("vpce-1")).expect("one id");
        assert_eq!(ids.0, ["vpce-1"]);
    }
}
