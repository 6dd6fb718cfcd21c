//! Sign-in throttling, per account and per address, over a sliding window.

use domain::ErrorKind;
use store::Db;

use crate::internal;

/// Length of the window failures are counted over.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failures of one account within the window before it is throttled.
pub const MAX_PER_ACCOUNT: i64 = 5;
/// Failures from one address within the window before it is throttled.
pub const MAX_PER_ADDRESS: i64 = 20;

fn scopes(email: &str, address: &str) -> [(String, i64); 2] {
    [
        (format!("account:{email}"), MAX_PER_ACCOUNT),
        (format!("address:{address}"), MAX_PER_ADDRESS),
    ]
}

/// Refuses with [`ErrorKind::Throttled`] when either the account or the
/// address has used up its failures.
pub async fn check(db: &Db, email: &str, address: &str, now: i64) -> Result<(), ErrorKind> {
    for (scope, max) in scopes(email, address) {
        let (count, oldest) = db
            .login_failures_since(&scope, now - WINDOW_MS)
            .await
            .map_err(internal)?;
        if count >= max {
            let free_at = oldest.unwrap_or(now) + WINDOW_MS;
            let secs = u64::try_from((free_at - now).max(1000) / 1000).unwrap_or(1);
            return Err(ErrorKind::Throttled {
                retry_after_secs: secs,
            });
        }
    }
    Ok(())
}

/// Counts one failure against both the account and the address, with its
/// audit entry, in one transaction.
pub async fn record_failure(
    db: &Db,
    email: &str,
    address: &str,
    now: i64,
    audit: &store::audit::AuditEntry,
) -> Result<(), ErrorKind> {
    let [(a, _), (b, _)] = scopes(email, address);
    db.record_login_failure(&[&a, &b], now, Some(audit))
        .await
        .map_err(internal)
}

/// A successful sign-in clears the account's failures (not the address's:
/// one good password must not unlock guessing at other accounts).
pub async fn record_success(db: &Db, email: &str) -> Result<(), ErrorKind> {
    db.clear_login_failures(&format!("account:{email}"))
        .await
        .map_err(internal)
}
