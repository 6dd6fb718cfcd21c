//! Sign-in throttling over a sliding window, decided before the password
//! is checked:
//! - an account from one address: [`MAX_PER_PAIR`] failures, then that
//!   address is refused for that account until the oldest leaves the window;
//! - an address across accounts: [`MAX_PER_ADDRESS`] failures;
//! - an account from everywhere is slowed down, never blocked: after
//!   [`ACCOUNT_FREE_FAILURES`] failures each further attempt waits
//!   [`FIRST_DELAY_MS`] after the latest, doubling, at most
//!   [`MAX_DELAY_MS`]; an address the account signed in from before is
//!   not slowed down (it is still held to its own limit).
//!
//! Each attempt is reserved in one write transaction before its password
//! is checked (`store::throttle`), so concurrent attempts never run more
//! checks than these limits allow. A success releases the reservation; a
//! failure keeps it, as the failure.

use domain::ErrorKind;
use store::{
    throttle::{AttemptRule, Reservation},
    Db,
};

use crate::internal;

/// Length of the window failures are counted over.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failures of one account from one address within the window before that
/// address is refused for that account.
pub const MAX_PER_PAIR: i64 = 5;
/// Failures from one address within the window, across accounts, before it
/// is refused.
pub const MAX_PER_ADDRESS: i64 = 20;
/// Failures of one account, from anywhere, before its attempts are paced.
pub const ACCOUNT_FREE_FAILURES: i64 = 5;
/// The first wait between paced attempts; it doubles with each failure.
pub const FIRST_DELAY_MS: i64 = 1000;
/// The longest wait between paced attempts.
pub const MAX_DELAY_MS: i64 = 60 * 1000;

/// A reserved sign-in attempt, to settle once the password is checked.
#[derive(Debug)]
pub struct Attempt {
    id: String,
    email: String,
    address: String,
}

fn pair(email: &str, address: &str) -> String {
    // An address never holds a '/', so the pair reads one way only.
    format!("pair:{address}/{email}")
}

/// Reserves an attempt to sign in to `email` from `address` at `now`, or
/// refuses with [`ErrorKind::Throttled`] saying when to try again.
pub async fn reserve(db: &Db, email: &str, address: &str, now: i64) -> Result<Attempt, ErrorKind> {
    let pair = pair(email, address);
    let by_address = format!("address:{address}");
    let account = format!("account:{email}");
    let known = db
        .signed_in_before(email, address)
        .await
        .map_err(internal)?;
    let account_rule = if known {
        AttemptRule::Count { scope: &account }
    } else {
        AttemptRule::Pace {
            scope: &account,
            free: ACCOUNT_FREE_FAILURES,
            first_ms: FIRST_DELAY_MS,
            max_ms: MAX_DELAY_MS,
        }
    };
    let rules = [
        AttemptRule::Limit {
            scope: &pair,
            max: MAX_PER_PAIR,
        },
        AttemptRule::Limit {
            scope: &by_address,
            max: MAX_PER_ADDRESS,
        },
        account_rule,
    ];
    let id = uuid::Uuid::new_v4().to_string();
    match db
        .reserve_login_attempt(&id, &rules, now, now - WINDOW_MS)
        .await
        .map_err(internal)?
    {
        Reservation::Reserved => Ok(Attempt {
            id,
            email: email.to_owned(),
            address: address.to_owned(),
        }),
        Reservation::Refused { until } => {
            let wait_ms = (until - now).max(1);
            // Whole seconds, rounded up: never "try again" too early.
            let secs = u64::try_from((wait_ms + 999) / 1000).unwrap_or(1);
            Err(ErrorKind::Throttled {
                retry_after_secs: secs,
            })
        }
    }
}

/// The attempt succeeded: its reservation and the earlier failures of the
/// account from this address are forgotten (not the address's across
/// accounts, nor the account's from elsewhere: one good password must not
/// unlock guessing), and the address is remembered as one the account
/// signs in from.
pub async fn succeeded(
    db: &Db,
    attempt: Attempt,
    account_id: &str,
    now: i64,
) -> Result<(), ErrorKind> {
    db.release_login_attempt(
        &attempt.id,
        &pair(&attempt.email, &attempt.address),
        account_id,
        &attempt.address,
        now,
    )
    .await
    .map_err(internal)
}
