//! Two-factor sign-in (TOTP, RFC 6238) as the pages and the API show it.

use serde::{Deserialize, Serialize};

/// How many recovery codes an enrolment gets.
pub const RECOVERY_CODES: usize = 10;

/// The caller's own two-factor sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorStatus {
    /// Whether sign-in asks for a code (the enrolment is confirmed).
    pub enabled: bool,
    /// Recovery codes not used yet.
    pub recovery_codes_left: i64,
    /// Whether the master requires two-factor sign-in of every account.
    pub required: bool,
    /// An enrolment begun and not confirmed yet: what to scan or type.
    pub pending: Option<Enrolment>,
}

/// What an authenticator needs: the secret, as text, as a URI, and as a
/// QR code of that URI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrolment {
    /// The secret in base32 (RFC 4648, no padding), to type in.
    pub secret: String,
    /// `otpauth://totp/Overcast:<email>?secret=...&issuer=Overcast`.
    pub uri: String,
    /// The URI as a QR code: a `data:image/svg+xml;base64,...` URI.
    pub qr_image: String,
}

/// Whether `code` reads as an authenticator's code (six digits, spaces
/// allowed) rather than a recovery code.
pub fn is_totp_code(code: &str) -> bool {
    let digits: Vec<char> = code.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == 6 && digits.iter().all(char::is_ascii_digit)
}

/// A recovery code as typed, reduced to what is compared: lower case,
/// without spaces or dashes.
pub fn normalise_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_are_a_totp_code_and_anything_else_a_recovery_code() {
        assert!(is_totp_code("123456"));
        assert!(is_totp_code(" 123 456 "));
        assert!(!is_totp_code("12345"));
        assert!(!is_totp_code("abcd-efgh-ijkl-mnop"));
        assert_eq!(normalise_recovery_code(" ABCD-efgh ijkl"), "abcdefghijkl");
    }
}
