//! The error type of every server function: a [`domain::ErrorKind`] that
//! travels as JSON, so the page sees exactly what the REST API would say.

use domain::ErrorKind;
use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// A server function's failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(transparent)]
#[error("{0}")]
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
            ErrorKind::InvalidInput { message, .. } => message.clone(),
            other => other.to_string(),
        })
    }

    /// The message for the top of a form: any error not tied to one field.
    pub fn general(&self) -> Option<String> {
        self.0.field().is_none().then(|| self.0.to_string())
    }
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
