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

/// The most of a provider's message an error quotes, in characters.
pub const EXCERPT_CHARS: usize = 200;

/// What an error quotes of a provider's message: at most
/// [`EXCERPT_CHARS`] characters, cut on a character boundary and ended
/// with `…` when cut, runs of whitespace (line breaks included) folded
/// into one space and other control characters left out. A provider's
/// message is shown to operators and kept in the audit log; an endpoint
/// that is not the provider (`apiurl` pointing elsewhere) must not get a
/// whole answer of its own quoted there.
pub fn excerpt(text: &str) -> String {
    let mut kept: Vec<char> = Vec::with_capacity(EXCERPT_CHARS + 1);
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            kept.push(' ');
        }
        let room = (EXCERPT_CHARS + 1).saturating_sub(kept.len());
        kept.extend(word.chars().filter(|c| !c.is_control()).take(room));
        if kept.len() > EXCERPT_CHARS {
            let mut cut: String = kept[..EXCERPT_CHARS - 1].iter().collect();
            cut.truncate(cut.trim_end().len());
            cut.push('…');
            return cut;
        }
    }
    kept.into_iter().collect()
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
    /// say more (quota messages, for one), quoting the message as an
    /// [`excerpt`] too.
    pub fn from_status(status: u16, message: String) -> Self {
        let message = excerpt(&message);
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

    #[test]
    fn an_excerpt_is_short_cut_on_a_character_and_marked() {
        assert_eq!(
            excerpt("  Invalid\n\tToken \u{1b}[31m "),
            "Invalid Token [31m"
        );
        let long = "é".repeat(1000);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS);
        assert!(cut.ends_with("é…"), "{cut}");
        assert_eq!(excerpt(&cut), cut, "an excerpt is its own excerpt");
        let exact = "x".repeat(EXCERPT_CHARS);
        assert_eq!(excerpt(&exact), exact);
        let words = "word ".repeat(100);
        let cut = excerpt(&words);
        assert!(
            cut.ends_with('…') && cut.chars().count() <= EXCERPT_CHARS,
            "{cut}"
        );
        assert!(!cut.contains(" …"), "no space before the mark: {cut}");
        match DriverError::from_status(400, long) {
            DriverError::InvalidRequest(m) => assert_eq!(m.chars().count(), EXCERPT_CHARS),
            other => panic!("{other:?}"),
        }
    }
}
