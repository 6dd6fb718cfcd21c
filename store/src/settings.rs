//! Installation settings written once by whichever instance comes first
//! (the `settings` table; the settings the master chooses are read and set
//! in `two_factor.rs`).

use crate::{Db, StoreError};

impl Db {
    /// Stores `value` as setting `name` unless it has one already; returns
    /// the setting's value (this one, or the one stored first). Of several
    /// instances racing, every one gets the first one's value.
    pub async fn insert_setting_if_absent(
        &self,
        name: &str,
        value: &str,
        now: i64,
    ) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO settings (name, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(value)
        .bind(now)
        .execute(self.pool())
        .await?;
        self.setting(name)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("setting {name} vanished")))
    }
}
