//! The `password_links` table: at most one live link per account, stored as
//! the SHA-256 of its token.

use sqlx::Row;

use crate::{accounts::PasswordHash, Db, StoreError};

impl Db {
    /// Replaces the account's link with a new one.
    pub async fn put_password_link(
        &self,
        account_id: &str,
        token_hash: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM password_links WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO password_links (account_id, token_hash, expires_at, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(account_id)
        .bind(token_hash)
        .bind(expires_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uses a link: when it is live, sets the password, removes the link,
    /// ends the account's sessions and revokes its API tokens (a reset by
    /// the master) in one transaction, and returns the account id.
    pub async fn use_password_link(
        &self,
        token_hash: &str,
        hash: &PasswordHash,
        now: i64,
    ) -> Result<Option<String>, StoreError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "DELETE FROM password_links WHERE token_hash = $1 AND expires_at > $2 RETURNING account_id",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let account_id: String = row.try_get("account_id")?;
        sqlx::query("UPDATE accounts SET password_hash = $2 WHERE id = $1")
            .bind(&account_id)
            .bind(&hash.0)
            .execute(&mut *tx)
            .await?;
        let ending = crate::accounts::Ending {
            keep_session: None,
            revoke_tokens: true,
        };
        crate::accounts::end_access(&mut tx, &account_id, ending).await?;
        tx.commit().await?;
        Ok(Some(account_id))
    }
}
