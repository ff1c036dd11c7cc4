//! YAML for templates: writing `sam.yaml`, reading a YAML `--merge-template`.
//!
//! **Writing** is done here rather than by a serializer crate, because what reads the file
//! matters: CloudFormation and cfn-lint read YAML 1.1 (PyYAML's rules), where plain
//! `yes`, `off`, `2024-01-01`, `1:30` or `0755` are not the strings they look like; a
//! YAML 1.2 emitter writes them plain. This emitter writes a string plain only when it is
//! unambiguous under both versions (it starts with a letter or `/`, holds only a small set
//! of ASCII characters, and is not a boolean or null word) and double-quotes everything
//! else, with escapes for every character YAML does not allow raw. The output is block
//! style, two spaces per level, keys in the template's order.
//!
//! **Reading** uses `serde_norway` (a maintained fork of serde_yaml) and turns
//! CloudFormation's short-form tags into the long form, as Chalice's merge does:
//! `!Ref X` → `{"Ref": "X"}`, `!GetAtt A.B` → `{"Fn::GetAtt": ["A", "B"]}`, `!Sub s` →
//! `{"Fn::Sub": "s"}` and so on for every `!Name` (`Fn::Name`), `!Condition` staying
//! `Condition`.

use serde_json::{Map, Number, Value};
use serde_norway::Value as Yaml;

/// `value` as a YAML document.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => mapping(&mut out, map, 0, false),
        Value::Array(items) if !items.is_empty() => sequence(&mut out, items, 0, false),
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar));
        }
    }
    // Every line was started with a newline; the document starts without one.
    let mut document = out.trim_start_matches(['\n', ' ']).to_owned();
    document.push('\n');
    document
}

/// Writes the value that follows a `key:` or a `- `: a scalar on the same line, a
/// collection on the lines below at `indent`.
fn node(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => mapping(out, map, indent, false),
        Value::Array(items) if !items.is_empty() => sequence(out, items, indent, false),
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar));
        }
    }
}

/// Writes a mapping's entries at `indent`; with `compact`, the first entry goes on the
/// current line (after a sequence's `- `).
fn mapping(out: &mut String, map: &Map<String, Value>, indent: usize, compact: bool) {
    for (position, (key, value)) in map.iter().enumerate() {
        if position > 0 || !compact {
            out.push('\n');
            pad(out, indent);
        }
        out.push_str(&string_text(key));
        out.push(':');
        node(out, value, indent + 2);
    }
}

/// Writes a sequence's items at `indent`; with `compact`, the first item goes on the
/// current line (after an outer sequence's `- `).
fn sequence(out: &mut String, items: &[Value], indent: usize, compact: bool) {
    for (position, item) in items.iter().enumerate() {
        if position > 0 || !compact {
            out.push('\n');
            pad(out, indent);
        }
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                out.push(' ');
                mapping(out, map, indent + 2, true);
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push(' ');
                sequence(out, inner, indent + 2, true);
            }
            other => node(out, other, indent + 2),
        }
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => string_text(text),
        Value::Object(_) => "{}".to_owned(),
        Value::Array(_) => "[]".to_owned(),
    }
}

/// Words YAML 1.1 or 1.2 read as booleans or null when plain.
const RESERVED: [&str; 12] = [
    "y", "n", "yes", "no", "true", "false", "on", "off", "null", "nan", "inf", "infinity",
];

/// `text` plain when no YAML reader can take it for anything else, double-quoted otherwise.
fn string_text(text: &str) -> String {
    let starts_well = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '/');
    let safe_chars = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " _-./:@+,()".contains(c));
    let plain = starts_well
        && safe_chars
        && !text.ends_with([' ', ':'])
        && !text.contains(": ")
        && !text.contains("  ")
        && !RESERVED.contains(&text.to_ascii_lowercase().as_str());
    if plain {
        return text.to_owned();
    }
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            c if printable(c) => quoted.push(c),
            // Outside YAML's printable set, escaped; only BMP characters fall here.
            c => quoted.push_str(&format!("\\u{:04X}", u32::from(c))),
        }
    }
    quoted.push('"');
    quoted
}

/// YAML 1.1's printable characters, less the byte order mark and NEL (which some readers
/// take for a line break).
fn printable(c: char) -> bool {
    matches!(u32::from(c), 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..)
        && c != '\u{FEFF}'
}

/// Parses a YAML template into JSON values, CloudFormation's short tags expanded.
pub fn from_yaml(text: &str) -> Result<Value, String> {
    let yaml: Yaml = serde_norway::from_str(text).map_err(|error| error.to_string())?;
    to_json(yaml)
}

