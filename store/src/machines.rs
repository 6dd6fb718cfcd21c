//! The `machines` table: the machines last seen on each backend (replaced
//! by each poll, one added or changed by an action or a creation).

use sqlx::Row;

use crate::{
    events::{insert_events, NewEvent},
    Db, StoreError,
};

/// What replacing a backend's machines changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MachineDiff {
    /// Machines not there before.
    pub appeared: Vec<StoredMachine>,
    /// Machines there before that differ in anything but when they were
    /// seen.
    pub changed: Vec<StoredMachine>,
    /// Machines there before and no longer.
    pub gone: Vec<StoredMachine>,
}

impl MachineDiff {
    fn between(before: Vec<StoredMachine>, after: &[StoredMachine]) -> Self {
        let mut old: std::collections::HashMap<&str, &StoredMachine> =
            before.iter().map(|m| (m.id.as_str(), m)).collect();
        let mut diff = Self::default();
        for m in after {
            match old.remove(m.id.as_str()) {
                None => diff.appeared.push(m.clone()),
                Some(was) if !was.same_as(m) => diff.changed.push(m.clone()),
                Some(_) => {}
            }
        }
        let gone: std::collections::HashSet<&str> = old.into_keys().collect();
        diff.gone = before
            .iter()
            .filter(|m| gone.contains(m.id.as_str()))
            .cloned()
            .collect();
        diff
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.appeared.is_empty() && self.changed.is_empty() && self.gone.is_empty()
    }
}

impl StoredMachine {
    /// The same machine, as a page shows it (`seen_at` aside).
    fn same_as(&self, other: &StoredMachine) -> bool {
        StoredMachine {
            seen_at: 0,
            ..self.clone()
        } == StoredMachine {
            seen_at: 0,
            ..other.clone()
        }
    }
}

/// A machine as last seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMachine {
    /// Its backend.
    pub backend_id: String,
    /// The provider's id for it.
    pub id: String,
    /// Name.
    pub name: String,
    /// A Libcloud node state name.
    pub state: String,
    /// Public addresses, JSON array.
    pub public_ips: String,
    /// Private addresses, JSON array.
    pub private_ips: String,
    /// Port SSH listens on.
    pub ssh_port: i64,
    /// Provider details, JSON object.
    pub extra: String,
    /// When a listing last found it new or changed, Unix ms (a listing
    /// that finds it as it was does not write it again).
    pub seen_at: i64,
}

pub(crate) const MACHINE_COLUMNS: &str =
    "backend_id, id, name, state, public_ips, private_ips, ssh_port, extra, seen_at";

pub(crate) fn machine(row: &sqlx::any::AnyRow) -> Result<StoredMachine, StoreError> {
    Ok(StoredMachine {
        backend_id: row.try_get("backend_id")?,
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        state: row.try_get("state")?,
        public_ips: row.try_get("public_ips")?,
        private_ips: row.try_get("private_ips")?,
        ssh_port: row.try_get("ssh_port")?,
        extra: row.try_get("extra")?,
        seen_at: row.try_get("seen_at")?,
    })
}

impl Db {
    /// Replaces the machines known on a backend with those just listed.
    pub async fn replace_machines(
        &self,
        backend_id: &str,
        machines: &[StoredMachine],
    ) -> Result<MachineDiff, StoreError> {
        self.replace_machines_with_events(backend_id, machines, |_| Vec::new())
            .await
    }

    /// [`Db::replace_machines`], appending in the same transaction the
    /// events `describe` makes of what changed, so a change and its events
    /// commit together or not at all.
    pub async fn replace_machines_with_events(
        &self,
        backend_id: &str,
        machines: &[StoredMachine],
        describe: impl FnOnce(&MachineDiff) -> Vec<NewEvent>,
    ) -> Result<MachineDiff, StoreError> {
        let mut tx = self.write_tx().await?;
        let before = sqlx::query(&format!(
            "SELECT {MACHINE_COLUMNS} FROM machines WHERE backend_id = $1"
        ))
        .bind(backend_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(machine)
        .collect::<Result<Vec<_>, _>>()?;
        let diff = MachineDiff::between(before, machines);
        // Gone machines leave; new and changed ones are written (a changed
        // one over itself, keeping when it was first seen). An unchanged
        // machine is not written: a poll of 1,000 unchanged machines holds
        // the write lock for one read, not for 1,000 writes.
        for m in &diff.gone {
            sqlx::query("DELETE FROM machines WHERE backend_id = $1 AND id = $2")
                .bind(backend_id)
                .bind(&m.id)
                .execute(&mut *tx)
                .await?;
        }
        for m in diff.appeared.iter().chain(&diff.changed) {
            insert_machine(&mut tx, m).await?;
        }
        if !diff.is_empty() {
            crate::machines_version::bump(&mut tx, backend_id).await?;
        }
        insert_events(&mut tx, self.kind(), &describe(&diff)).await?;
        tx.commit().await?;
        Ok(diff)
    }

    /// Every machine of every backend, by backend then name.
    pub async fn machines(&self) -> Result<Vec<StoredMachine>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {MACHINE_COLUMNS} FROM machines ORDER BY backend_id, name, id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(machine).collect()
    }

