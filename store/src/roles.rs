//! The `roles` and `user_roles` tables: named scope documents and which
//! accounts they are attached to.

use sqlx::Row;

use crate::{Db, StoreError};

/// A stored role; `scope` is the policy document as JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// Stable id.
    pub id: String,
    /// Unique name.
    pub name: String,
    /// The scope document (validated before it is stored).
    pub scope: String,
    /// Creation time, Unix ms.
    pub created_at: i64,
    /// Last change, Unix ms.
    pub updated_at: i64,
}

fn role(row: &sqlx::any::AnyRow) -> Result<Role, StoreError> {
    Ok(Role {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        scope: row.try_get("scope")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn conflict_on_unique(e: sqlx::Error, what: &str) -> StoreError {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what.into()),
        other => other.into(),
    }
}

impl Db {
    /// Stores a new role; a taken name is a conflict.
    pub async fn create_role(
        &self,
        id: &str,
        name: &str,
        scope: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO roles (id, name, scope, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)")
            .bind(id)
            .bind(name)
            .bind(scope)
            .bind(now)
            .execute(self.pool())
            .await
            .map_err(|e| conflict_on_unique(e, "a role with this name exists already"))?;
        Ok(())
    }

    /// Changes a role's name and scope; `false` when there is no such role.
    pub async fn update_role(
        &self,
        id: &str,
        name: &str,
        scope: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done =
            sqlx::query("UPDATE roles SET name = $2, scope = $3, updated_at = $4 WHERE id = $1")
                .bind(id)
                .bind(name)
                .bind(scope)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_on_unique(e, "a role with this name exists already"))?;
        crate::rights::bump_in(&mut tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes a role and its attachments; `false` when there is no such role.
    pub async fn delete_role(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM user_roles WHERE role_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM roles WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        crate::rights::bump_in(&mut tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// One role.
    pub async fn role(&self, id: &str) -> Result<Option<Role>, StoreError> {
        let row =
            sqlx::query("SELECT id, name, scope, created_at, updated_at FROM roles WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.as_ref().map(role).transpose()
    }

    /// Every role, by name.
    pub async fn roles(&self) -> Result<Vec<Role>, StoreError> {
        let rows =
            sqlx::query("SELECT id, name, scope, created_at, updated_at FROM roles ORDER BY name")
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(role).collect()
    }

    /// Attaches a role to an account; attaching twice is a conflict.
    pub async fn attach_role(
        &self,
        id: &str,
        account_id: &str,
        role_id: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO user_roles (id, account_id, role_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(account_id)
        .bind(role_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, "the role is attached to this user already"))?;
        crate::rights::bump_in(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Detaches a role from an account; `false` when it was not attached.
    pub async fn detach_role(&self, account_id: &str, role_id: &str) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM user_roles WHERE account_id = $1 AND role_id = $2")
            .bind(account_id)
            .bind(role_id)
            .execute(&mut *tx)
            .await?;
        crate::rights::bump_in(&mut tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// The roles attached to an account, by name.
    pub async fn roles_of(&self, account_id: &str) -> Result<Vec<Role>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.id, r.name, r.scope, r.created_at, r.updated_at FROM roles r \
             JOIN user_roles ur ON ur.role_id = r.id WHERE ur.account_id = $1 ORDER BY r.name",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(role).collect()
    }

    /// Every attachment of a role to an account, as `(account_id, role)`
    /// pairs ordered by account id, then role name: one query for the
    /// roles of every account.
    pub async fn user_roles(&self) -> Result<Vec<(String, Role)>, StoreError> {
        let rows = sqlx::query(
            "SELECT ur.account_id, r.id, r.name, r.scope, r.created_at, r.updated_at FROM roles r \
             JOIN user_roles ur ON ur.role_id = r.id ORDER BY ur.account_id, r.name",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get::<String, _>("account_id")?, role(row)?)))
            .collect()
    }
}
