//! The `accounts` table: the master account and (later) users.

use sqlx::Row;

use crate::{Db, StoreError};

/// An argon2 PHC string. Never printed.
#[derive(Clone)]
pub struct PasswordHash(pub String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// One stored account.
#[derive(Debug, Clone)]
pub struct Account {
    /// Stable id (a UUID).
    pub id: String,
    /// Lower-cased email, what sign-in takes.
    pub email: String,
    /// What the Mobingi role routes take (empty for the master account).
    pub username: String,
    /// Display name.
    pub name: String,
    /// The argon2id hash of the password.
    pub password_hash: PasswordHash,
    /// The installation's owner.
    pub is_master: bool,
    /// A disabled account cannot sign in and its sessions stop working.
    pub disabled: bool,
    /// Creation time, Unix ms.
    pub created_at: i64,
}

/// What it takes to create an account.
#[derive(Debug)]
pub struct NewAccount<'a> {
    /// Fresh id.
    pub id: &'a str,
    /// Validated, lower-cased email.
    pub email: &'a str,
    /// Display name.
    pub name: &'a str,
    /// argon2id hash.
    pub password_hash: &'a PasswordHash,
    /// Creation time, Unix ms.
    pub now: i64,
}

/// What else a password change ends (see [`Db::set_password`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Ending<'a> {
    /// The session kept (the one that changed the password), if any.
    pub keep_session: Option<&'a str>,
    /// Whether the account's API tokens are revoked too.
    pub revoke_tokens: bool,
}

/// What a password change ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ended {
    /// Sessions ended.
    pub sessions: u64,
    /// API tokens revoked.
    pub tokens: u64,
}

/// Ends an account's sessions and, as asked, its tokens, within a
/// transaction.
pub(crate) async fn end_access(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    ending: Ending<'_>,
) -> Result<Ended, StoreError> {
    let sessions =
        crate::sessions::delete_sessions_in(conn, account_id, ending.keep_session).await?;
    let tokens = if ending.revoke_tokens {
        crate::tokens::delete_tokens_in(conn, account_id).await?
    } else {
        0
    };
    Ok(Ended { sessions, tokens })
}

pub(crate) const COLUMNS: &str =
    "id, email, username, name, password_hash, is_master, disabled, created_at";

pub(crate) fn from_row(row: &sqlx::any::AnyRow) -> Result<Account, StoreError> {
    Ok(Account {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        username: row.try_get("username")?,
        name: row.try_get("name")?,
        password_hash: PasswordHash(row.try_get("password_hash")?),
        is_master: row.try_get::<i64, _>("is_master")? == 1,
        disabled: row.try_get::<i64, _>("disabled")? == 1,
        created_at: row.try_get("created_at")?,
    })
}

impl Db {
    /// Whether the installation has its master account yet.
    pub async fn master_exists(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM accounts WHERE is_master = 1")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Creates the master account; fails with a conflict when one exists.
    ///
    /// The check and the insert are one transaction, and a partial unique
    /// index makes a second master impossible even under a race.
    pub async fn create_master(&self, new: NewAccount<'_>) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let existing = sqlx::query("SELECT COUNT(*) AS n FROM accounts WHERE is_master = 1")
            .fetch_one(&mut *tx)
            .await?;
        if existing.try_get::<i64, _>("n")? > 0 {
            return Err(StoreError::Conflict(
                "the master account exists already".into(),
            ));
        }
        let inserted = sqlx::query(
            "INSERT INTO accounts (id, email, name, password_hash, is_master, disabled, created_at) \
             VALUES ($1, $2, $3, $4, 1, 0, $5)",
        )
        .bind(new.id)
        .bind(new.email)
        .bind(new.name)
        .bind(&new.password_hash.0)
        .bind(new.now)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::Conflict(
                    "the master account exists already".into(),
                ))
            }
            Err(e) => return Err(e.into()),
        }
        tx.commit().await?;
        Ok(())
    }

    /// Looks an account up by its (lower-cased) email.
    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM accounts WHERE email = $1"))
            .bind(email)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Creates an ordinary (non-master) user; a taken email or username is a conflict.
    pub async fn create_user(&self, new: NewAccount<'_>, username: &str) -> Result<(), StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO accounts (id, email, username, name, password_hash, is_master, disabled, created_at) \
             VALUES ($1, $2, $3, $4, $5, 0, 0, $6)",
        )
        .bind(new.id)
        .bind(new.email)
        .bind(username)
        .bind(new.name)
        .bind(&new.password_hash.0)
        .bind(new.now)
        .execute(self.pool())
        .await;
        match inserted {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Conflict(
                "a user with this email or username exists already".into(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Every account, the master first, then users by username.
    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM accounts ORDER BY is_master DESC, username"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Looks a user up by username.
    pub async fn account_by_username(&self, username: &str) -> Result<Option<Account>, StoreError> {
        if username.is_empty() {
            return Ok(None);
        }
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM accounts WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Disables or enables an ordinary user. Disabling also ends the user's
    /// sessions and revokes their API tokens, in the same transaction, so
    /// enabling the user again brings none of them back. `false` when
    /// there is no such user.
    pub async fn set_disabled(&self, id: &str, disabled: bool) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE accounts SET disabled = $2 WHERE id = $1 AND is_master = 0")
            .bind(id)
            .bind(i64::from(disabled))
            .execute(&mut *tx)
            .await?;
        let found = done.rows_affected() == 1;
        if found && disabled {
            crate::sessions::delete_sessions_in(&mut tx, id, None).await?;
            crate::tokens::delete_tokens_in(&mut tx, id).await?;
        }
        crate::rights::bump_in(&mut tx).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// Replaces an account's password hash and, in the same transaction,
    /// ends its sessions (all but `ending.keep_session`) and, when asked,
    /// revokes its API tokens. `None` when there is no such account.
    pub async fn set_password(
        &self,
        id: &str,
        hash: &PasswordHash,
        ending: Ending<'_>,
    ) -> Result<Option<Ended>, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE accounts SET password_hash = $2 WHERE id = $1")
            .bind(id)
            .bind(&hash.0)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        let ended = end_access(&mut tx, id, ending).await?;
        tx.commit().await?;
        Ok(Some(ended))
    }

    /// Deletes an ordinary user; its role attachments and tokens go with it
    /// (`ON DELETE CASCADE`). The master account cannot be deleted.
    pub async fn delete_user(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM accounts WHERE id = $1 AND is_master = 0")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        crate::rights::bump_in(&mut tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Looks an account up by id.
    pub async fn account_by_id(&self, id: &str) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(from_row).transpose()
    }
}
