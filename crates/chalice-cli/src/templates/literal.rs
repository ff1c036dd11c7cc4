//! Text as a templating language reads it literally. Values from the app or its
//! configuration go through here before they land where a template engine interprets
//! strings, so that `${...}` in an environment variable stays text.

/// `text` as Terraform reads it literally inside a string: `${` (an interpolation) and `%{`
/// (a directive) escaped as `$${` and `%%{`, in object keys too
/// (<https://developer.hashicorp.com/terraform/language/syntax/json#expression-mapping>).
pub fn terraform(text: &str) -> String {
    text.replace("${", "$${").replace("%{", "%%{")
}

/// `text` as CloudFormation's `Fn::Sub` reads it literally: `${` would start a reference,
/// `${!` is its escape
/// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html>).
pub fn fn_sub(text: &str) -> String {
    text.replace("${", "${!")
}

#[cfg(test)]
mod tests {
    #[test]
    fn references_and_directives_are_escaped() {
        let cases = [
            ("plain", "plain", "plain"),
            ("${x}", "$${x}", "${!x}"),
            ("%{ if x }", "%%{ if x }", "%{ if x }"),
            ("$ {x} % {y}", "$ {x} % {y}", "$ {x} % {y}"),
        ];
        for (text, terraform, fn_sub) in cases {
            assert_eq!(super::terraform(text), terraform, "{text}");
            assert_eq!(super::fn_sub(text), fn_sub, "{text}");
        }
    }
}
