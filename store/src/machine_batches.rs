//! One backend's machines read in batches by `(name, id)`, each batch its
//! own short query (no connection held between them), so a long list is
//! answered without holding it whole or a pooled connection while the
//! client reads.

use crate::{backends::StoredMachine, Db, StoreError};

impl Db {
    /// At most `limit` machines of `backend_id` ordered by name, then id
    /// (as [`Db::machines_of`] orders them), after `after` (the last
    /// `(name, id)` of the previous batch) when given.
    pub async fn machines_of_after(
        &self,
        backend_id: &str,
        after: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<StoredMachine>, StoreError> {
        let columns = crate::machines::MACHINE_COLUMNS;
        let rows = match after {
            None => {
                sqlx::query(&format!(
                    "SELECT {columns} FROM machines WHERE backend_id = $1 \
                     ORDER BY name, id LIMIT $2"
                ))
                .bind(backend_id)
                .bind(i64::from(limit))
                .fetch_all(self.pool())
                .await?
            }
            Some((name, id)) => {
                sqlx::query(&format!(
                    "SELECT {columns} FROM machines WHERE backend_id = $1 \
                     AND (name > $2 OR (name = $2 AND id > $3)) ORDER BY name, id LIMIT $4"
                ))
                .bind(backend_id)
                .bind(name)
                .bind(id)
                .bind(i64::from(limit))
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter().map(crate::machines::machine).collect()
    }
}
