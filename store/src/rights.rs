//! The `rights_generation` counter: moved forward in the same transaction
//! as every change to what an account may do, read (with the account, in
//! one statement) by every request, so an instance may keep the roles'
//! scopes it parsed while the counter has not moved, and never serves
//! rights another instance has changed since.

use sqlx::Row;

use crate::{accounts::Account, Db, StoreError};

/// Moves the counter forward inside the caller's write transaction.
pub(crate) async fn bump_in(conn: &mut sqlx::AnyConnection) -> Result<(), StoreError> {
    sqlx::query("UPDATE rights_generation SET generation = generation + 1 WHERE id = 1")
        .execute(conn)
        .await?;
    Ok(())
}

impl Db {
    /// The counter now.
    pub async fn rights_generation(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT generation FROM rights_generation WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("generation")?)
    }

    /// An account by id with the counter as it stood when it was read, in
    /// one statement; `None` when there is no such account.
    pub async fn account_with_rights_generation(
        &self,
        id: &str,
    ) -> Result<Option<(Account, i64)>, StoreError> {
        let sql = format!(
            "SELECT {}, (SELECT generation FROM rights_generation WHERE id = 1) AS rights_generation \
             FROM accounts WHERE id = $1",
            crate::accounts::COLUMNS
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| {
            Ok((
                crate::accounts::from_row(&row)?,
                row.try_get("rights_generation")?,
            ))
        })
        .transpose()
    }
}
