use super::*;

fn parse(text: &str) -> Result<Config, ConfigErrors> {
    Config::parse(PathBuf::from(".chalice/config.json"), text)
}

fn stage(text: &str, stage: &str) -> Result<StageConfig, String> {
    parse(text)
        .and_then(|c| c.stage(stage))
        .map_err(|e| e.to_string())
}

#[test]
fn chalice_new_project_config_gets_chalice_defaults() {
    let config = stage(
        r#"{"version": "2.0", "app_name": "todo", "stages": {"dev": {"api_gateway_stage": "api"}}}"#,
        "dev",
    )
    .expect("valid");
    assert_eq!(config.app_name, "todo");
    assert_eq!(config.api_gateway_stage, "api");
    assert_eq!(config.api_gateway_endpoint_type, EndpointType::Edge);
    assert_eq!(config.lambda_architecture, Architecture::X86_64);
    let handler = config.api_handler();
    assert_eq!(
        (handler.lambda_memory_size, handler.lambda_timeout),
        (128, 60)
    );
    assert!(handler.manage_iam_role);
    assert!(!handler.xray);
    assert_eq!(
        handler.tags.get("aws-chalice").map(String::as_str),
        Some(concat!(
            "version=",
            env!("CARGO_PKG_VERSION"),
            ":stage=dev:app=todo"
        ))
    );
}

#[test]
fn specific_levels_win() {
    let text = r#"{
        "app_name": "a",
        "lambda_memory_size": 256,
        "lambda_timeout": 10,
        "xray": true,
        "lambda_functions": {"api_handler": {"lambda_timeout": 20}},
        "environment_variables": {"A": "top", "B": "top"},
        "tags": {"team": "x"},
        "stages": {
            "dev": {"lambda_memory_size": 512, "environment_variables": {"B": "dev", "C": "dev"},
                    "lambda_functions": {"api_handler": {"environment_variables": {"C": "fn"}, "lambda_timeout": 30},
                                         "auth": {"lambda_memory_size": 1024}}},
            "prod": {"api_gateway_stage": "v1", "xray": false, "lambda_architecture": "arm64"}
        }
    }"#;
    let dev = stage(text, "dev").expect("dev");
    let handler = dev.api_handler();
    assert_eq!(
        (
            handler.lambda_memory_size,
            handler.lambda_timeout,
            handler.xray
        ),
        (512, 30, true)
    );
    assert_eq!(
        handler
            .environment_variables
            .into_iter()
            .collect::<Vec<_>>(),
        [
            ("A".into(), "top".into()),
            ("B".into(), "dev".into()),
            ("C".into(), "fn".into())
        ]
    );
    assert_eq!(handler.tags.get("team").map(String::as_str), Some("x"));
    // Another function of the stage: its own level, then the stage's and the top's.
    let auth = dev.function("auth");
    assert_eq!((auth.lambda_memory_size, auth.lambda_timeout), (1024, 10));
    assert_eq!(
        auth.environment_variables.get("C").map(String::as_str),
        Some("dev")
    );
    let prod = stage(text, "prod").expect("prod");
    let handler = prod.api_handler();
    assert_eq!(
        (
            handler.lambda_memory_size,
            handler.lambda_timeout,
            handler.xray
        ),
        (256, 20, false)
    );
    assert_eq!(prod.api_gateway_stage, "v1");
    assert_eq!(prod.lambda_architecture, Architecture::Arm64);
}

