//! The `ssh_keys` and `key_machines` tables. The private part is stored
//! sealed by the service layer; this module never sees it in clear.

use sqlx::Row;

use crate::{Db, StoreError};

/// A stored SSH key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    /// Internal id; never changes (the sealed private part is bound to it).
    pub id: String,
    /// The name the API and pages call the key by.
    pub name: String,
    /// `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, ...
    pub algorithm: String,
    /// OpenSSH public form.
    pub public_key: String,
    /// `SHA256:...`.
    pub fingerprint: String,
    /// The private part, sealed.
    pub private_sealed: String,
    /// The key used when a machine has none associated.
    pub is_default: bool,
    /// Creation time, Unix ms.
    pub created_at: i64,
}

/// One machine a key opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMachine {
    /// The key's internal id.
    pub key_id: String,
    /// Backend of the machine.
    pub backend_id: String,
    /// Machine id within the backend.
    pub machine_id: String,
    /// The user the key logs in as.
    pub ssh_user: String,
    /// Whether that user may `sudo` without a password.
    pub sudo: bool,
    /// Last successful login with it, Unix ms; 0 while none has used it
    /// (installed at creation or associated by hand, not proven).
    pub last_used_at: i64,
}

const COLUMNS: &str =
    "id, name, algorithm, public_key, fingerprint, private_sealed, is_default, created_at";

fn key(row: &sqlx::any::AnyRow) -> Result<StoredKey, StoreError> {
    Ok(StoredKey {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        algorithm: row.try_get("algorithm")?,
        public_key: row.try_get("public_key")?,
        fingerprint: row.try_get("fingerprint")?,
        private_sealed: row.try_get("private_sealed")?,
        is_default: row.try_get::<i64, _>("is_default")? != 0,
        created_at: row.try_get("created_at")?,
    })
}

fn key_machine(row: &sqlx::any::AnyRow) -> Result<KeyMachine, StoreError> {
    Ok(KeyMachine {
        key_id: row.try_get("key_id")?,
        backend_id: row.try_get("backend_id")?,
        machine_id: row.try_get("machine_id")?,
        ssh_user: row.try_get("ssh_user")?,
        sudo: row.try_get::<i64, _>("sudo")? != 0,
        last_used_at: row.try_get("last_used_at")?,
    })
}

fn name_taken(e: sqlx::Error, name: &str) -> StoreError {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(format!("a key named {name:?} exists already"))
        }
        e => e.into(),
    }
}

impl Db {
    /// Stores a new key; the first key stored becomes the default.
    /// [`StoreError::Conflict`] when the name is taken.
    pub async fn insert_key(&self, k: &StoredKey) -> Result<StoredKey, StoreError> {
        let mut tx = self.write_tx().await?;
        let existing: i64 = sqlx::query("SELECT COUNT(*) AS n FROM ssh_keys")
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        let is_default = k.is_default || existing == 0;
        if is_default {
            sqlx::query("UPDATE ssh_keys SET is_default = 0")
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(&format!(
            "INSERT INTO ssh_keys ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(&k.id)
        .bind(&k.name)
        .bind(&k.algorithm)
        .bind(&k.public_key)
        .bind(&k.fingerprint)
        .bind(&k.private_sealed)
        .bind(i64::from(is_default))
        .bind(k.created_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| name_taken(e, &k.name))?;
        tx.commit().await?;
        Ok(StoredKey {
            is_default,
            ..k.clone()
        })
    }

    /// Every key, by name.
    pub async fn keys(&self) -> Result<Vec<StoredKey>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM ssh_keys ORDER BY name"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(key).collect()
    }

    /// The key with this name.
    pub async fn key_by_name(&self, name: &str) -> Result<Option<StoredKey>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM ssh_keys WHERE name = $1"))
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(key).transpose()
    }

    /// The key with this internal id.
    pub async fn key_by_id(&self, id: &str) -> Result<Option<StoredKey>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM ssh_keys WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(key).transpose()
    }

