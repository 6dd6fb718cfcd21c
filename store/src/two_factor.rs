//! Two-factor sign-in: the `two_factor` table (one TOTP enrolment per
//! account, its secret sealed by the service), `recovery_codes` (SHA-256
//! of each, used once) and the installation's `settings`.
//!
//! Using a code is one compare-and-set statement, so of any number of
//! concurrent attempts with the same code exactly one is accepted.

use sqlx::Row;

use crate::{Db, StoreError};

/// An account's enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// The secret, as sealed by the service.
    pub secret: String,
    /// When enrolment began, Unix ms.
    pub created_at: i64,
    /// When it was confirmed with a code (in force from then on).
    pub confirmed_at: Option<i64>,
    /// The time step of the last code accepted (-1: none).
    pub last_step: i64,
}

/// The setting saying every account must sign in with two factors.
pub const TWO_FACTOR_REQUIRED: &str = "two_factor_required";

impl Db {
    /// Starts (or restarts) the enrolment of `account_id` with a new
    /// secret, unless one is already confirmed: `false` then, and nothing
    /// changes.
    pub async fn begin_two_factor(
        &self,
        account_id: &str,
        sealed_secret: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO two_factor (account_id, secret, created_at, confirmed_at, last_step) \
             VALUES ($1, $2, $3, NULL, -1) \
             ON CONFLICT (account_id) DO UPDATE SET secret = excluded.secret, \
             created_at = excluded.created_at, last_step = -1 \
             WHERE two_factor.confirmed_at IS NULL",
        )
        .bind(account_id)
        .bind(sealed_secret)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The enrolment of `account_id`, confirmed or not.
    pub async fn two_factor(&self, account_id: &str) -> Result<Option<Enrolment>, StoreError> {
        let row = sqlx::query(
            "SELECT secret, created_at, confirmed_at, last_step FROM two_factor \
             WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(Enrolment {
                secret: r.try_get("secret")?,
                created_at: r.try_get("created_at")?,
                confirmed_at: r.try_get("confirmed_at")?,
                last_step: r.try_get("last_step")?,
            })
        })
        .transpose()
    }

    /// The ids of the accounts whose enrolment is confirmed.
    pub async fn two_factor_accounts(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT account_id FROM two_factor WHERE confirmed_at IS NOT NULL ORDER BY account_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| r.try_get("account_id").map_err(StoreError::from))
            .collect()
    }

    /// Confirms a pending enrolment of secret `sealed_secret` with the
    /// code of time step `step`: it is in force from `now`, and
    /// `code_hashes` replace the account's recovery codes. `false` (nothing
    /// changes) when there is no pending enrolment of that secret (it was
    /// replaced meanwhile) or `step` was used. One write transaction.
    pub async fn confirm_two_factor(
        &self,
        account_id: &str,
        sealed_secret: &str,
        step: i64,
        code_hashes: &[String],
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE two_factor SET confirmed_at = $2, last_step = $3 \
             WHERE account_id = $1 AND secret = $4 AND confirmed_at IS NULL AND last_step < $3",
        )
        .bind(account_id)
        .bind(now)
        .bind(step)
        .bind(sealed_secret)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        for hash in code_hashes {
            sqlx::query(
                "INSERT INTO recovery_codes (account_id, code_hash, created_at) VALUES ($1, $2, $3)",
            )
            .bind(account_id)
            .bind(hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Accepts the code of time step `step` for a confirmed enrolment,
    /// once: `true` for exactly one caller, and only when no code of this
    /// or a later step was accepted before. One compare-and-set statement.
    pub async fn accept_two_factor_step(
        &self,
        account_id: &str,
        step: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE two_factor SET last_step = $2 \
             WHERE account_id = $1 AND confirmed_at IS NOT NULL AND last_step < $2",
        )
        .bind(account_id)
        .bind(step)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Uses the recovery code hashed `code_hash`: `true` for exactly one
    /// caller, and only while the account's enrolment is confirmed. One
    /// compare-and-set statement.
    pub async fn use_recovery_code(
        &self,
        account_id: &str,
        code_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $3 \
             WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL \
             AND EXISTS (SELECT 1 FROM two_factor t \
                         WHERE t.account_id = $1 AND t.confirmed_at IS NOT NULL)",
        )
        .bind(account_id)
        .bind(code_hash)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Recovery codes of the account not used yet.
    pub async fn recovery_codes_left(&self, account_id: &str) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
        )
        .bind(account_id)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("n")?)
    }

    /// Removes the account's enrolment and recovery codes: `false` when it
    /// had none. One write transaction.
    pub async fn remove_two_factor(&self, account_id: &str) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM two_factor WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// An installation setting.
    pub async fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| r.try_get("value").map_err(StoreError::from))
            .transpose()
    }

    /// Sets an installation setting.
    pub async fn set_setting(&self, name: &str, value: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO settings (name, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
             updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(value)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
