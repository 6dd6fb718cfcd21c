//! The `login_failures` table: failed sign-ins, counted per scope
//! (`account:<email>` or `address:<ip>`) over a sliding window, so every
//! instance sharing the database throttles alike.

use sqlx::Row;

use crate::{Db, StoreError};

impl Db {
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

    /// Failures of `scope` at or after `since`, and the oldest of them.
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

    /// Forgets the failures of a scope (after a successful sign-in).
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
