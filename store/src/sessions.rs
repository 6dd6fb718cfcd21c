//! The `sessions` table behind tower-sessions, so sessions survive restarts
//! and are shared by every instance on one database. A session's id (the
//! cookie's value) is stored only as its SHA-256, like API tokens: a copy
//! of the table signs nobody in.

use async_trait::async_trait;
use sqlx::Row;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, SessionStore},
};

use crate::{Db, StoreError};

/// A tower-sessions store over [`Db`].
#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    /// Wraps a connected database.
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

/// What the table keeps of a session id: its SHA-256, in hex.
pub fn stored_id(id: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The record as stored: without the id it answers to.
fn stored_record(record: &Record) -> session_store::Result<String> {
    let mut kept = record.clone();
    kept.id = Id(0);
    serde_json::to_string(&kept).map_err(backend)
}

fn expiry_ms(record: &Record) -> i64 {
    i64::try_from(record.expiry_date.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Retry on the (astronomically unlikely) id collision.
        loop {
            let json = stored_record(record)?;
            let inserted =
                sqlx::query("INSERT INTO sessions (id, record, expires_at) VALUES ($1, $2, $3)")
                    .bind(stored_id(&record.id.to_string()))
                    .bind(json)
                    .bind(expiry_ms(record))
                    .execute(self.db.pool())
                    .await;
            match inserted {
                Ok(_) => return Ok(()),
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    record.id = Id::default();
                }
                Err(e) => return Err(backend(e)),
            }
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let json = stored_record(record)?;
        let id = stored_id(&record.id.to_string());
        let mut tx = self.db.write_tx().await.map_err(backend)?;
        let updated = sqlx::query("UPDATE sessions SET record = $2, expires_at = $3 WHERE id = $1")
            .bind(&id)
            .bind(&json)
            .bind(expiry_ms(record))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if updated.rows_affected() == 0 {
            sqlx::query("INSERT INTO sessions (id, record, expires_at) VALUES ($1, $2, $3)")
                .bind(&id)
                .bind(&json)
                .bind(expiry_ms(record))
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = sqlx::query("SELECT record FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(stored_id(&id.to_string()))
            .bind(crate::now_ms())
            .fetch_optional(self.db.pool())
            .await
            .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let json: String = row.try_get("record").map_err(backend)?;
        let mut record: Record =
            serde_json::from_str(&json).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        record.id = *id;
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(stored_id(&id.to_string()))
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}

impl Db {
    /// Removes expired sessions; returns how many.
    pub async fn delete_expired_sessions(&self, now: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Ends every session of `account_id` (sign-out everywhere).
    pub async fn delete_sessions_of(&self, account_id: &str) -> Result<u64, StoreError> {
        let mut conn = self.pool().acquire().await?;
        delete_sessions_in(&mut conn, account_id, None).await
    }
}

/// Ends the sessions whose record names `account_id` (the service keeps it
/// under `account_id`), but `keep` (a session id as the cookie carries it),
/// within a transaction.
pub(crate) async fn delete_sessions_in(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    keep: Option<&str>,
) -> Result<u64, StoreError> {
    let pattern = format!("%\"account_id\":\"{account_id}\"%");
    let done = sqlx::query("DELETE FROM sessions WHERE record LIKE $1 AND id <> $2")
        .bind(pattern)
        .bind(keep.map(stored_id).unwrap_or_default())
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
