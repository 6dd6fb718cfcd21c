//! The `events` table: every change a page shows, in the order it
//! happened, kept for a bounded time (see `migrations/*/0013_events.sql`).
//!
//! Appending takes the write lock, so on PostgreSQL events commit in `seq`
//! order: a reader that has seen `seq` N never later finds a smaller one it
//! missed. On PostgreSQL the append also sends a notification (delivered at
//! commit) that [`EventWakeups`] hears on every instance, which then reads
//! the new rows; on SQLite (one instance) the appender wakes its own
//! readers.

use sqlx::{postgres::PgListener, Row};

use crate::{Db, DbKind, StoreError};

/// The PostgreSQL channel appends notify on.
pub const CHANNEL: &str = "overcast_events";

/// An event to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// When it happened, Unix ms.
    pub at: i64,
    /// What happened (`machine.changed`).
    pub kind: String,
    /// What it concerns (a resource path).
    pub resource: String,
    /// Its details, JSON.
    pub data: String,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Its place in the sequence.
    pub seq: i64,
    /// When it happened, Unix ms.
    pub at: i64,
    /// What happened.
    pub kind: String,
    /// What it concerns.
    pub resource: String,
    /// Its details, JSON.
    pub data: String,
}

impl Db {
    /// Appends `events` in one transaction, in order, and answers the
    /// sequence number of the last (`None` for none).
    pub async fn append_events(&self, events: &[NewEvent]) -> Result<Option<i64>, StoreError> {
        if events.is_empty() {
            return Ok(None);
        }
        let mut tx = self.write_tx().await?;
        let last = insert_events(&mut tx, self.kind(), events).await?;
        tx.commit().await?;
        Ok(last)
    }

    /// At most `limit` events after `seq`, oldest first.
    pub async fn events_after(&self, seq: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, kind, resource, data FROM events WHERE seq > $1 \
             ORDER BY seq LIMIT $2",
        )
        .bind(seq)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredEvent {
                    seq: r.try_get("seq")?,
                    at: r.try_get("at")?,
                    kind: r.try_get("kind")?,
                    resource: r.try_get("resource")?,
                    data: r.try_get("data")?,
                })
            })
            .collect()
    }

    /// The sequence numbers of the oldest and newest events kept (`None`
    /// when none are).
    pub async fn event_bounds(&self) -> Result<Option<(i64, i64)>, StoreError> {
        let row = sqlx::query("SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM events")
            .fetch_one(self.pool())
            .await?;
        let lo: Option<i64> = row.try_get("lo")?;
        let hi: Option<i64> = row.try_get("hi")?;
        Ok(lo.zip(hi))
    }

    /// Removes events older than `before` (Unix ms) and all but the newest
    /// `keep` ones; answers how many went.
    pub async fn prune_events(&self, before: i64, keep: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM events WHERE at < $1 \
             OR seq <= (SELECT COALESCE(MAX(seq), 0) FROM events) - $2",
        )
        .bind(before)
        .bind(keep)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// What wakes a reader when another instance appends (PostgreSQL); on
    /// SQLite nothing does, since every appender is in this process.
    pub async fn event_wakeups(&self) -> Result<EventWakeups, StoreError> {
        let listener = match (self.kind(), self.url()) {
            (DbKind::Postgres, Some(url)) => {
                let mut listener = PgListener::connect(url).await?;
                listener.listen(CHANNEL).await?;
                Some(listener)
            }
            _ => None,
        };
        Ok(EventWakeups { listener })
    }
}

/// Appends `events` inside `tx` (a write transaction: see [`Db::write_tx`]),
/// so they commit with the change they describe; answers the last one's
/// sequence number. On PostgreSQL every instance is notified at commit.
pub(crate) async fn insert_events(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    kind: DbKind,
    events: &[NewEvent],
) -> Result<Option<i64>, StoreError> {
    let mut last = None;
    for e in events {
        let row = sqlx::query(
            "INSERT INTO events (at, kind, resource, data) VALUES ($1, $2, $3, $4) \
             RETURNING seq",
        )
        .bind(e.at)
        .bind(&e.kind)
        .bind(&e.resource)
        .bind(&e.data)
        .fetch_one(&mut **tx)
        .await?;
        last = Some(row.try_get::<i64, _>("seq")?);
    }
    if kind == DbKind::Postgres {
        if let Some(seq) = last {
            sqlx::query("SELECT 1 AS sent FROM (SELECT pg_notify($1, $2)) AS n")
                .bind(CHANNEL)
                .bind(seq.to_string())
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(last)
}

/// Notifications that events were appended, from any instance.
#[derive(Debug)]
pub struct EventWakeups {
    listener: Option<PgListener>,
}

impl EventWakeups {
    /// Waits for the next notification and answers the newest sequence
    /// number it names. On SQLite it never answers. A lost connection is
    /// an error; the next call connects again (notifications sent while it
    /// was down are lost, so readers also look on a timer).
    pub async fn next(&mut self) -> Result<i64, StoreError> {
        match &mut self.listener {
            Some(listener) => {
                let n = listener.recv().await?;
                Ok(n.payload().parse().unwrap_or(0))
            }
            None => std::future::pending().await,
        }
    }
}
