//! The `backend_sizes` table: the sizes a backend's provider listed the
//! last time they were asked for, with the price per hour of each where the
//! provider reports one (the fleet table's price column).

use std::collections::HashMap;

use sqlx::Row;

use crate::{Db, StoreError};

impl Db {
    /// Replaces the sizes kept for a backend with `sizes` (each a size id and
    /// its price per hour, if any), in one transaction: a size the provider
    /// no longer lists is forgotten. An id listed twice is kept once (its
    /// last price).
    pub async fn replace_sizes(
        &self,
        backend_id: &str,
        sizes: &[(String, Option<f64>)],
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM backend_sizes WHERE backend_id = $1")
            .bind(backend_id)
            .execute(&mut *tx)
            .await?;
        let unique: HashMap<&str, Option<f64>> = sizes
            .iter()
            .map(|(id, price)| (id.as_str(), price.filter(|p| p.is_finite())))
            .collect();
        for (size_id, price) in unique {
            // No `NULL` float is bound: sqlx's `Any` sends one to PostgreSQL
            // as a `real` (4 bytes), and the statement, once prepared so,
            // then refuses a `double precision`. An unpriced size says
            // `NULL` in the statement instead.
            let query = match price {
                Some(price) => sqlx::query(
                    "INSERT INTO backend_sizes (backend_id, size_id, price_hourly, updated_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(backend_id)
                .bind(size_id)
                .bind(price)
                .bind(now),
                None => sqlx::query(
                    "INSERT INTO backend_sizes (backend_id, size_id, price_hourly, updated_at) \
                     VALUES ($1, $2, NULL, $3)",
                )
                .bind(backend_id)
                .bind(size_id)
                .bind(now),
            };
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The price per hour of each size kept for a backend, by size id (sizes
    /// without a price are left out).
    pub async fn size_prices(&self, backend_id: &str) -> Result<HashMap<String, f64>, StoreError> {
        let rows = sqlx::query(
            "SELECT size_id, price_hourly FROM backend_sizes \
             WHERE backend_id = $1 AND price_hourly IS NOT NULL",
        )
        .bind(backend_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("size_id")?, r.try_get("price_hourly")?)))
            .collect()
    }
}
