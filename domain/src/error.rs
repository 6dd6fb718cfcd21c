//! The one error model shared by server functions, the REST API and pages.

use serde::{Deserialize, Serialize};

/// What went wrong, in terms a caller can act on.
///
/// Internal causes are logged on the server and never carried here: the
/// `Internal` kind says only that the fault is ours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// A field of the request is missing or malformed.
    #[error("{field}: {message}")]
    InvalidInput {
        /// The field at fault, as named in the form or request body.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The request carries no valid credentials.
    #[error("sign-in required")]
    Unauthenticated,
    /// The request carries API credentials that are refused for a reason
    /// worth telling (an `Authorization` scheme Overcast does not know, a
    /// mist.io `email:token` pair that does not belong together).
    #[error("{reason}")]
    CredentialsRefused {
        /// Why, naming the scheme.
        reason: String,
    },
    /// Email or password wrong; deliberately does not say which.
    #[error("wrong email or password")]
    InvalidCredentials,
    /// Too many failed attempts from this account or address.
    #[error("too many failed sign-ins; try again in {retry_after_secs} s")]
    Throttled {
        /// Seconds until another attempt is accepted.
        retry_after_secs: u64,
    },
    /// A cookie-session request without the matching CSRF token.
    #[error("CSRF check failed: {reason}")]
    Csrf {
        /// Why the token was refused.
        reason: String,
    },
    /// The caller is known but may not do this.
    #[error("action not allowed")]
    Forbidden {
        /// The action that was refused, when it can be named.
        action: Option<String>,
    },
    /// The thing asked for does not exist (or is not visible to the caller).
    #[error("{what} not found")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// The request conflicts with the current state.
    #[error("{message}")]
    Conflict {
        /// What conflicts.
        message: String,
    },
    /// No master account exists yet; the installation must be set up first.
    #[error("Overcast is not set up yet: create the master account first")]
    SetupRequired,
    /// The server could not be reached or answered something unreadable.
    #[error("could not talk to the server: {message}")]
    Transport {
        /// What the client saw.
        message: String,
    },
    /// A machine or provider Overcast talks to failed or refused (host
    /// unreachable, timeout, key refused): the message says which.
    #[error("{message}")]
    Upstream {
        /// What happened, for the operator.
        message: String,
    },
    /// The request body is larger than the server reads.
    #[error("the request body is larger than {limit_bytes} bytes")]
    TooLarge {
        /// The most the server reads, in bytes.
        limit_bytes: u64,
    },
    /// A fault on the server; details are in the server log.
    #[error("internal error; the details are in the server log")]
    Internal,
}

impl ErrorKind {
    /// The HTTP status that carries this error.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::InvalidInput { .. } => 400,
            Self::Unauthenticated | Self::CredentialsRefused { .. } | Self::InvalidCredentials => {
                401
            }
            Self::Csrf { .. } | Self::Forbidden { .. } => 403,
            Self::NotFound { .. } => 404,
            Self::Conflict { .. } | Self::SetupRequired => 409,
            Self::TooLarge { .. } => 413,
            Self::Throttled { .. } => 429,
            Self::Transport { .. } | Self::Upstream { .. } => 502,
            Self::Internal => 500,
        }
    }

    /// Shorthand for [`ErrorKind::InvalidInput`].
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// The field this error belongs to, for showing it next to a form input.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::InvalidInput { field, .. } => Some(field),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_serialise_with_a_snake_case_tag_and_their_fields() {
        let json = serde_json::to_value(ErrorKind::invalid("email", "is empty")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": "invalid_input", "field": "email", "message": "is empty"})
        );
        let back: ErrorKind = serde_json::from_value(json).unwrap();
        assert_eq!(back.field(), Some("email"));
    }

    #[test]
    fn each_kind_maps_to_the_status_a_client_expects() {
        assert_eq!(ErrorKind::Unauthenticated.http_status(), 401);
        assert_eq!(
            ErrorKind::CredentialsRefused {
                reason: "unknown scheme".into()
            }
            .http_status(),
            401
        );
        assert_eq!(ErrorKind::Forbidden { action: None }.http_status(), 403);
        assert_eq!(
            ErrorKind::Csrf {
                reason: "missing".into()
            }
            .http_status(),
            403
        );
        assert_eq!(
            ErrorKind::Throttled {
                retry_after_secs: 3
            }
            .http_status(),
            429
        );
        assert_eq!(
            ErrorKind::TooLarge {
                limit_bytes: 2_097_152
            }
            .http_status(),
            413
        );
        assert_eq!(ErrorKind::Internal.http_status(), 500);
    }
}
