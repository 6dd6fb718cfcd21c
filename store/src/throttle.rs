//! The `login_failures` table: sign-in attempts, counted per scope (the
//! service's: `pair:<address>/<email>`, `address:<ip>`, `account:<email>`)
//! over a sliding window, so every instance sharing the database throttles
//! alike; and `sign_in_addresses`, where each account signed in from.
//!
//! An attempt is reserved before its password is checked, in one write
//! transaction that counts and inserts ([`Db::reserve_login_attempt`]), so
//! concurrent attempts can never run more checks than a limit allows; a
//! reservation that succeeds is released ([`Db::release_login_attempt`]),
//! one that fails stays as the failure.

use sqlx::Row;

use crate::{Db, StoreError};

/// One rule an attempt is reserved under. Every rule's scope gets a row
/// for the attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptRule<'a> {
    /// At most `max` attempts of `scope` in the window; the next one is
    /// free when the oldest leaves the window.
    Limit {
        /// What is counted.
        scope: &'a str,
        /// Attempts allowed in the window.
        max: i64,
    },
    /// After `free` attempts of `scope` in the window, each further one
    /// waits after the latest: `first_ms` after the `free`-th, doubling
    /// with each attempt, at most `max_ms`.
    Pace {
        /// What is counted.
        scope: &'a str,
        /// Attempts without a wait.
        free: i64,
        /// The first wait.
        first_ms: i64,
        /// The longest wait.
        max_ms: i64,
    },
    /// Counted (for other attempts' rules), never refused.
    Count {
        /// What is counted.
        scope: &'a str,
    },
}

impl AttemptRule<'_> {
    fn scope(&self) -> &str {
        match self {
            Self::Limit { scope, .. } | Self::Pace { scope, .. } | Self::Count { scope } => scope,
        }
    }
}

/// What [`Db::reserve_login_attempt`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// The attempt is counted; its password may be checked.
    Reserved,
    /// Refused: no attempt is accepted before this time (Unix ms).
    Refused {
        /// When the rule that refused frees the next attempt.
        until: i64,
    },
}

/// The wait [`AttemptRule::Pace`] asks after `count` attempts.
fn pace_ms(count: i64, free: i64, first_ms: i64, max_ms: i64) -> i64 {
    let doublings = u32::try_from((count - free).clamp(0, 62)).unwrap_or(62);
    first_ms
        .checked_mul(1_i64 << doublings)
        .unwrap_or(max_ms)
        .min(max_ms)
}

impl Db {
    /// Reserves attempt `attempt` at `now` under `rules`, counting the
    /// attempts at or after `since`: refused when any rule refuses (nothing
    /// is written), otherwise one row per rule's scope. Counting and
    /// inserting are one write transaction, so concurrent attempts see
    /// each other's reservations.
    pub async fn reserve_login_attempt(
        &self,
        attempt: &str,
        rules: &[AttemptRule<'_>],
        now: i64,
        since: i64,
    ) -> Result<Reservation, StoreError> {
        let mut tx = self.write_tx().await?;
        let mut until: Option<i64> = None;
        for rule in rules {
            let refused_until = match *rule {
                AttemptRule::Count { .. } => None,
                AttemptRule::Limit { scope, max } => {
                    let row = sqlx::query(
                        "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures \
                         WHERE scope = $1 AND at >= $2",
                    )
                    .bind(scope)
                    .bind(since)
                    .fetch_one(&mut *tx)
                    .await?;
                    let count: i64 = row.try_get("n")?;
                    let oldest: Option<i64> = row.try_get("oldest")?;
                    // Free once the oldest is out: `since` past it.
                    (count >= max).then(|| oldest.unwrap_or(now) + (now - since) + 1)
                }
                AttemptRule::Pace {
                    scope,
                    free,
                    first_ms,
                    max_ms,
                } => {
                    let row = sqlx::query(
                        "SELECT COUNT(*) AS n, MAX(at) AS latest FROM login_failures \
                         WHERE scope = $1 AND at >= $2",
                    )
                    .bind(scope)
                    .bind(since)
                    .fetch_one(&mut *tx)
                    .await?;
                    let count: i64 = row.try_get("n")?;
                    let latest: Option<i64> = row.try_get("latest")?;
                    match latest {
                        Some(latest) if count >= free => {
                            let free_at = latest + pace_ms(count, free, first_ms, max_ms);
                            (free_at > now).then_some(free_at)
                        }
                        _ => None,
                    }
                }
            };
            if let Some(t) = refused_until {
                until = Some(until.map_or(t, |u| u.max(t)));
            }
        }
        if let Some(until) = until {
            tx.rollback().await?;
            return Ok(Reservation::Refused { until });
        }
        for rule in rules {
            sqlx::query("INSERT INTO login_failures (scope, at, attempt) VALUES ($1, $2, $3)")
                .bind(rule.scope())
                .bind(now)
                .bind(attempt)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Reservation::Reserved)
    }

    /// An attempt succeeded: its reservation goes, and so do the earlier
    /// failures of `clear_scope` (the pair of account and address that
    /// just proved its password); `account_id` is remembered as having
    /// signed in from `address` at `now`. One write transaction.
    pub async fn release_login_attempt(
        &self,
        attempt: &str,
        clear_scope: &str,
        account_id: &str,
        address: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM login_failures WHERE attempt = $1 OR scope = $2")
            .bind(attempt)
            .bind(clear_scope)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sign_in_addresses (account_id, address, signed_in_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, address) DO UPDATE SET signed_in_at = excluded.signed_in_at",
        )
        .bind(account_id)
        .bind(address)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the account with this email has signed in from `address`.
    pub async fn signed_in_before(&self, email: &str, address: &str) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM sign_in_addresses k JOIN accounts a ON a.id = k.account_id \
             WHERE a.email = $1 AND k.address = $2",
        )
        .bind(email)
        .bind(address)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Records one failed attempt for each scope and, when given, its audit
    /// entry, all in one transaction.
    pub async fn record_login_failure(
        &self,
        scopes: &[&str],
        now: i64,
        audit: Option<&crate::audit::AuditEntry>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        if let Some(entry) = audit {
            crate::audit::insert(&mut tx, entry).await?;
        }
        for scope in scopes {
            sqlx::query("INSERT INTO login_failures (scope, at) VALUES ($1, $2)")
                .bind(*scope)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Attempts of `scope` at or after `since`, and the oldest of them.
    pub async fn login_failures_since(
        &self,
        scope: &str,
        since: i64,
    ) -> Result<(i64, Option<i64>), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures WHERE scope = $1 AND at >= $2",
        )
        .bind(scope)
        .bind(since)
        .fetch_one(self.pool())
        .await?;
        Ok((row.try_get("n")?, row.try_get("oldest")?))
    }

    /// Forgets the failures of a scope.
    pub async fn clear_login_failures(&self, scope: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE scope = $1")
            .bind(scope)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Drops failures older than `before`.
    pub async fn prune_login_failures(&self, before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::pace_ms;

    #[test]
    fn the_pace_doubles_from_its_first_wait_up_to_its_cap() {
        let waits: Vec<i64> = (5..14).map(|n| pace_ms(n, 5, 1000, 60_000)).collect();
        assert_eq!(
            waits,
            [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]
        );
        assert_eq!(pace_ms(1_000_000, 5, 1000, 60_000), 60_000);
    }
}
