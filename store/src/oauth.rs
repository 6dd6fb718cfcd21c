//! The `oauth_clients` table.

use sqlx::Row;

use crate::{Db, StoreError};

/// A stored OAuth client (the secret only as its SHA-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClient {
    /// The public client id.
    pub client_id: String,
    /// The service account the client acts as.
    pub account_id: String,
    /// A label.
    pub name: String,
    /// Hex SHA-256 of the secret.
    pub secret_hash: String,
    /// Creation time, Unix ms.
    pub created_at: i64,
}

fn client(row: &sqlx::any::AnyRow) -> Result<OAuthClient, StoreError> {
    Ok(OAuthClient {
        client_id: row.try_get("client_id")?,
        account_id: row.try_get("account_id")?,
        name: row.try_get("name")?,
        secret_hash: row.try_get("secret_hash")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Db {
    /// Stores a client and its service account in one transaction.
    pub async fn create_oauth_client(
        &self,
        c: &OAuthClient,
        account_email: &str,
        username: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO accounts (id, email, username, name, password_hash, is_master, disabled, created_at) \
             VALUES ($1, $2, $3, $4, '!', 0, 0, $5)",
        )
        .bind(&c.account_id)
        .bind(account_email)
        .bind(username)
        .bind(&c.name)
        .bind(c.created_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO oauth_clients (client_id, account_id, name, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&c.client_id)
        .bind(&c.account_id)
        .bind(&c.name)
        .bind(&c.secret_hash)
        .bind(c.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One client.
    pub async fn oauth_client(&self, client_id: &str) -> Result<Option<OAuthClient>, StoreError> {
        let row = sqlx::query("SELECT client_id, account_id, name, secret_hash, created_at FROM oauth_clients WHERE client_id = $1")
            .bind(client_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(client).transpose()
    }

    /// Every client.
    pub async fn oauth_clients(&self) -> Result<Vec<OAuthClient>, StoreError> {
        let rows = sqlx::query("SELECT client_id, account_id, name, secret_hash, created_at FROM oauth_clients ORDER BY name")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(client).collect()
    }

    /// Deletes a client with its service account (and so its tokens and roles).
    pub async fn delete_oauth_client(&self, client_id: &str) -> Result<bool, StoreError> {
        let Some(c) = self.oauth_client(client_id).await? else {
            return Ok(false);
        };
        let done = sqlx::query("DELETE FROM accounts WHERE id = $1 AND is_master = 0")
            .bind(&c.account_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
