//! Accounts: validated email addresses and passwords, and what a page knows
//! about the signed-in user.

use serde::{Deserialize, Serialize};

use crate::ErrorKind;

/// Shortest password accepted for a new account.
pub const MIN_PASSWORD_LEN: usize = 10;
/// Longest password accepted (bounds the hashing cost of a request).
pub const MAX_PASSWORD_LEN: usize = 1024;

/// A syntactically valid, lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Validates and normalises (trims, lower-cases) an address.
    pub fn parse(raw: &str) -> Result<Self, ErrorKind> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(ErrorKind::invalid("email", "is required"));
        }
        if email.len() > 254 {
            return Err(ErrorKind::invalid("email", "is longer than 254 characters"));
        }
        let Some((local, host)) = email.split_once('@') else {
            return Err(ErrorKind::invalid("email", "must contain an @"));
        };
        if local.is_empty() || host.is_empty() || host.contains('@') {
            return Err(ErrorKind::invalid(
                "email",
                "must look like name@example.com",
            ));
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ErrorKind::invalid("email", "must not contain spaces"));
        }
        Ok(Self(email))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = ErrorKind;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password chosen for a new account, checked against the length rules.
///
/// It deliberately implements neither `Serialize` nor a revealing `Debug`.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    /// Checks a proposed password.
    pub fn parse(raw: &str) -> Result<Self, ErrorKind> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_LEN {
            return Err(ErrorKind::invalid(
                "password",
                format!("must be at least {MIN_PASSWORD_LEN} characters"),
            ));
        }
        if raw.len() > MAX_PASSWORD_LEN {
            return Err(ErrorKind::invalid(
                "password",
                format!("must be at most {MAX_PASSWORD_LEN} bytes"),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

/// What every page knows about the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SessionInfo {
    /// The signed-in account's email, if anyone is signed in.
    pub email: Option<String>,
    /// Whether the signed-in account is the master account.
    pub is_master: bool,
    /// The CSRF token forms must carry (empty when signed out).
    pub csrf_token: String,
    /// Whether a master account exists yet.
    pub set_up: bool,
    /// The master requires two-factor sign-in and this account has none:
    /// the session may only enrol (the account page) until it does.
    #[serde(default)]
    pub enrol_two_factor: bool,
    /// The sections the signed-in account may open (the navigation shows
    /// only these).
    #[serde(default)]
    pub sections: crate::rights::Sections,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(
            Email::parse("  Ops@Example.COM ").unwrap().as_str(),
            "ops@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_refused_with_the_reason() {
        for (raw, why) in [
            ("", "is required"),
            ("nobody", "must contain an @"),
            ("@example.com", "must look like"),
            ("a@b@c", "must look like"),
            ("a b@example.com", "must not contain spaces"),
        ] {
            let err = Email::parse(raw).unwrap_err();
            assert_eq!(err.field(), Some("email"), "{raw}");
            assert!(err.to_string().contains(why), "{raw}: {err}");
        }
    }

    #[test]
    fn short_passwords_are_refused_and_debug_never_shows_one() {
        assert!(NewPassword::parse("short").is_err());
        let ok = NewPassword::parse("correct horse battery").unwrap();
        assert_eq!(format!("{ok:?}"), "NewPassword(<redacted>)");
    }
}