    /// The default key, if any.
    pub async fn default_key(&self) -> Result<Option<StoredKey>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM ssh_keys WHERE is_default = 1"
        ))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(key).transpose()
    }

    /// Renames a key; `false` when no key has the old name,
    /// [`StoreError::Conflict`] when the new one is taken.
    pub async fn rename_key(&self, name: &str, new_name: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE ssh_keys SET name = $2 WHERE name = $1")
            .bind(name)
            .bind(new_name)
            .execute(self.pool())
            .await
            .map_err(|e| name_taken(e, new_name))?;
        Ok(done.rows_affected() == 1)
    }

    /// Makes this key the default (and no other); `false` when absent.
    pub async fn set_default_key(&self, name: &str) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let found = sqlx::query("SELECT id FROM ssh_keys WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        if found.is_none() {
            return Ok(false);
        }
        sqlx::query("UPDATE ssh_keys SET is_default = CASE WHEN name = $1 THEN 1 ELSE 0 END")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Deletes a key and its associations; when it was the default, the
    /// oldest remaining key becomes the default. `false` when absent.
    pub async fn delete_key(&self, name: &str) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query("SELECT id, is_default FROM ssh_keys WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let id: String = row.try_get("id")?;
        let was_default = row.try_get::<i64, _>("is_default")? != 0;
        sqlx::query("DELETE FROM key_machines WHERE key_id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM ssh_keys WHERE id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        if was_default {
            sqlx::query(
                "UPDATE ssh_keys SET is_default = 1 WHERE id = \
                 (SELECT id FROM ssh_keys ORDER BY created_at, name LIMIT 1)",
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Records that a key opens a machine (insert or update).
    pub async fn associate_key(&self, a: &KeyMachine) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "DELETE FROM key_machines WHERE key_id = $1 AND backend_id = $2 AND machine_id = $3",
        )
        .bind(&a.key_id)
        .bind(&a.backend_id)
        .bind(&a.machine_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO key_machines (key_id, backend_id, machine_id, ssh_user, sudo, last_used_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&a.key_id)
        .bind(&a.backend_id)
        .bind(&a.machine_id)
        .bind(&a.ssh_user)
        .bind(i64::from(a.sudo))
        .bind(a.last_used_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes an association; `false` when there was none.
    pub async fn disassociate_key(
        &self,
        key_id: &str,
        backend_id: &str,
        machine_id: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "DELETE FROM key_machines WHERE key_id = $1 AND backend_id = $2 AND machine_id = $3",
        )
        .bind(key_id)
        .bind(backend_id)
        .bind(machine_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Every association, most recently used first.
    pub async fn key_machines(&self) -> Result<Vec<KeyMachine>, StoreError> {
        let rows = sqlx::query(
            "SELECT key_id, backend_id, machine_id, ssh_user, sudo, last_used_at \
             FROM key_machines ORDER BY last_used_at DESC, key_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(key_machine).collect()
    }

    /// The associations no login has used yet (`last_used_at` 0) whose key
    /// Overcast installed when it created the machine: (key name, backend,
    /// machine).
    pub async fn unused_keys_installed_at_creation(
        &self,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT s.name, k.backend_id, k.machine_id FROM key_machines k \
             JOIN ssh_keys s ON s.id = k.key_id \
             JOIN provisions p ON p.key_id = k.key_id AND p.backend_id = k.backend_id \
             AND p.machine_id = k.machine_id WHERE k.last_used_at = 0",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }

    /// The keys associated with one machine, most recently used first.
    pub async fn keys_of_machine(
        &self,
        backend_id: &str,
        machine_id: &str,
    ) -> Result<Vec<KeyMachine>, StoreError> {
        let rows = sqlx::query(
            "SELECT key_id, backend_id, machine_id, ssh_user, sudo, last_used_at \
             FROM key_machines WHERE backend_id = $1 AND machine_id = $2 \
             ORDER BY last_used_at DESC, key_id",
        )
        .bind(backend_id)
        .bind(machine_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(key_machine).collect()
    }
}
