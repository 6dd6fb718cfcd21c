//! The `provisions` table: the intent to create a machine, recorded before
//! the provider is asked, and the provider's answer after.

use sqlx::Row;

use crate::{Db, StoreError};

/// A machine being (or once) created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provision {
    /// Its id.
    pub id: String,
    /// The backend it is created on.
    pub backend_id: String,
    /// Name asked for.
    pub name: String,
    /// Size id.
    pub size: String,
    /// Image id.
    pub image: String,
    /// Location id.
    pub location: String,
    /// The key installed, if any.
    pub key_id: Option<String>,
    /// Who asked (audit name).
    pub requested_by: String,
    /// `requested`, `created` or `failed`.
    pub state: String,
    /// The provider's id for the machine, once created.
    pub machine_id: Option<String>,
    /// Why it failed.
    pub detail: Option<String>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms of the last change.
    pub updated_at: i64,
}

const COLUMNS: &str = "id, backend_id, name, size, image, location, key_id, requested_by, \
                       state, machine_id, detail, created_at, updated_at";

fn provision(row: &sqlx::any::AnyRow) -> Result<Provision, StoreError> {
    Ok(Provision {
        id: row.try_get("id")?,
        backend_id: row.try_get("backend_id")?,
        name: row.try_get("name")?,
        size: row.try_get("size")?,
        image: row.try_get("image")?,
        location: row.try_get("location")?,
        key_id: row.try_get("key_id")?,
        requested_by: row.try_get("requested_by")?,
        state: row.try_get("state")?,
        machine_id: row.try_get("machine_id")?,
        detail: row.try_get("detail")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Db {
    /// Records the intent to create a machine (state `requested`).
    pub async fn insert_provision(&self, p: &Provision) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO provisions ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(&p.id)
        .bind(&p.backend_id)
        .bind(&p.name)
        .bind(&p.size)
        .bind(&p.image)
        .bind(&p.location)
        .bind(&p.key_id)
        .bind(&p.requested_by)
        .bind(&p.state)
        .bind(&p.machine_id)
        .bind(&p.detail)
        .bind(p.created_at)
        .bind(p.updated_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records the provider's answer: the machine it created.
    pub async fn provision_created(
        &self,
        id: &str,
        machine_id: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE provisions SET state = 'created', machine_id = $2, detail = NULL, \
             updated_at = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(machine_id)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records that the provider refused or failed, and why.
    pub async fn provision_failed(
        &self,
        id: &str,
        detail: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE provisions SET state = 'failed', detail = $2, updated_at = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(detail)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One provision.
    pub async fn provision(&self, id: &str) -> Result<Option<Provision>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM provisions WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(provision).transpose()
    }

    /// The provisions of a backend, newest first.
    pub async fn provisions_of(&self, backend_id: &str) -> Result<Vec<Provision>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM provisions WHERE backend_id = $1 ORDER BY created_at DESC, id"
        ))
        .bind(backend_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(provision).collect()
    }

    /// Provisions still `requested` since before `before` (Unix ms): the
    /// provider was asked and no answer was recorded (the instance stopped
    /// in between), oldest first.
    pub async fn unanswered_provisions(&self, before: i64) -> Result<Vec<Provision>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM provisions WHERE state = 'requested' AND updated_at < $1 \
             ORDER BY created_at, id"
        ))
        .bind(before)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(provision).collect()
    }
}