fn to_json(yaml: Yaml) -> Result<Value, String> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(flag) => Value::Bool(flag),
        Yaml::Number(number) => {
            if let Some(n) = number.as_i64() {
                Value::from(n)
            } else if let Some(n) = number.as_u64() {
                Value::from(n)
            } else {
                let float = number.as_f64().unwrap_or(f64::NAN);
                Value::Number(Number::from_f64(float).ok_or_else(|| {
                    format!("{number} is not a number JSON (and so CloudFormation) can hold")
                })?)
            }
        }
        Yaml::String(text) => Value::String(text),
        Yaml::Sequence(items) => items
            .into_iter()
            .map(to_json)
            .collect::<Result<Vec<_>, _>>()?
            .into(),
        Yaml::Mapping(entries) => {
            let mut map = Map::new();
            for (key, value) in entries {
                let key = match key {
                    Yaml::String(text) => text,
                    Yaml::Number(number) => number.to_string(),
                    Yaml::Bool(flag) => flag.to_string(),
                    other => {
                        return Err(format!(
                            "a mapping key must be a string, not {}",
                            serde_norway::to_string(&other)
                                .unwrap_or_default()
                                .trim_end()
                        ));
                    }
                };
                map.insert(key, to_json(value)?);
            }
            Value::Object(map)
        }
        Yaml::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let function = match name {
                "Ref" | "Condition" => name.to_owned(),
                _ => format!("Fn::{name}"),
            };
            let argument = match (name, tagged.value) {
                // `!GetAtt Resource.Attribute` is the short form of the list.
                ("GetAtt", Yaml::String(text)) => match text.split_once('.') {
                    Some((resource, attribute)) => {
                        Value::from(vec![resource.to_owned(), attribute.to_owned()])
                    }
                    None => {
                        return Err(format!(
                            "!GetAtt {text}: write it as Resource.Attribute, such as APIHandler.Arn"
                        ));
                    }
                },
                (_, value) => to_json(value)?,
            };
            let mut map = Map::new();
            map.insert(function, argument);
            Value::Object(map)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_are_plain_only_when_unambiguous() {
        let cases = [
            ("APIHandler", "APIHandler"),
            ("AWS::Serverless-2016-10-31", "AWS::Serverless-2016-10-31"),
            ("arn:aws:iam::123:role/x", "arn:aws:iam::123:role/x"),
            ("Empty Schema", "Empty Schema"),
            ("/", "/"),
            ("application/json", "application/json"),
            ("", r#""""#),
            ("200", r#""200""#),
            ("2010-09-09", r#""2010-09-09""#),
            ("1:30", r#""1:30""#),
            ("0755", r#""0755""#),
            ("yes", r#""yes""#),
            ("Off", r#""Off""#),
            ("null", r#""null""#),
            ("a: b", r#""a: b""#),
            ("key:", r#""key:""#),
            ("a #b", r##""a #b""##),
            (" lead", r#"" lead""#),
            ("/todos/{id}", r#""/todos/{id}""#),
            ("$ref", r#""$ref""#),
            ("'x'", r#""'x'""#),
            ("say \"hi\"\n", r#""say \"hi\"\n""#),
            ("café", r#""café""#),
            ("\u{7f}\u{85}\u{feff}", r#""\u007F\u0085\uFEFF""#),
            ("*", r#""*""#),
        ];
        for (text, expected) in cases {
            assert_eq!(string_text(text), expected, "{text:?}");
        }
    }

    #[test]
    fn documents_are_block_style() {
        let value = json!({
            "A": 1,
            "B": {"C": "x", "D": [1, "two", {"E": true, "F": null}, [], {}]},
            "G": [],
            "H": [["a", "b"]],
        });
        let expected = "\
A: 1
B:
  C: x
  D:
    - 1
    - two
    - E: true
      F: null
    - []
    - {}
G: []
H:
  - - a
    - b
";
        assert_eq!(to_yaml(&value), expected);
    }

    #[test]
    fn what_is_written_reads_back_the_same() {
        let value = json!({
            "strings": ["yes", "No", "~", "2024-01-01", "1_000", "0x1F", "1e3", ".5", "-",
                "- a", "? x", "a: b", "#c", "{x}", "[y]", "!Ref", "&a", "*a", "|", ">", "%x",
                "@x", "`x`", "tab\there", "line\nbreak", "quote\"s", "back\\slash", "ünïcode",
                "\u{1}\u{7f}", "\u{1F600}", " spaced ", "", "=", "<<"],
            "numbers": [0, -1, 1.5, 12345678901234567890u64],
            "keys": {"200": 1, "yes": 2, "": 3, "a b": 4, "x-amazon-apigateway-any-method": 5},
            "nested": [{"a": [{"b": {"c": []}}]}],
        });
        let text = to_yaml(&value);
        assert_eq!(from_yaml(&text), Ok(value), "{text}");
    }

    #[test]
    fn short_tags_become_intrinsic_functions() {
        let text = "\
Resources:
  Extra:
    Properties:
      Arn: !GetAtt APIHandler.Arn
      Name: !Ref APIHandler
      Url: !Sub 'https://${RestAPI}.example.com'
      Pick: !If [IsProd, !Ref A, !Ref B]
      Joined: !Join ['', [a, b]]
    Condition: !Condition IsProd
";
        assert_eq!(
            from_yaml(text),
            Ok(json!({"Resources": {"Extra": {
                "Properties": {
                    "Arn": {"Fn::GetAtt": ["APIHandler", "Arn"]},
                    "Name": {"Ref": "APIHandler"},
                    "Url": {"Fn::Sub": "https://${RestAPI}.example.com"},
                    "Pick": {"Fn::If": ["IsProd", {"Ref": "A"}, {"Ref": "B"}]},
                    "Joined": {"Fn::Join": ["", ["a", "b"]]},
                },
                "Condition": {"Condition": "IsProd"},
            }}}))
        );
    }

    #[test]
    fn unreadable_yaml_says_where() {
        let cases = [
            ("a: [1, 2", "line"),
            ("a: !GetAtt NoDot", "write it as Resource.Attribute"),
            ("? [1, 2]\n: x", "a mapping key must be a string"),
            ("a: .nan", "not a number JSON"),
        ];
        for (text, expected) in cases {
            let error = from_yaml(text).expect_err(text);
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }
}
