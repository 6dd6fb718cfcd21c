//! The error type of every server function: a [`domain::ErrorKind`] that
//! travels as JSON, so the page sees exactly what the REST API would say.

use domain::ErrorKind;
use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// A server function's failure. Shown on a page it reads in plain words
/// (`Private key: …`, never `priv: …`; see [`AppError::plain`]); it travels
/// as the REST API's JSON (`field` + `message`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(transparent)]
#[error("{}", self.plain(&[]))]
pub struct AppError(pub ErrorKind);

impl From<ErrorKind> for AppError {
    fn from(kind: ErrorKind) -> Self {
        Self(kind)
    }
}

impl AppError {
    /// The message to show next to `field`, if this error is about it.
    pub fn for_field(&self, field: &str) -> Option<String> {
        (self.0.field() == Some(field)).then(|| match &self.0 {
            ErrorKind::InvalidInput { field, message } => unprefixed(field, message).to_owned(),
            other => other.to_string(),
        })
    }

    /// The message for the top of a form: any error not tied to one field.
    pub fn general(&self) -> Option<String> {
        self.0.field().is_none().then(|| self.0.to_string())
    }

    /// The error in plain words for a page: bad input names its field by
    /// its label (`labels`, the form's own, first; then [`label_of`]) and a
    /// part of it in words (`Scope, statement 1, Effect: …`), never the
    /// internal name, and never twice; every other kind says its sentence.
    pub fn plain(&self, labels: &[(&str, &str)]) -> String {
        match &self.0 {
            ErrorKind::InvalidInput { field, message } => {
                let message = unprefixed(field, message);
                match field_label(field, labels) {
                    Some(label) => format!("{label}: {message}"),
                    None => message.to_owned(),
                }
            }
            other => other.to_string(),
        }
    }
}

/// `message` without a leading copy of its own field's name
/// (`scope: scope: …` says it once).
pub fn unprefixed<'a>(field: &str, message: &'a str) -> &'a str {
    let mut message = message;
    while let Some(rest) = message
        .strip_prefix(field)
        .and_then(|r| r.strip_prefix(": "))
    {
        message = rest;
    }
    message
}

/// The words for a field (or a part of one, `scope.Statement[0].Effect`),
/// `None` for the request as a whole.
fn field_label(field: &str, labels: &[(&str, &str)]) -> Option<String> {
    let end = field.find(['.', '[']).unwrap_or(field.len());
    let (head, rest) = field.split_at(end);
    if head == "request" || head.is_empty() {
        return None;
    }
    let head = labels
        .iter()
        .find(|(f, _)| *f == head)
        .map(|(_, l)| (*l).to_owned())
        .or_else(|| label_of(head).map(str::to_owned))
        .unwrap_or_else(|| humanize(head));
    let parts = part_words(rest);
    Some(if parts.is_empty() {
        head
    } else {
        format!("{head}, {parts}")
    })
}

