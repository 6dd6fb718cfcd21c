//! The `sessions` table behind tower-sessions, so sessions survive restarts
//! and are shared by every instance on one database. A session's id (the
//! cookie's value) is stored only as its SHA-256, like API tokens: a copy
//! of the table signs nobody in.
//!
//! Loading a signed-in session reads, in the same query, the account it is
//! signed in to and the rights generation (the `account_id` column, written
//! with every save from the record's [`ACCOUNT_FIELD`]), and hands them to
//! the service in the record's data under [`SIGNED_IN_KEY`]: one query for
//! each request a session makes instead of two. That key is never stored:
//! whatever a stored record holds under it is dropped on load, and it is
//! left out of every save.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, SessionStore},
};

use crate::{Db, StoreError};

/// Where a session's data names the account it is signed in to (the
/// service's `session::ACCOUNT_KEY`).
pub const ACCOUNT_FIELD: &str = "account_id";
/// Where a loaded record's data carries [`SignedIn`]; never stored.
pub const SIGNED_IN_KEY: &str = "__signed_in";

/// The account a session is signed in to, as it stood when the session was
/// loaded, with the rights generation of that moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    /// The account's id.
    pub id: String,
    /// Its email.
    pub email: String,
    /// Whether it is the master account.
    pub is_master: bool,
    /// Whether it is disabled.
    pub disabled: bool,
    /// The database's rights generation.
    pub rights_generation: i64,
}

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

/// The record as stored: without the id it answers to, nor what a load
/// added.
fn stored_record(record: &Record) -> session_store::Result<String> {
    let mut kept = record.clone();
    kept.id = Id(0);
    kept.data.remove(SIGNED_IN_KEY);
    serde_json::to_string(&kept).map_err(backend)
}

/// The account `record` is signed in to, for its `account_id` column.
fn account_of(record: &Record) -> Option<String> {
    record
        .data
        .get(ACCOUNT_FIELD)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// Inserts a session's row: its stored id, record, expiry and account.
fn insert<'q>(
    id: String,
    json: String,
    record: &Record,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query("INSERT INTO sessions (id, record, expires_at, account_id) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(json)
        .bind(expiry_ms(record))
        .bind(account_of(record))
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
            let inserted = insert(stored_id(&record.id.to_string()), json, record)
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
        let updated = sqlx::query(
            "UPDATE sessions SET record = $2, expires_at = $3, account_id = $4 WHERE id = $1",
        )
        .bind(&id)
        .bind(&json)
        .bind(expiry_ms(record))
        .bind(account_of(record))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if updated.rows_affected() == 0 {
            insert(id, json, record)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = sqlx::query(
            "SELECT s.record, a.id AS account, a.email, a.is_master, a.disabled, \
                    (SELECT generation FROM rights_generation WHERE id = 1) AS rights_generation \
             FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id \
             WHERE s.id = $1 AND s.expires_at > $2",
        )
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
        record.data.remove(SIGNED_IN_KEY);
        if let Some(signed_in) = signed_in(&row).map_err(backend)? {
            let value = serde_json::to_value(signed_in).map_err(backend)?;
            record.data.insert(SIGNED_IN_KEY.to_owned(), value);
        }
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

/// The account a loaded session's row joined, if any.
fn signed_in(row: &sqlx::any::AnyRow) -> Result<Option<SignedIn>, sqlx::Error> {
    let Some(id) = row.try_get::<Option<String>, _>("account")? else {
        return Ok(None);
    };
    Ok(Some(SignedIn {
        id,
        email: row.try_get("email")?,
        is_master: row.try_get::<i64, _>("is_master")? == 1,
        disabled: row.try_get::<i64, _>("disabled")? == 1,
        rights_generation: row.try_get("rights_generation")?,
    }))
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
    let pattern = format!("%\"{ACCOUNT_FIELD}\":\"{account_id}\"%");
    let done = sqlx::query("DELETE FROM sessions WHERE record LIKE $1 AND id <> $2")
        .bind(pattern)
        .bind(keep.map(stored_id).unwrap_or_default())
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
