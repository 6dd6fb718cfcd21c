//! The `leases` and `instances` tables: who does which piece of background
//! work when several instances share the database.
//!
//! A lease names a piece of work by `(kind, key)` (`("poll", backend id)`,
//! `("script_run", run id)`, `("reaper", "script_runs")`) and the instance
//! that does it until `expires_at`. It is claimed by a compare-and-set that
//! succeeds only when the lease is absent or expired, so of any number of
//! instances claiming at once exactly one wins; its owner renews it while
//! the work goes on and releases it when done. An instance that stops
//! (crashes, is killed) renews nothing: its leases expire and the next
//! claimant takes over. Times are the caller's clock, Unix ms.

use sqlx::Row;

use crate::{Db, StoreError};

/// One lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// What sort of work: `poll`, `script_run`, `reaper`, ...
    pub kind: String,
    /// Which one (a backend id, a run id).
    pub key: String,
    /// The instance doing it.
    pub owner: String,
    /// Until when, Unix ms, unless renewed.
    pub expires_at: i64,
    /// When it was last claimed or renewed, Unix ms.
    pub beat_at: i64,
}

/// A running (or recently running) instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Its id (`InstanceId`).
    pub id: String,
    /// When it first said it was alive, Unix ms.
    pub started_at: i64,
    /// When it last said so, Unix ms.
    pub seen_at: i64,
}

impl Db {
    /// Claims lease `(kind, key)` for `owner` until `now + ttl_ms`: `true`
    /// when it was absent or expired (at `now`) and is now `owner`'s. An
    /// unexpired lease is not claimed again, even by its own owner. One
    /// statement, so concurrent claimants race on the row and one wins.
    pub async fn claim_lease(
        &self,
        kind: &str,
        key: &str,
        owner: &str,
        now: i64,
        ttl_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO leases (kind, key, owner, expires_at, beat_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (kind, key) DO UPDATE SET owner = excluded.owner, \
             expires_at = excluded.expires_at, beat_at = excluded.beat_at \
             WHERE leases.expires_at <= excluded.beat_at",
        )
        .bind(kind)
        .bind(key)
        .bind(owner)
        .bind(now.saturating_add(ttl_ms))
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Extends `owner`'s lease to `now + ttl_ms`: `false` when it is lost
    /// (expired at `now`, released, or taken over), in which case the work
    /// it covers is no longer this owner's.
    pub async fn renew_lease(
        &self,
        kind: &str,
        key: &str,
        owner: &str,
        now: i64,
        ttl_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE leases SET expires_at = $4, beat_at = $5 \
             WHERE kind = $1 AND key = $2 AND owner = $3 AND expires_at > $6",
        )
        .bind(kind)
        .bind(key)
        .bind(owner)
        .bind(now.saturating_add(ttl_ms))
        .bind(now)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Releases `owner`'s lease (nothing when it holds none): the next
    /// claimant gets it at once. `true` when one was released.
    pub async fn release_lease(
        &self,
        kind: &str,
        key: &str,
        owner: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM leases WHERE kind = $1 AND key = $2 AND owner = $3")
            .bind(kind)
            .bind(key)
            .bind(owner)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Releases every lease `owner` holds (an instance shutting down);
    /// returns how many.
    pub async fn release_leases_of(&self, owner: &str) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM leases WHERE owner = $1")
            .bind(owner)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Lease `(kind, key)`, expired or not.
    pub async fn lease(&self, kind: &str, key: &str) -> Result<Option<Lease>, StoreError> {
        let row = sqlx::query(
            "SELECT kind, key, owner, expires_at, beat_at FROM leases \
             WHERE kind = $1 AND key = $2",
        )
        .bind(kind)
        .bind(key)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(Lease {
                kind: row.try_get("kind")?,
                key: row.try_get("key")?,
                owner: row.try_get("owner")?,
                expires_at: row.try_get("expires_at")?,
                beat_at: row.try_get("beat_at")?,
            })
        })
        .transpose()
    }

    /// Deletes leases that expired before `before` (an expired lease and an
    /// absent one claim alike; this only keeps the table small). Returns
    /// how many.
    pub async fn prune_expired_leases(&self, before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM leases WHERE expires_at < $1")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Says instance `id` is alive at `now` (its row is created the first
    /// time).
    pub async fn instance_alive(&self, id: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO instances (id, started_at, seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
        )
        .bind(id)
        .bind(now)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every instance with a row, most recently seen first.
    pub async fn instances(&self) -> Result<Vec<Instance>, StoreError> {
        let rows =
            sqlx::query("SELECT id, started_at, seen_at FROM instances ORDER BY seen_at DESC, id")
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|row| {
                Ok(Instance {
                    id: row.try_get("id")?,
                    started_at: row.try_get("started_at")?,
                    seen_at: row.try_get("seen_at")?,
                })
            })
            .collect()
    }

    /// Removes instance `id`'s row (it stopped cleanly).
    pub async fn forget_instance(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM instances WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Removes the rows of instances last seen before `before` (gone
    /// without stopping cleanly); returns how many.
    pub async fn forget_instances_older_than(&self, before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM instances WHERE seen_at < $1")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
