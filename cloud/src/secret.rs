//! Credentials held by drivers, kept out of `Debug` output and logs.

use std::fmt;

/// A credential (API token, secret key, password). Its `Debug` prints
/// `Secret("***")`; it implements neither `Display` nor `Serialize`, so it
/// can only leave through [`Secret::expose`], where a driver signs or sends
/// a request.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential in clear, for building a request.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_credential() {
        let s = Secret::new("dop_v1_abcdef");
        assert_eq!(format!("{s:?}"), "Secret(\"***\")");
        assert_eq!(s.expose(), "dop_v1_abcdef");
    }
}
