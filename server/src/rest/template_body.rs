//! A stack template as a request body: JSON, or YAML when the content type
//! says so (`application/x-yaml`, `text/yaml`, as Mobingi's SDK sends),
//! with the request's own fields beside the template's taken out:
//! `on_failure` (apply) and `expected_version_id` (update; `If-Match` too).

use axum::{
    extract::{FromRequest, Request},
    http::header,
};
use domain::ErrorKind;
use serde_json::Value;

use crate::{http_error::ApiError, rest::extract::Text};

/// The template's JSON text and the request's own fields.
#[derive(Debug, Default)]
pub struct TemplateBody {
    /// The template, as JSON text (parsed, with every fault, by the service).
    pub text: String,
    /// `on_failure` given in the body.
    pub on_failure: Option<String>,
    /// `expected_version_id` given in the body, or `If-Match`.
    pub expected_version_id: Option<String>,
}

fn is_yaml(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    matches!(
        essence.to_ascii_lowercase().as_str(),
        "application/x-yaml" | "application/yaml" | "text/yaml" | "text/x-yaml"
    )
}

/// YAML to JSON text; a fault names its line and column.
pub fn yaml_to_json(text: &str) -> Result<String, ErrorKind> {
    let value: Value = serde_yaml_ng::from_str(text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
            .unwrap_or_default();
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message);
        ErrorKind::invalid("body", format!("invalid YAML{at}: {message}"))
    })?;
    Ok(value.to_string())
}

fn text_field(map: &mut serde_json::Map<String, Value>, name: &str) -> Option<String> {
    map.remove(name).map(|v| match v {
        Value::String(s) => s,
        other => other.to_string(),
    })
}

impl<S: Send + Sync> FromRequest<S> for TemplateBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let if_match = req
            .headers()
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.trim()
                    .trim_start_matches("W/")
                    .trim_matches('"')
                    .to_owned()
            })
            .filter(|v| !v.is_empty() && v != "*");
        let Text(raw) = Text::from_request(req, state).await?;
        let mut text = if is_yaml(&content_type) {
            yaml_to_json(&raw)?
        } else {
            raw
        };
        let mut body = TemplateBody {
            expected_version_id: if_match,
            ..TemplateBody::default()
        };
        // Only a JSON object can carry the request's fields; anything else
        // goes to the parser as it is, for its own precise error.
        if let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(&text) {
            let on_failure = text_field(&mut map, "on_failure");
            let expected = text_field(&mut map, "expected_version_id");
            if on_failure.is_some() || expected.is_some() {
                text = Value::Object(map).to_string();
            }
            body.on_failure = on_failure;
            if expected.is_some() {
                body.expected_version_id = expected;
            }
        }
        body.text = text;
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_becomes_the_same_json() {
        let yaml = "version: \"2017-03-03\"\nvendor:\n  aws:\n    cred: AKIA\nconfigurations:\n  - role: web\n    flag: Web01\n    provision:\n      instance_count: 2\n      keypair: true\n";
        let json: Value = serde_json::from_str(&yaml_to_json(yaml).unwrap()).unwrap();
        assert_eq!(json["vendor"]["aws"]["cred"], "AKIA");
        assert_eq!(json["configurations"][0]["provision"]["instance_count"], 2);
        assert_eq!(json["configurations"][0]["provision"]["keypair"], true);
    }

    #[test]
    fn broken_yaml_names_line_and_column() {
        let e = yaml_to_json("version: 1\nvendor: [a, b\nlabel: x\n").unwrap_err();
        let ErrorKind::InvalidInput { message, .. } = e else {
            panic!("not a 400: {e:?}")
        };
        assert!(message.contains("line"), "{message}");
        assert!(message.contains("column"), "{message}");
    }

    #[test]
    fn content_types_of_yaml() {
        assert!(is_yaml("application/x-yaml"));
        assert!(is_yaml("text/yaml; charset=utf-8"));
        assert!(!is_yaml("application/json"));
    }
}