    /// The machines of one backend, by name.
    pub async fn machines_of(&self, backend_id: &str) -> Result<Vec<StoredMachine>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {MACHINE_COLUMNS} FROM machines WHERE backend_id = $1 ORDER BY name, id"
        ))
        .bind(backend_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(machine).collect()
    }

    /// One machine.
    pub async fn machine(
        &self,
        backend_id: &str,
        id: &str,
    ) -> Result<Option<StoredMachine>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {MACHINE_COLUMNS} FROM machines WHERE backend_id = $1 AND id = $2"
        ))
        .bind(backend_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(machine).transpose()
    }

    /// Records a machine's new state (after an action, before the next poll).
    pub async fn set_machine_state(
        &self,
        backend_id: &str,
        id: &str,
        state: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE machines SET state = $3 WHERE backend_id = $1 AND id = $2")
            .bind(backend_id)
            .bind(id)
            .bind(state)
            .execute(&mut *tx)
            .await?;
        crate::machines_version::bump(&mut tx, backend_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes one machine from the list (with its pinned host key and key
    /// associations); whether it was there.
    pub async fn delete_machine(&self, backend_id: &str, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        for table in ["host_keys", "key_machines"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE backend_id = $1 AND machine_id = $2"
            ))
            .bind(backend_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        let gone = sqlx::query("DELETE FROM machines WHERE backend_id = $1 AND id = $2")
            .bind(backend_id)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone > 0 {
            crate::machines_version::bump(&mut tx, backend_id).await?;
        }
        tx.commit().await?;
        Ok(gone > 0)
    }

    /// Adds (or replaces) one machine, as just created (one already known
    /// keeps when it was first seen).
    pub async fn upsert_machine(&self, m: &StoredMachine) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        insert_machine(&mut tx, m).await?;
        crate::machines_version::bump(&mut tx, &m.backend_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Hands every machine (of one backend, or of all) with when it was
    /// first seen (Unix ms) to `each`, one row at a time as the database
    /// reads them: a caller that keeps only what it needs of each holds no
    /// more than that, however many machines there are. Without
    /// `with_extra`, each machine's `extra` is left unread (`{}`).
    pub async fn each_machine(
        &self,
        backend_id: Option<&str>,
        with_extra: bool,
        mut each: impl FnMut(StoredMachine, i64),
    ) -> Result<(), StoreError> {
        use futures_util::TryStreamExt;
        let columns = if with_extra {
            MACHINE_COLUMNS.to_owned()
        } else {
            MACHINE_COLUMNS.replace("extra", "'{}' AS extra")
        };
        let sql = match backend_id {
            Some(_) => {
                format!("SELECT {columns}, first_seen FROM machines WHERE backend_id = $1")
            }
            None => format!("SELECT {columns}, first_seen FROM machines"),
        };
        let mut query = sqlx::query(&sql);
        if let Some(id) = backend_id {
            query = query.bind(id);
        }
        let mut rows = query.fetch(self.pool());
        while let Some(row) = rows.try_next().await? {
            let first_seen: i64 = row.try_get("first_seen")?;
            each(machine(&row)?, first_seen);
        }
        Ok(())
    }

    /// The machines named by `(backend_id, id)` that exist, each with when
    /// it was first seen (Unix ms), in no particular order.
    pub async fn machines_named(
        &self,
        keys: &[(String, String)],
    ) -> Result<Vec<(StoredMachine, i64)>, StoreError> {
        let mut by_backend: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
        for (backend_id, id) in keys {
            by_backend.entry(backend_id).or_default().push(id);
        }
        let mut out = Vec::with_capacity(keys.len());
        for (backend_id, ids) in by_backend {
            // Bounded statements (at most 101 parameters), each on the
            // primary key.
            for chunk in ids.chunks(100) {
                let placeholders: Vec<String> =
                    (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
                let sql = format!(
                    "SELECT {MACHINE_COLUMNS}, first_seen FROM machines \
                     WHERE backend_id = $1 AND id IN ({})",
                    placeholders.join(", ")
                );
                let mut query = sqlx::query(&sql).bind(backend_id);
                for id in chunk {
                    query = query.bind(*id);
                }
                for row in query.fetch_all(self.pool()).await? {
                    let first_seen: i64 = row.try_get("first_seen")?;
                    out.push((machine(&row)?, first_seen));
                }
            }
        }
        Ok(out)
    }
}

/// Writes one machine inside `tx`: a new one is first seen when it was
/// seen; one already there is written over and keeps its `first_seen`.
pub(crate) async fn insert_machine(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    m: &StoredMachine,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO machines ({MACHINE_COLUMNS}, first_seen) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
         ON CONFLICT (backend_id, id) DO UPDATE SET name = excluded.name, \
         state = excluded.state, public_ips = excluded.public_ips, \
         private_ips = excluded.private_ips, ssh_port = excluded.ssh_port, \
         extra = excluded.extra, seen_at = excluded.seen_at"
    ))
    .bind(&m.backend_id)
    .bind(&m.id)
    .bind(&m.name)
    .bind(&m.state)
    .bind(&m.public_ips)
    .bind(&m.private_ips)
    .bind(m.ssh_port)
    .bind(&m.extra)
    .bind(m.seen_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
