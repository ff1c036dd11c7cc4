//! A bridge until `generate-models` writes OpenAPI 3.0 itself (issue 11, item 2, on another
//! branch): the Swagger 2.0 document of [`crate::swagger`] rewritten as OpenAPI 3.0.1, which
//! API Gateway imports with the same `x-amazon-apigateway-*` extensions, and which is the
//! only version moto's emulator accepts. It knows only the shapes our generator writes:
//! `definitions` and `securityDefinitions` move under `components`, `$ref`s follow them,
//! a response's `schema` goes under `content`, a header's or parameter's `type` under
//! `schema`, and `consumes`, `produces` and `schemes` go. Delete this file when the
//! generator speaks 3.0.

use serde_json::{Map, Value, json};

/// `document` as OpenAPI 3.0.1; a document that is not Swagger 2.0 is returned as it is.
pub(crate) fn from_swagger2(document: &Value) -> Value {
    let Some(fields) = document.as_object() else {
        return document.clone();
    };
    if fields.get("swagger").and_then(Value::as_str) != Some("2.0") {
        return document.clone();
    }
    let mut converted = Map::new();
    converted.insert("openapi".into(), json!("3.0.1"));
    let mut components = Map::new();
    for (key, value) in fields {
        match key.as_str() {
            "swagger" | "schemes" | "consumes" | "produces" => {}
            "definitions" => {
                components.insert("schemas".into(), references(value));
            }
            "securityDefinitions" => {
                components.insert("securitySchemes".into(), value.clone());
            }
            "paths" => {
                converted.insert(key.clone(), paths(value));
            }
            _ => {
                converted.insert(key.clone(), value.clone());
            }
        }
    }
    if !components.is_empty() {
        converted.insert("components".into(), Value::Object(components));
    }
    Value::Object(converted)
}

fn paths(paths: &Value) -> Value {
    let Some(paths) = paths.as_object() else {
        return paths.clone();
    };
    paths
        .iter()
        .map(|(path, item)| {
            let item = match item.as_object() {
                Some(operations) => operations
                    .iter()
                    .map(|(method, operation)| (method.clone(), self::operation(operation)))
                    .collect::<Map<_, _>>()
                    .into(),
                None => item.clone(),
            };
            (path.clone(), item)
        })
        .collect::<Map<_, _>>()
        .into()
}

fn operation(operation: &Value) -> Value {
    let Some(fields) = operation.as_object() else {
        return operation.clone();
    };
    let produces: Vec<Value> = fields
        .get("produces")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_else(|| vec![json!("application/json")]);
    let mut converted = Map::new();
    for (key, value) in fields {
        match key.as_str() {
            "consumes" | "produces" => {}
            "parameters" => {
                let parameters: Vec<Value> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(typed_to_schema)
                    .collect();
                converted.insert(key.clone(), Value::Array(parameters));
            }
            "responses" => {
                let responses = value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(status, response)| (status.clone(), self::response(response, &produces)))
                    .collect::<Map<_, _>>();
                converted.insert(key.clone(), Value::Object(responses));
            }
            _ => {
                converted.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(converted)
}

fn response(response: &Value, produces: &[Value]) -> Value {
    let Some(fields) = response.as_object() else {
        return response.clone();
    };
    let mut converted = Map::new();
    for (key, value) in fields {
        match key.as_str() {
            "schema" => {
                let content: Map<String, Value> = produces
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|media| (media.to_owned(), json!({"schema": references(value)})))
                    .collect();
                converted.insert("content".into(), Value::Object(content));
            }
            "headers" => {
                let headers = value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, header)| (name.clone(), typed_to_schema(header)))
                    .collect::<Map<_, _>>();
                converted.insert(key.clone(), Value::Object(headers));
            }
            _ => {
                converted.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(converted)
}

/// A Swagger 2.0 header or parameter (`{"type": "string", ...}`) as OpenAPI 3.0 writes it
/// (`{"schema": {"type": "string"}, ...}`).
fn typed_to_schema(value: &Value) -> Value {
    let Some(fields) = value.as_object() else {
        return value.clone();
    };
    let mut converted = Map::new();
    let mut schema = Map::new();
    for (key, item) in fields {
        match key.as_str() {
            "type" | "format" | "items" | "enum" | "default" => {
                schema.insert(key.clone(), item.clone());
            }
            _ => {
                converted.insert(key.clone(), item.clone());
            }
        }
    }
    if !schema.is_empty() {
        converted.insert("schema".into(), Value::Object(schema));
    }
    Value::Object(converted)
}

/// `value` with `#/definitions/X` references pointing at `#/components/schemas/X`.
fn references(value: &Value) -> Value {
    match value {
        Value::String(text) if text.starts_with("#/definitions/") => {
            Value::String(text.replacen("#/definitions/", "#/components/schemas/", 1))
        }
        Value::Array(items) => items.iter().map(references).collect(),
        Value::Object(fields) => fields
            .iter()
            .map(|(key, item)| (key.clone(), references(item)))
            .collect::<Map<_, _>>()
            .into(),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swagger_becomes_openapi_3() {
        let swagger = json!({
            "swagger": "2.0",
            "info": {"version": "1.0", "title": "app"},
            "schemes": ["https"],
            "paths": {"/users/{name}": {
                "get": {
                    "consumes": ["application/json"], "produces": ["application/json"],
                    "parameters": [{"name": "name", "in": "path", "required": true, "type": "string"}],
                    "responses": {"200": {"description": "200 response",
                        "schema": {"$ref": "#/definitions/Empty"}}},
                    "security": [{"api_key": []}],
                    "x-amazon-apigateway-integration": {"type": "aws_proxy"}
                },
                "options": {
                    "responses": {"200": {"description": "200 response",
                        "headers": {"Access-Control-Allow-Origin": {"type": "string"}}}}
                }
            }},
            "definitions": {"Empty": {"type": "object", "title": "Empty Schema"}},
            "securityDefinitions": {"api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}},
            "x-amazon-apigateway-binary-media-types": ["image/png"]
        });
        let expected = json!({
            "openapi": "3.0.1",
            "info": {"version": "1.0", "title": "app"},
            "paths": {"/users/{name}": {
                "get": {
                    "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "200 response",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Empty"}}}}},
                    "security": [{"api_key": []}],
                    "x-amazon-apigateway-integration": {"type": "aws_proxy"}
                },
                "options": {
                    "responses": {"200": {"description": "200 response",
                        "headers": {"Access-Control-Allow-Origin": {"schema": {"type": "string"}}}}}
                }
            }},
            "components": {
                "schemas": {"Empty": {"type": "object", "title": "Empty Schema"}},
                "securitySchemes": {"api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}}
            },
            "x-amazon-apigateway-binary-media-types": ["image/png"]
        });
        assert_eq!(from_swagger2(&swagger), expected);
        let openapi = json!({"openapi": "3.0.1", "paths": {}});
        assert_eq!(from_swagger2(&openapi), openapi, "3.0 is left as it is");
    }
}
