//! The `user_preferences` table: each user's saved choices, by name (the
//! Machines table's columns: `fleet.columns`).

use sqlx::Row;

use crate::{Db, StoreError};

impl Db {
    /// A user's saved choice named `name`, as it was saved.
    pub async fn preference(
        &self,
        user_id: &str,
        name: &str,
    ) -> Result<Option<String>, StoreError> {
        let row =
            sqlx::query("SELECT value FROM user_preferences WHERE user_id = $1 AND name = $2")
                .bind(user_id)
                .bind(name)
                .fetch_optional(self.pool())
                .await?;
        row.map(|r| r.try_get("value").map_err(StoreError::from))
            .transpose()
    }

    /// Saves a user's choice named `name` (replacing what was saved: the
    /// last write wins).
    pub async fn set_preference(
        &self,
        user_id: &str,
        name: &str,
        value: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO user_preferences (user_id, name, value, updated_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, name) DO UPDATE SET value = excluded.value, \
             updated_at = excluded.updated_at",
        )
        .bind(user_id)
        .bind(name)
        .bind(value)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