#[test]
fn mistakes_name_the_file_and_key() {
    let cases = [
        (
            r#"{"app_name": "a", "stages": {"dev": {}}}"#,
            "prod",
            r#".chalice/config.json: stages: has no stage "prod" (stages here: dev); add "prod": {} under "stages""#,
        ),
        (
            r#"{"stages": {}}"#,
            "dev",
            r#".chalice/config.json: app_name: is missing: name the app, as in "app_name": "todo""#,
        ),
        (
            r#"{"app_name": ""}"#,
            "dev",
            r#".chalice/config.json: app_name: must be a non-empty string, not """#,
        ),
        (
            "{not json",
            "dev",
            ".chalice/config.json: is not valid JSON: key must be a string at line 1 column 2",
        ),
        ("[]", "dev", ".chalice/config.json: must be a JSON object"),
        (
            r#"{"app_name": "a", "stages": []}"#,
            "dev",
            ".chalice/config.json: stages: must be an object of stage names to their settings, not []",
        ),
        (
            r#"{"app_name": "a", "stages": {"dev": {"lambda_memory_size": "lots"}}}"#,
            "dev",
            r#".chalice/config.json: stages.dev.lambda_memory_size: must be a whole number from 128 to 10240, not "lots""#,
        ),
        (
            r#"{"app_name": "a", "lambda_timeout": 901}"#,
            "dev",
            ".chalice/config.json: lambda_timeout: must be a whole number from 1 to 900, not 901",
        ),
        (
            r#"{"app_name": "a", "stages": {"dev": {"environment_variables": {"PORT": 8080}}}}"#,
            "dev",
            r#".chalice/config.json: stages.dev.environment_variables.PORT: must be a string, not 8080 (write it in quotes: "8080")"#,
        ),
        (
            r#"{"app_name": "a", "subnet_ids": ["s-1"]}"#,
            "dev",
            ".chalice/config.json: subnet_ids: is set without security_group_ids: a function in a VPC needs both (Lambda's VpcConfig)",
        ),
        (
            r#"{"app_name": "a", "security_group_ids": ["sg-1"]}"#,
            "dev",
            ".chalice/config.json: security_group_ids: is set without subnet_ids: a function in a VPC needs both (Lambda's VpcConfig)",
        ),
        (
            r#"{"app_name": "a", "lambda_functions": {"auth": {"subnet_ids": ["s-1"]}}}"#,
            "dev",
            ".chalice/config.json: lambda_functions.auth.subnet_ids: is set without security_group_ids: a function in a VPC needs both (Lambda's VpcConfig)",
        ),
        (
            r#"{"app_name": "a", "manage_iam_role": false}"#,
            "dev",
            ".chalice/config.json: iam_role_arn: is required when manage_iam_role is false: give the ARN of the role the function runs as",
        ),
        (
            r#"{"app_name": "a", "stages": {"prod": {"manage_iam_role": false}}}"#,
            "dev",
            ".chalice/config.json: stages.prod.iam_role_arn: is required when manage_iam_role is false: give the ARN of the role the function runs as",
        ),
        (
            r#"{"app_name": "a", "stages": {"dev": {"api_gateway_endpoint_type": "GLOBAL"}}}"#,
            "dev",
            r#".chalice/config.json: stages.dev.api_gateway_endpoint_type: must be one of EDGE, REGIONAL, PRIVATE, not "GLOBAL""#,
        ),
        (
            r#"{"app_name": "a", "lambda_architecture": "riscv"}"#,
            "dev",
            r#".chalice/config.json: lambda_architecture: must be "x86_64" or "arm64", not "riscv""#,
        ),
        (
            r#"{"app_name": "a", "log_retention_in_days": 2}"#,
            "dev",
            ".chalice/config.json: log_retention_in_days: must be one of CloudWatch's retention periods (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), not 2",
        ),
        (
            r#"{"app_name": "a", "layers": ["arn:1", 2]}"#,
            "dev",
            r#".chalice/config.json: layers: must be a list of strings, not ["arn:1",2]"#,
        ),
        (
            r#"{"app_name": "a", "xray": "yes"}"#,
            "dev",
            r#".chalice/config.json: xray: must be true or false, not "yes""#,
        ),
    ];
    for (text, stage_name, expected) in cases {
        let message = stage(text, stage_name).expect_err(text);
        assert_eq!(message, expected, "{text}");
    }
}

#[test]
fn the_default_stage_may_be_missing() {
    let config = stage(r#"{"app_name": "a"}"#, "dev").expect("dev falls back to the top level");
    assert_eq!(config.stage, "dev");
}

#[test]
fn one_vpc_endpoint_or_several() {
    let one = stage(
        r#"{"app_name": "a", "api_gateway_endpoint_vpce": "vpce-1"}"#,
        "dev",
    )
    .expect("one id");
    assert_eq!(one.api_gateway_endpoint_vpce, ["vpce-1"]);
    let two = stage(
        r#"{"app_name": "a", "stages": {"dev": {"api_gateway_endpoint_vpce": ["vpce-1", "vpce-2"]}}}"#,
        "dev",
    )
    .expect("two ids");
    assert_eq!(two.api_gateway_endpoint_vpce, ["vpce-1", "vpce-2"]);
}

#[test]
fn every_mistake_is_reported_at_once() {
    let message = stage(
        r#"{"app_name": "a", "lambda_timeout": 0, "xray": "on",
            "stages": {"dev": {"lambda_memory_size": 64, "environment_variables": {"PORT": 80}}}}"#,
        "dev",
    )
    .expect_err("four mistakes");
    assert_eq!(
        message,
        r#".chalice/config.json has 4 mistakes:
  stages.dev.environment_variables.PORT: must be a string, not 80 (write it in quotes: "80")
  stages.dev.lambda_memory_size: must be a whole number from 128 to 10240, not 64
  lambda_timeout: must be a whole number from 1 to 900, not 0
  xray: must be true or false, not "on""#
    );
}

