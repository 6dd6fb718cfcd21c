//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes).

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use domain::{ErrorKind, NewPassword};
use store::accounts::PasswordHash;

/// Hashes a new password into a PHC string.
pub fn hash(password: &NewPassword) -> Result<PasswordHash, ErrorKind> {
    let salt = SaltString::generate(&mut OsRng);
    let phc = Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map_err(crate::internal)?;
    Ok(PasswordHash(phc.to_string()))
}

/// Checks a candidate against a stored hash. `None` (no such account) still
/// spends the time of one verification, so timing does not reveal accounts.
pub fn verify(stored: Option<&PasswordHash>, candidate: &str) -> bool {
    match stored {
        Some(h) => check(&h.0, candidate),
        None => {
            if let Some(dummy) = dummy_hash() {
                let _ = check(dummy, candidate);
            }
            false
        }
    }
}

/// [`verify`] on a blocking thread: argon2 takes tens of milliseconds of
/// CPU, which on the async workers would stall every other request (HTTP
/// Basic runs it on every call).
pub async fn verify_off_workers(stored: Option<PasswordHash>, candidate: &str) -> bool {
    let candidate = candidate.to_owned();
    tokio::task::spawn_blocking(move || verify(stored.as_ref(), &candidate))
        .await
        .unwrap_or(false)
}

/// The stored "hash" of an account that cannot sign in (a service account).
pub const NO_LOGIN: &str = "!";

fn check(phc: &str, candidate: &str) -> bool {
    if phc == NO_LOGIN {
        return false;
    }
    let Ok(parsed) = argon2::PasswordHash::new(phc) else {
        tracing::error!("a stored password hash is not a valid PHC string");
        return false;
    };
    Argon2::default()
        .verify_password(candidate.as_bytes(), &parsed)
        .is_ok()
}

/// The hash of a random password nobody knows, made once per process.
fn dummy_hash() -> Option<&'static str> {
    static DUMMY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let secret = crate::credentials::random_hex(32).ok()?;
            let pw = NewPassword::parse(&secret).ok()?;
            hash(&pw).ok().map(|h| h.0)
        })
        .as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let pw = NewPassword::parse("correct horse battery").unwrap();
        let h = hash(&pw).unwrap();
        assert!(h.0.starts_with("$argon2id$"));
        assert!(verify(Some(&h), "correct horse battery"));
        assert!(!verify(Some(&h), "correct horse battery!"));
    }

    #[test]
    fn a_missing_account_never_verifies() {
        assert!(!verify(None, ""));
        assert!(!verify(None, "anything at all"));
    }
}
