//! Each backend's `machines_version`: a counter moved forward in the same
//! transaction as every write to that backend's machines, so a reader that
//! saw it at `v` before reading the machines read them as of `v` or later.
//! An instance may keep what it built from the machines while the counter
//! stands (the serialized list, `service::machines::list_cache`), on any
//! number of instances sharing one database.

use sqlx::Row;

use crate::{backends::StoredBackend, Db, StoreError};

/// Moves `backend_id`'s counter forward, inside the writer's transaction.
pub(crate) async fn bump(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend_id: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE backends SET machines_version = machines_version + 1 WHERE id = $1")
        .bind(backend_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Db {
    /// A backend with its machines' counter, in one read; `None` when absent.
    pub async fn backend_with_machines_version(
        &self,
        id: &str,
    ) -> Result<Option<(StoredBackend, i64)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {}, machines_version FROM backends WHERE id = $1",
            crate::backends::BACKEND_COLUMNS
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok((
                crate::backends::backend(&row)?,
                row.try_get("machines_version")?,
            ))
        })
        .transpose()
    }

    /// Every backend with its machines' counter, in one read, ordered as
    /// [`Db::backends`].
    pub async fn backends_with_machines_versions(
        &self,
    ) -> Result<Vec<(StoredBackend, i64)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {}, machines_version FROM backends ORDER BY title, id",
            crate::backends::BACKEND_COLUMNS
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    crate::backends::backend(row)?,
                    row.try_get("machines_version")?,
                ))
            })
            .collect()
    }

    /// Every backend's id and machines' counter, ordered by id.
    pub async fn machines_versions(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query("SELECT id, machines_version FROM backends ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("machines_version")?)))
            .collect()
    }

    /// The counter alone; `None` when the backend is gone.
    pub async fn machines_version(&self, backend_id: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT machines_version FROM backends WHERE id = $1")
            .bind(backend_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| row.try_get("machines_version").map_err(StoreError::from))
            .transpose()
    }
}
