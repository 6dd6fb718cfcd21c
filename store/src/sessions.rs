//! The `sessions` table behind tower-sessions, so sessions survive restarts
//! and are shared by every instance on one database.

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

fn expiry_ms(record: &Record) -> i64 {
    i64::try_from(record.expiry_date.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Retry on the (astronomically unlikely) id collision.
        loop {
            let json = serde_json::to_string(&*record).map_err(backend)?;
            let inserted =
                sqlx::query("INSERT INTO sessions (id, record, expires_at) VALUES ($1, $2, $3)")
                    .bind(record.id.to_string())
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
        let json = serde_json::to_string(record).map_err(backend)?;
        let id = record.id.to_string();
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
            .bind(id.to_string())
            .bind(crate::now_ms())
            .fetch_optional(self.db.pool())
            .await
            .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let json: String = row.try_get("record").map_err(backend)?;
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| session_store::Error::Decode(e.to_string()))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
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
/// under `account_id`), but `keep`, within a transaction.
pub(crate) async fn delete_sessions_in(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    keep: Option<&str>,
) -> Result<u64, StoreError> {
    let pattern = format!("%\"account_id\":\"{account_id}\"%");
    let done = sqlx::query("DELETE FROM sessions WHERE record LIKE $1 AND id <> $2")
        .bind(pattern)
        .bind(keep.unwrap_or(""))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
