//! The `backends` table (cloud accounts): added with the machines found on
//! them, renamed, enabled or disabled, polled, deleted with everything
//! known of them. Secrets arrive sealed by the service layer.

use sqlx::Row;

pub use crate::host_keys::PinnedHostKey;
pub use crate::machines::StoredMachine;
use crate::{machines::insert_machine, Db, StoreError};

/// A stored cloud account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBackend {
    /// Id.
    pub id: String,
    /// The operator's name for it (unique).
    pub title: String,
    /// Catalogue id: `bare_metal`, `ec2_eu_west`, `libvirt`, ...
    pub provider: String,
    /// Provider region, when it has one.
    pub region: Option<String>,
    /// The non-secret half of the credentials (shown back).
    pub apikey: Option<String>,
    /// Endpoint override.
    pub apiurl: Option<String>,
    /// Other non-secret settings, JSON object.
    pub config: String,
    /// Secrets, sealed.
    pub secret_sealed: Option<String>,
    /// Polled and usable.
    pub enabled: bool,
    /// `wait`, `online`, `offline`, `error`, `disabled`.
    pub state: String,
    /// Why it is `offline`/`error`.
    pub state_reason: Option<String>,
    /// Poll every this many ms.
    pub poll_interval: i64,
    /// Last poll, Unix ms.
    pub polled_at: Option<i64>,
    /// Creation, Unix ms.
    pub created_at: i64,
}

pub(crate) const BACKEND_COLUMNS: &str =
    "id, title, provider, region, apikey, apiurl, config, secret_sealed, \
     enabled, state, state_reason, poll_interval, polled_at, created_at";
pub(crate) fn backend(row: &sqlx::any::AnyRow) -> Result<StoredBackend, StoreError> {
    Ok(StoredBackend {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        provider: row.try_get("provider")?,
        region: row.try_get("region")?,
        apikey: row.try_get("apikey")?,
        apiurl: row.try_get("apiurl")?,
        config: row.try_get("config")?,
        secret_sealed: row.try_get("secret_sealed")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        state: row.try_get("state")?,
        state_reason: row.try_get("state_reason")?,
        poll_interval: row.try_get("poll_interval")?,
        polled_at: row.try_get("polled_at")?,
        created_at: row.try_get("created_at")?,
    })
}

fn title_taken(e: sqlx::Error, title: &str) -> StoreError {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(format!("a backend titled {title:?} exists already"))
        }
        e => e.into(),
    }
}

impl Db {
    /// Stores a new backend with the machines already found on it, in one
    /// transaction. [`StoreError::Conflict`] when the title is taken.
    pub async fn insert_backend(
        &self,
        b: &StoredBackend,
        machines: &[StoredMachine],
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(&format!(
            "INSERT INTO backends ({BACKEND_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .bind(&b.id)
        .bind(&b.title)
        .bind(&b.provider)
        .bind(&b.region)
        .bind(&b.apikey)
        .bind(&b.apiurl)
        .bind(&b.config)
        .bind(&b.secret_sealed)
        .bind(i64::from(b.enabled))
        .bind(&b.state)
        .bind(&b.state_reason)
        .bind(b.poll_interval)
        .bind(b.polled_at)
        .bind(b.created_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| title_taken(e, &b.title))?;
        for m in machines {
            insert_machine(&mut tx, m).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every backend, by title.
    pub async fn backends(&self) -> Result<Vec<StoredBackend>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {BACKEND_COLUMNS} FROM backends ORDER BY title, id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(backend).collect()
    }

    /// One backend.
    pub async fn backend(&self, id: &str) -> Result<Option<StoredBackend>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {BACKEND_COLUMNS} FROM backends WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(backend).transpose()
    }

    /// Renames a backend; `false` when absent.
    pub async fn rename_backend(&self, id: &str, title: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE backends SET title = $2 WHERE id = $1")
            .bind(id)
            .bind(title)
            .execute(self.pool())
            .await
            .map_err(|e| title_taken(e, title))?;
        Ok(done.rows_affected() == 1)
    }

    /// Sets (or, with `None`, removes) one of a backend's non-secret
    /// settings, a key of its `config` object; `false` when absent. A
    /// compare-and-set on the whole object, retried, so concurrent writers
    /// of different keys lose nothing.
    pub async fn set_backend_setting(
        &self,
        id: &str,
        key: &str,
        value: Option<&str>,
    ) -> Result<bool, StoreError> {
        for _ in 0..20 {
            let Some(b) = self.backend(id).await? else {
                return Ok(false);
            };
            let mut config: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&b.config).unwrap_or_default();
            match value {
                Some(v) => config.insert(key.to_owned(), v.into()),
                None => config.remove(key),
            };
            let next = serde_json::Value::Object(config).to_string();
            let done = sqlx::query("UPDATE backends SET config = $1 WHERE id = $2 AND config = $3")
                .bind(&next)
                .bind(id)
                .bind(&b.config)
                .execute(self.pool())
                .await?;
            if done.rows_affected() == 1 {
                return Ok(true);
            }
        }
        Err(StoreError::Conflict(format!(
            "backend {id:?}'s settings kept changing; try again"
        )))
    }

    /// Enables or disables a backend (its state follows); `false` when absent.
    pub async fn set_backend_enabled(&self, id: &str, enabled: bool) -> Result<bool, StoreError> {
        let state = if enabled { "wait" } else { "disabled" };
        let done = sqlx::query(
            "UPDATE backends SET enabled = $2, state = $3, state_reason = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(i64::from(enabled))
        .bind(state)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a poll's outcome.
    pub async fn set_backend_state(
        &self,
        id: &str,
        state: &str,
        reason: Option<&str>,
        polled_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE backends SET state = $2, state_reason = $3, polled_at = $4 \
             WHERE id = $1 AND enabled = 1",
        )
        .bind(id)
        .bind(state)
        .bind(reason)
        .bind(polled_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Deletes a backend with its machines, their key associations and
    /// pinned host keys; `false` when absent.
    pub async fn delete_backend(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        for table in ["key_machines", "host_keys", "machines"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE backend_id = $1"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let done = sqlx::query("DELETE FROM backends WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Makes a backend due for a poll at once.
    pub async fn poll_soon(&self, backend_id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE backends SET polled_at = 0 WHERE id = $1")
            .bind(backend_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Stamps the start of a poll: `polled_at` (when the backend was last
    /// polled, which makes it due again after `poll_interval`) becomes
    /// `now`. Who polls is decided by the `("poll", id)` lease
    /// (`store::leases`), claimed first.
    pub async fn poll_started(&self, backend_id: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE backends SET polled_at = $2 WHERE id = $1 AND enabled = 1")
            .bind(backend_id)
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
