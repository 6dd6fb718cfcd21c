//! The one error type every driver returns.

use crate::types::Action;

/// Why a driver call failed. Each variant carries a message fit to show the
/// operator (the provider's own reason where it gave one); none carries a
/// secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DriverError {
    /// The provider refused the credentials (401, or 403 that is not a quota).
    #[error("the provider refused the credentials: {0}")]
    BadCredentials(String),
    /// The machine (or other named resource) does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The account has reached a limit (machines, cores, addresses).
    #[error("quota reached: {0}")]
    Quota(String),
    /// The provider refused the request (its 4xx message), or the driver
    /// refused it before sending (a malformed id, tag or key).
    #[error("the provider refused the request: {0}")]
    InvalidRequest(String),
    /// This driver (or provider) cannot do that: the capability is off.
    #[error("not supported by {provider}: {what}")]
    Unsupported {
        /// The driver's provider name.
        provider: &'static str,
        /// What was asked (`"stop"`, `"tags"`).
        what: String,
    },
    /// It cannot be done as things stand: the machine's present state or
    /// set-up stands in the way (a host with neither root nor passwordless
    /// sudo to reboot with). Doing something first may change that.
    #[error("refused: {0}")]
    Refused(String),
    /// The provider did not answer usefully: 5xx or 429 after retries,
    /// timeouts, refused or dropped connections.
    #[error("the provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider answered something the driver cannot read.
    #[error("unreadable answer from the provider: {0}")]
    Protocol(String),
}

/// Whether `id` is a provider's integer id (at most 20 digits): ids that
/// go into a URL path are checked before they reach it.
pub(crate) fn is_numeric_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit())
}

impl DriverError {
    /// The error for an action whose capability is off.
    pub fn unsupported_action(provider: &'static str, action: Action) -> Self {
        DriverError::Unsupported {
            provider,
            what: action.as_str().to_owned(),
        }
    }

    /// The generic mapping of a final (after retries) HTTP error status and
    /// the provider's message; drivers refine it where the provider's codes
    /// say more (quota messages, for one).
    pub fn from_status(status: u16, message: String) -> Self {
        match status {
            401 | 403 => DriverError::BadCredentials(message),
            404 | 410 => DriverError::NotFound(message),
            429 => DriverError::Unavailable(format!("rate limited: {message}")),
            400..=499 => DriverError::InvalidRequest(message),
            500..=599 => DriverError::Unavailable(format!("HTTP {status}: {message}")),
            _ => DriverError::Protocol(format!("unexpected HTTP {status}: {message}")),
        }
    }

    /// Whether the failure is on the provider's side and may pass on its own
    /// (a backend in this state is `error`, not misconfigured).
    pub fn is_transient(&self) -> bool {
        matches!(self, DriverError::Unavailable(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_kinds_operators_act_on() {
        let m = || "m".to_owned();
        assert!(matches!(
            DriverError::from_status(401, m()),
            DriverError::BadCredentials(_)
        ));
        assert!(matches!(
            DriverError::from_status(404, m()),
            DriverError::NotFound(_)
        ));
        assert!(matches!(
            DriverError::from_status(422, m()),
            DriverError::InvalidRequest(_)
        ));
        assert!(matches!(
            DriverError::from_status(503, m()),
            DriverError::Unavailable(_)
        ));
        assert!(DriverError::from_status(429, m()).is_transient());
    }
}