#[test]
fn keys_not_acted_on_are_warned_about() {
    let cases: &[(&str, &[&str])] = &[
        (
            r#"{"version": "2.0", "app_name": "a", "stages": {"dev": {}}}"#,
            &[],
        ),
        (
            r#"{"app_name": "a", "stages": {"dev": {"lambda_timout": 30}}}"#,
            &[r#"stages.dev.lambda_timout: unknown key, ignored; did you mean "lambda_timeout"?"#],
        ),
        (
            r#"{"app_name": "a", "enviroment_variables": {}, "profile": "x"}"#,
            &[
                r#"enviroment_variables: unknown key, ignored; did you mean "environment_variables"?"#,
                "profile: unknown key, ignored",
            ],
        ),
        (
            r#"{"app_name": "a", "stages": {"prod": {"api_gateway_custom_domain":
                {"domain_name": "api.example.com", "certificate_arn": "arn:cert"}}}}"#,
            &[
                "stages.prod.api_gateway_custom_domain: not supported by chalice deploy yet: chalice package writes the domain and its base path mapping (SAM and Terraform); after chalice deploy, map a domain to the API's stage yourself",
            ],
        ),
        (
            r#"{"app_name": "a", "automatic_layer": true}"#,
            &[
                "automatic_layer: has no effect: it puts an app's Python dependencies in a Lambda layer, and a Rust app is one binary",
            ],
        ),
        (
            r#"{"app_name": "a", "lambda_functions": {"api_handler": {"api_gateway_stage": "v2", "lambda_memroy_size": 256}}}"#,
            &[
                "lambda_functions.api_handler.api_gateway_stage: applies to the stage as a whole, not to one function: move it to the stage or the top level; ignored here",
                r#"lambda_functions.api_handler.lambda_memroy_size: unknown key, ignored; did you mean "lambda_memory_size"?"#,
            ],
        ),
        (
            r#"{"app_name": "a", "stages": {"dev": {"app_name": "b"}}}"#,
            &[
                "stages.dev.app_name: belongs at the top level of the file, not in a stage; ignored here",
            ],
        ),
        (
            r#"{"app_name": "a", "autogen_policy": true}"#,
            &[
                "autogen_policy: true has no effect: the CLI can't read the AWS calls of a compiled binary to write a policy; the role gets chalice's default policy (logs, plus X-Ray and VPC when used) unless iam_policy_file names one (or autogen_policy is false, which uses .chalice/policy-<stage>.json, as Chalice does)",
            ],
        ),
    ];
    for (text, expected) in cases {
        let config = parse(text).expect(text);
        let warnings: Vec<String> = config.warnings().iter().map(ToString::to_string).collect();
        assert_eq!(warnings, *expected, "{text}");
    }
}

#[test]
fn autogen_policy_false_reads_the_stages_policy_file_as_chalice_does() {
    let cases = [
        (r#"{"app_name": "a"}"#, None),
        (
            r#"{"app_name": "a", "autogen_policy": false}"#,
            Some("policy-prod.json"),
        ),
        (
            r#"{"app_name": "a", "autogen_policy": false, "iam_policy_file": "mine.json"}"#,
            Some("mine.json"),
        ),
        (
            r#"{"app_name": "a", "iam_policy_file": "mine.json"}"#,
            Some("mine.json"),
        ),
    ];
    for (text, expected) in cases {
        let text = text.replace(
            r#""app_name": "a""#,
            r#""app_name": "a", "stages": {"prod": {}}"#,
        );
        let handler = stage(&text, "prod").expect(&text).api_handler();
        assert_eq!(handler.iam_policy_file.as_deref(), expected, "{text}");
    }
}