/// The rest of a field's path in words: `.Statement[0].Effect` reads
/// `statement 1, Effect`.
pub fn part_words(rest: &str) -> String {
    rest.split('.')
        .filter(|s| !s.is_empty())
        .map(|segment| {
            let mut words = Vec::new();
            let (name, indexes) = segment.split_once('[').unwrap_or((segment, ""));
            if !name.is_empty() {
                words.push(name.to_owned());
            }
            for index in indexes.split('[').map(|i| i.trim_end_matches(']')) {
                if let Ok(i) = index.parse::<usize>() {
                    match words.pop() {
                        Some(w) => words.push(format!("{} {}", w.to_lowercase(), i + 1)),
                        None => words.push(format!("item {}", i + 1)),
                    }
                }
            }
            words.join(" ")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The label every form gives a field of this name, when it has one.
pub fn label_of(field: &str) -> Option<&'static str> {
    Some(match field {
        "priv" | "private_key" => "Private key",
        "passphrase" => "Passphrase",
        "ttl_days" => "Lifetime in days",
        "scope" => "Scope",
        "role_id" => "Role",
        "username" => "Username",
        "email" => "Email",
        "password" => "Password",
        "password_confirm" => "Password again",
        "current_password" => "Current password",
        "name" => "Name",
        "new_name" | "new_id" => "New name",
        "title" => "Title",
        "provider" => "Provider",
        "apikey" => "API key",
        "apisecret" => "API secret",
        "apiurl" => "API URL",
        "region" => "Region",
        "tenant_name" => "Tenant",
        "machine_ip" => "Host address",
        "machine_key" => "SSH key",
        "machine_user" => "SSH user",
        "machine_port" => "SSH port",
        "poll_interval" => "Poll interval",
        "client_id" => "Client id",
        "code" => "Code",
        "algorithm" => "Algorithm",
        "command" => "Command",
        "script" => "Script",
        "tags" => "Tags",
        "default_image" => "Default image",
        _ => return None,
    })
}

/// An unknown field name in words: `poll_interval` reads `Poll interval`.
fn humanize(field: &str) -> String {
    let words = field.replace(['_', '-'], " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self(match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => {
                ErrorKind::invalid("request", m)
            }
            ServerFnErrorErr::Deserialization(m) => ErrorKind::invalid("request", m),
            ServerFnErrorErr::Request(m) | ServerFnErrorErr::Response(m) => {
                ErrorKind::Transport { message: m }
            }
            _ => ErrorKind::Internal,
        })
    }
}

impl AppError {
    /// The error a failed plain post (a browser without JavaScript, or a
    /// form sent before the page's code took over) carries back in the
    /// address: `__err`, the error's JSON in URL-safe base64. The browser
    /// decodes it with its own `atob`, so no page carries a base64 decoder;
    /// the server with server_fn's.
    pub fn from_address(text: &str) -> Self {
        #[cfg(feature = "hydrate")]
        {
            let standard: String = text
                .chars()
                .map(|c| match c {
                    '-' => '+',
                    '_' => '/',
                    c => c,
                })
                .collect();
            match web_sys::window().and_then(|w| w.atob(&standard).ok()) {
                // `atob` answers one character per byte.
                Some(bytes) => Self::de(
                    bytes
                        .chars()
                        .map(|c| c as u32 as u8)
                        .collect::<Vec<_>>()
                        .into(),
                ),
                None => Self::from_server_fn_error(ServerFnErrorErr::Deserialization(
                    "the error in the address is not base64".into(),
                )),
            }
        }
        #[cfg(not(feature = "hydrate"))]
        server_fn::error::ServerFnUrlError::<AppError>::decode_err(text)
    }
}

#[cfg(test)]
mod tests {
    use domain::ErrorKind;

    use super::AppError;

    fn invalid(field: &str, message: &str) -> AppError {
        AppError(ErrorKind::invalid(field, message))
    }

    #[test]
    fn a_field_is_named_by_its_label_and_said_once() {
        assert_eq!(
            invalid("priv", "not a private key").to_string(),
            "Private key: not a private key"
        );
        assert_eq!(
            invalid("scope", "scope: is not valid JSON").to_string(),
            "Scope: is not valid JSON"
        );
        assert_eq!(
            invalid("scope.Statement[0].Effect", "must be \"Allow\" or \"Deny\"").to_string(),
            "Scope, statement 1, Effect: must be \"Allow\" or \"Deny\""
        );
        assert_eq!(
            invalid("some_field", "is odd").to_string(),
            "Some field: is odd"
        );
        assert_eq!(
            invalid("request", "missing argument").to_string(),
            "missing argument"
        );
        assert_eq!(
            invalid("id", "is taken").plain(&[("id", "Name")]),
            "Name: is taken"
        );
    }

    #[test]
    fn other_kinds_keep_their_sentence() {
        let e = AppError(ErrorKind::NotFound {
            what: "key \"a\"".into(),
        });
        assert_eq!(e.to_string(), "key \"a\" not found");
    }
}
