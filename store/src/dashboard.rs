//! The Home dashboard's reads: counts made by the database, and small,
//! bounded rows where the caller's rights must be judged one by one.

use sqlx::Row;

use crate::{audit::AuditEntry, Db, StoreError};

/// How many keys, backends and machines exist at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetupCounts {
    /// SSH keys.
    pub keys: i64,
    /// Backends.
    pub backends: i64,
    /// Machines, on every backend.
    pub machines: i64,
}

/// How many machines of one backend are in one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineCount {
    /// The backend.
    pub backend_id: String,
    /// The state's name.
    pub state: String,
    /// How many.
    pub count: i64,
}

/// A machine's identity and state, no more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineStateRow {
    /// The backend.
    pub backend_id: String,
    /// The provider's id for it.
    pub id: String,
    /// The state's name.
    pub state: String,
}

/// A script run not yet ended, without its output or its whole text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveRun {
    /// Run id.
    pub id: String,
    /// The machine's backend.
    pub backend_id: String,
    /// The machine's id.
    pub machine_id: String,
    /// The machine's name, while the machine is known.
    pub machine_name: Option<String>,
    /// The script's first 200 characters.
    pub script_head: String,
    /// `waiting` or `running`.
    pub state: String,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub started_at: Option<i64>,
}

/// The states of a run not yet ended.
const ACTIVE: &str = "r.state IN ('waiting', 'running')";

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

impl Db {
    /// How many keys, backends and machines exist, in one query.
    pub async fn setup_counts(&self) -> Result<SetupCounts, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM ssh_keys) AS k, (SELECT COUNT(*) FROM backends) AS b, \
             (SELECT COUNT(*) FROM machines) AS m",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(SetupCounts {
            keys: row.try_get("k")?,
            backends: row.try_get("b")?,
            machines: row.try_get("m")?,
        })
    }

    /// Machines counted by backend and state.
    pub async fn machine_counts(&self) -> Result<Vec<MachineCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT backend_id, state, COUNT(*) AS n FROM machines \
             GROUP BY backend_id, state ORDER BY backend_id, state",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MachineCount {
                    backend_id: r.try_get("backend_id")?,
                    state: r.try_get("state")?,
                    count: r.try_get("n")?,
                })
            })
            .collect()
    }

    /// Every machine's backend, id and state (for callers whose rights are
    /// judged machine by machine).
    pub async fn machine_states(&self) -> Result<Vec<MachineStateRow>, StoreError> {
        let rows =
            sqlx::query("SELECT backend_id, id, state FROM machines ORDER BY backend_id, id")
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| {
                Ok(MachineStateRow {
                    backend_id: r.try_get("backend_id")?,
                    id: r.try_get("id")?,
                    state: r.try_get("state")?,
                })
            })
            .collect()
    }

    /// How many script runs have not ended.
    pub async fn count_active_script_runs(&self) -> Result<i64, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM script_runs r WHERE {ACTIVE}"
        ))
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("n")?)
    }

    /// The newest `limit` script runs not yet ended, newest first.
    pub async fn active_script_runs(&self, limit: i64) -> Result<Vec<ActiveRun>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT r.id, r.backend_id, r.machine_id, m.name AS machine_name, \
             SUBSTR(r.script, 1, 200) AS script_head, r.state, r.created_at, r.started_at \
             FROM script_runs r LEFT JOIN machines m \
             ON m.backend_id = r.backend_id AND m.id = r.machine_id \
             WHERE {ACTIVE} ORDER BY r.created_at DESC, r.id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ActiveRun {
                    id: r.try_get("id")?,
                    backend_id: r.try_get("backend_id")?,
                    machine_id: r.try_get("machine_id")?,
                    machine_name: r.try_get("machine_name")?,
                    script_head: r.try_get("script_head")?,
                    state: r.try_get("state")?,
                    created_at: r.try_get("created_at")?,
                    started_at: r.try_get("started_at")?,
                })
            })
            .collect()
    }

    /// The newest `limit` audit entries of one account: those recorded
    /// under its email, and under its email with a token's name
    /// (`<email> (token <name>)`), newest first.
    pub async fn audit_of_account(
        &self,
        email: &str,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let tokens = format!("{} (token %", like_escape(email));
        let rows = sqlx::query(
            "SELECT at, actor, address, action, resource, outcome, detail FROM audit_log \
             WHERE actor = $1 OR actor LIKE $2 ESCAPE '\\' ORDER BY id DESC LIMIT $3",
        )
        .bind(email)
        .bind(tokens)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(audit_entry).collect()
    }
}

fn audit_entry(r: &sqlx::any::AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        address: r.try_get("address")?,
        action: r.try_get("action")?,
        resource: r.try_get("resource")?,
        outcome: r.try_get("outcome")?,
        detail: r.try_get("detail")?,
    })
}
