//! The scope document of a role:
//! `{"version": "2017-05-05", "Statement": [{"Effect", "Action", "Resource"}]}`,
//! with lower-case keys accepted too, and every fault reported with the
//! statement and field it is in.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{actions::ACTIONS, glob::glob_match};
use crate::ErrorKind;

/// The policy language version Overcast speaks.
pub const POLICY_VERSION: &str = "2017-05-05";

/// Whether a statement grants or refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Effect {
    /// Grants the actions on the resources (unless something denies them).
    Allow,
    /// Refuses them, whatever else allows them.
    Deny,
}

/// One rule of a policy. Actions are kept lower-cased (they compare
/// case-insensitively); resources as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// Allow or deny.
    #[serde(rename = "Effect")]
    pub effect: Effect,
    /// Action patterns, e.g. `view:*`.
    #[serde(rename = "Action")]
    pub actions: Vec<String>,
    /// Resource patterns, e.g. `backend/b1/machine/*`.
    #[serde(rename = "Resource")]
    pub resources: Vec<String>,
}

/// A role's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Always [`POLICY_VERSION`].
    pub version: String,
    /// The rules.
    #[serde(rename = "Statement")]
    pub statements: Vec<Statement>,
}

fn bad(field: String, message: impl Into<String>) -> ErrorKind {
    ErrorKind::InvalidInput {
        field,
        message: message.into(),
    }
}

/// Reads `key` or its lower-case spelling; both at once is ambiguous.
fn take<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Option<&'a Value>, ErrorKind> {
    let lower = key.to_lowercase();
    match (obj.get(key), obj.get(&lower)) {
        (Some(_), Some(_)) if key != lower => Err(bad(
            format!("{at}.{key}"),
            format!("give either {key} or {lower}, not both"),
        )),
        (Some(v), _) | (None, Some(v)) => Ok(Some(v)),
        (None, None) => Ok(None),
    }
}

fn reject_unknown(obj: &Map<String, Value>, known: &[&str], at: &str) -> Result<(), ErrorKind> {
    for key in obj.keys() {
        if !known.iter().any(|k| k == key || k.to_lowercase() == *key) {
            return Err(bad(
                format!("{at}.{key}"),
                format!("unknown field; expected {}", known.join(", ")),
            ));
        }
    }
    Ok(())
}

/// A string or a non-empty array of non-empty strings.
fn strings(value: &Value, at: &str) -> Result<Vec<String>, ErrorKind> {
    let items: Vec<&Value> = match value {
        Value::String(_) => vec![value],
        Value::Array(a) if a.is_empty() => return Err(bad(at.into(), "must not be empty")),
        Value::Array(a) => a.iter().collect(),
        _ => return Err(bad(at.into(), "must be a string or an array of strings")),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
            Value::String(_) => Err(bad(format!("{at}[{i}]"), "must not be empty")),
            _ => Err(bad(format!("{at}[{i}]"), "must be a string")),
        })
        .collect()
}

fn check_action(pattern: &str, at: &str) -> Result<(), ErrorKind> {
    if pattern == "*" {
        return Ok(());
    }
    if !pattern.contains(':') {
        return Err(bad(
            at.into(),
            format!("`{pattern}` is not of the form verb:resource_type"),
        ));
    }
    if !ACTIONS.iter().any(|a| glob_match(pattern, a.name)) {
        return Err(bad(
            at.into(),
            format!("`{pattern}` matches no known action"),
        ));
    }
    Ok(())
}

