//! The `api_tokens` table. Only a SHA-256 of each token is stored.

use sqlx::Row;

use crate::{Db, StoreError};

/// A stored API token (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Stable id, what revocation takes.
    pub id: String,
    /// The owner.
    pub account_id: String,
    /// The owner's label for it.
    pub name: String,
    /// An optional narrower scope document (JSON), intersected with the owner's rights.
    pub scope: Option<String>,
    /// Creation time, Unix ms.
    pub created_at: i64,
    /// Hard expiry, Unix ms.
    pub expires_at: Option<i64>,
    /// Last use, Unix ms (creation counts as a use).
    pub last_used_at: i64,
}

/// What it takes to store a token.
#[derive(Debug)]
pub struct NewApiToken<'a> {
    /// Fresh id.
    pub id: &'a str,
    /// Owner.
    pub account_id: &'a str,
    /// Label.
    pub name: &'a str,
    /// Hex SHA-256 of the token.
    pub token_hash: &'a str,
    /// Narrower scope, as JSON.
    pub scope: Option<&'a str>,
    /// Now, Unix ms.
    pub now: i64,
    /// Hard expiry, Unix ms.
    pub expires_at: Option<i64>,
}

const COLUMNS: &str = "id, account_id, name, scope, created_at, expires_at, last_used_at";

fn token(row: &sqlx::any::AnyRow) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        name: row.try_get("name")?,
        scope: row.try_get("scope")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

/// The one insert of a token's row.
async fn insert_token<'e, E>(on: E, t: &NewApiToken<'_>) -> Result<(), StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO api_tokens (id, account_id, name, token_hash, scope, created_at, expires_at, last_used_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $6)",
    )
    .bind(t.id)
    .bind(t.account_id)
    .bind(t.name)
    .bind(t.token_hash)
    .bind(t.scope)
    .bind(t.now)
    .bind(t.expires_at)
    .execute(on)
    .await?;
    Ok(())
}

impl Db {
    /// Stores a token's hash.
    pub async fn create_token(&self, t: NewApiToken<'_>) -> Result<(), StoreError> {
        insert_token(self.pool(), &t).await
    }

    /// Stores a token's hash unless its account holds `max` live tokens
    /// already (not expired at `t.now`, used at or after `used_since`):
    /// `false` then, and nothing is stored. Counting and inserting are one
    /// write transaction, so racing creations never pass the bound.
    pub async fn create_token_within(
        &self,
        t: NewApiToken<'_>,
        max: i64,
        used_since: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM api_tokens WHERE account_id = $1 \
             AND (expires_at IS NULL OR expires_at > $2) AND last_used_at >= $3",
        )
        .bind(t.account_id)
        .bind(t.now)
        .bind(used_since)
        .fetch_one(&mut *tx)
        .await?;
        if row.try_get::<i64, _>("n")? >= max {
            tx.rollback().await?;
            return Ok(false);
        }
        insert_token(&mut *tx, &t).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// One of an account's tokens, by id.
    pub async fn token_of(
        &self,
        account_id: &str,
        id: &str,
    ) -> Result<Option<ApiToken>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE account_id = $1 AND id = $2"
        ))
        .bind(account_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(token).transpose()
    }

    /// Finds the token with this hash.
    pub async fn token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(token).transpose()
    }

    /// Records a use of a token (only ever of one found valid).
    pub async fn touch_token(&self, id: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// An account's tokens, newest first.
    pub async fn tokens_of(&self, account_id: &str) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE account_id = $1 ORDER BY created_at DESC, id"
        ))
        .bind(account_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(token).collect()
    }

    /// Revokes one of an account's tokens; `false` when it has no such token.
    pub async fn delete_token(&self, account_id: &str, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM api_tokens WHERE account_id = $1 AND id = $2")
            .bind(account_id)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes tokens past their expiry or unused since `unused_before`.
    pub async fn delete_stale_tokens(
        &self,
        now: i64,
        unused_before: i64,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM api_tokens WHERE (expires_at IS NOT NULL AND expires_at <= $1) OR last_used_at < $2",
        )
        .bind(now)
        .bind(unused_before)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }
}

/// Revokes every token of an account within a transaction (a password
/// reset, a disable).
pub(crate) async fn delete_tokens_in(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM api_tokens WHERE account_id = $1")
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
