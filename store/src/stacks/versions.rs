//! Template versions of a stack.

use super::*;
use crate::{Db, StoreError};

impl Db {
    /// Stores a new version of a stack (not made current: that is
    /// [`BeginOperation::new_version`] or [`Db::set_stack_version`]);
    /// answers its `seq`.
    pub async fn add_stack_version(
        &self,
        stack_id: &str,
        v: &NewVersion,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let seq = insert_version(&mut tx, stack_id, v).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Records the values chosen for a version's `"${computed}"` fields.
    pub async fn set_version_computed(
        &self,
        stack_id: &str,
        version_id: &str,
        computed: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE stack_versions SET computed = $1 WHERE stack_id = $2 AND version_id = $3",
        )
        .bind(computed)
        .bind(stack_id)
        .bind(version_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A stack's versions, newest first.
    pub async fn stack_versions(&self, stack_id: &str) -> Result<Vec<StackVersion>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM stack_versions WHERE stack_id = $1 ORDER BY seq DESC"
        ))
        .bind(stack_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(version).collect()
    }

    /// One version of a stack.
    pub async fn stack_version(
        &self,
        stack_id: &str,
        version_id: &str,
    ) -> Result<Option<StackVersion>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM stack_versions WHERE stack_id = $1 AND version_id = $2"
        ))
        .bind(stack_id)
        .bind(version_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(version).transpose()
    }

    /// A stack's newest version.
    pub async fn latest_stack_version(
        &self,
        stack_id: &str,
    ) -> Result<Option<StackVersion>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM stack_versions WHERE stack_id = $1 \
             ORDER BY seq DESC LIMIT 1"
        ))
        .bind(stack_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(version).transpose()
    }
}