impl Policy {
    /// Parses and validates a scope document.
    pub fn parse(value: &Value) -> Result<Self, ErrorKind> {
        let Value::Object(obj) = value else {
            return Err(bad("scope".into(), "must be a JSON object"));
        };
        reject_unknown(obj, &["Version", "Statement"], "scope")?;
        let version = match take(obj, "Version", "scope")? {
            None => POLICY_VERSION.to_owned(),
            Some(Value::String(v)) if v == POLICY_VERSION => v.clone(),
            Some(_) => {
                return Err(bad(
                    "scope.version".into(),
                    format!("must be \"{POLICY_VERSION}\""),
                ))
            }
        };
        let statements = match take(obj, "Statement", "scope")? {
            Some(Value::Array(s)) if !s.is_empty() => s,
            Some(Value::Array(_)) => {
                return Err(bad("scope.Statement".into(), "must not be empty"))
            }
            Some(_) => {
                return Err(bad(
                    "scope.Statement".into(),
                    "must be an array of statements",
                ))
            }
            None => return Err(bad("scope.Statement".into(), "is required")),
        };
        let statements = statements
            .iter()
            .enumerate()
            .map(|(i, s)| Self::parse_statement(s, &format!("scope.Statement[{i}]")))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            version,
            statements,
        })
    }

    fn parse_statement(value: &Value, at: &str) -> Result<Statement, ErrorKind> {
        let Value::Object(obj) = value else {
            return Err(bad(at.into(), "must be an object"));
        };
        reject_unknown(obj, &["Effect", "Action", "Resource"], at)?;
        let effect = match take(obj, "Effect", at)? {
            Some(Value::String(e)) if e.eq_ignore_ascii_case("allow") => Effect::Allow,
            Some(Value::String(e)) if e.eq_ignore_ascii_case("deny") => Effect::Deny,
            Some(_) => return Err(bad(format!("{at}.Effect"), "must be \"Allow\" or \"Deny\"")),
            None => return Err(bad(format!("{at}.Effect"), "is required")),
        };
        let Some(actions) = take(obj, "Action", at)? else {
            return Err(bad(format!("{at}.Action"), "is required"));
        };
        let actions = strings(actions, &format!("{at}.Action"))?
            .into_iter()
            .map(|a| a.to_ascii_lowercase())
            .collect::<Vec<_>>();
        for (i, a) in actions.iter().enumerate() {
            check_action(a, &format!("{at}.Action[{i}]"))?;
        }
        let Some(resources) = take(obj, "Resource", at)? else {
            return Err(bad(format!("{at}.Resource"), "is required"));
        };
        let resources = strings(resources, &format!("{at}.Resource"))?;
        Ok(Statement {
            effect,
            actions,
            resources,
        })
    }

    /// Parses a scope document given as JSON text.
    pub fn parse_str(text: &str) -> Result<Self, ErrorKind> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| bad("scope".into(), format!("is not valid JSON: {e}")))?;
        Self::parse(&value)
    }

    /// A policy of one statement.
    pub fn single(effect: Effect, actions: &[&str], resources: &[&str]) -> Self {
        Self {
            version: POLICY_VERSION.to_owned(),
            statements: vec![Statement {
                effect,
                actions: actions.iter().map(|a| a.to_ascii_lowercase()).collect(),
                resources: resources.iter().map(|r| (*r).to_owned()).collect(),
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_mobingi_shape_and_its_lower_case_spelling_both_parse() {
        let upper = Policy::parse(&json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:machine", "Reboot:Machine"], "Resource": ["*"]}
        ]}))
        .unwrap();
        let lower = Policy::parse(&json!({"statement": [
            {"effect": "allow", "action": ["view:machine", "reboot:machine"], "resource": "*"}
        ]}))
        .unwrap();
        assert_eq!(upper, lower);
        assert_eq!(upper.statements[0].actions[1], "reboot:machine");
    }

    #[test]
    fn each_fault_names_its_statement_and_field() {
        let cases = [
            (json!([]), "scope", "JSON object"),
            (json!({"Statement": []}), "scope.Statement", "not be empty"),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "*"}]}),
                "scope.Statement[0].Resource",
                "required",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Maybe", "Action": "*", "Resource": "*"}]}),
                "scope.Statement[1].Effect",
                "Allow",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": ["fly:machine"], "Resource": "*"}]}),
                "scope.Statement[0].Action[0]",
                "no known action",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": ["view"], "Resource": "*"}]}),
                "scope.Statement[0].Action[0]",
                "verb:resource_type",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": [""]}]}),
                "scope.Statement[0].Resource[0]",
                "empty",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {}}]}),
                "scope.Statement[0].Condition",
                "unknown field",
            ),
            (
                json!({"version": "2012-10-17", "Statement": []}),
                "scope.version",
                "2017-05-05",
            ),
        ];
        for (doc, field, words) in cases {
            let err = Policy::parse(&doc).unwrap_err();
            assert_eq!(err.field(), Some(field), "{doc}");
            assert!(err.to_string().contains(words), "{doc}: {err}");
        }
    }
}
