//! The `starred_images` table: images an operator starred on a backend.

use sqlx::Row;

use crate::{Db, StoreError};

impl Db {
    /// Stars `image_id` on a backend, or unstars it when it was starred;
    /// returns whether it is starred now.
    pub async fn toggle_star(
        &self,
        backend_id: &str,
        image_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let removed =
            sqlx::query("DELETE FROM starred_images WHERE backend_id = $1 AND image_id = $2")
                .bind(backend_id)
                .bind(image_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if removed == 0 {
            sqlx::query(
                "INSERT INTO starred_images (backend_id, image_id, starred_at) \
                 VALUES ($1, $2, $3)",
            )
            .bind(backend_id)
            .bind(image_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(removed == 0)
    }

    /// The images starred on a backend, most recently starred first.
    pub async fn starred_images(&self, backend_id: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT image_id FROM starred_images WHERE backend_id = $1 \
             ORDER BY starred_at DESC, image_id",
        )
        .bind(backend_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| r.try_get("image_id").map_err(StoreError::from))
            .collect()
    }
}
