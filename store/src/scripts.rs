//! The `script_runs` and `script_output` tables: scripts run on machines
//! over SSH and their output, chunk by chunk.

use sqlx::Row;

use crate::{Db, StoreError};

/// One script run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptRun {
    /// Run id.
    pub id: String,
    /// Backend of the machine.
    pub backend_id: String,
    /// Machine id within the backend.
    pub machine_id: String,
    /// The script's text.
    pub script: String,
    /// `waiting`, `running`, `succeeded`, `failed` or `error`.
    pub state: String,
    /// Why it waits, or what went wrong.
    pub detail: Option<String>,
    /// The script's exit status, once it ended.
    pub exit_code: Option<i64>,
    /// The user it ran as.
    pub ssh_user: Option<String>,
    /// The key that opened the machine.
    pub ssh_key: Option<String>,
    /// `host:port` it ran on.
    pub ssh_host: Option<String>,
    /// Who asked for it (audit name).
    pub created_by: String,
    /// Unix ms.
    pub created_at: i64,
    /// When it started on the machine, Unix ms.
    pub started_at: Option<i64>,
    /// When it ended, Unix ms.
    pub finished_at: Option<i64>,
    /// Last sign of life of the instance carrying it, Unix ms, as runs
    /// were carried before leases: no longer renewed; the run's
    /// `("script_run", id)` lease (`store::leases`) says who carries it.
    pub heartbeat_at: Option<i64>,
}

/// One chunk of a run's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputChunk {
    /// Position, from 1.
    pub seq: i64,
    /// `stdout` or `stderr`.
    pub stream: String,
    /// Text.
    pub data: String,
}

const COLUMNS: &str = "id, backend_id, machine_id, script, state, detail, exit_code, ssh_user, \
                       ssh_key, ssh_host, created_by, created_at, started_at, finished_at, \
                       heartbeat_at";

fn run(row: &sqlx::any::AnyRow) -> Result<ScriptRun, StoreError> {
    Ok(ScriptRun {
        id: row.try_get("id")?,
        backend_id: row.try_get("backend_id")?,
        machine_id: row.try_get("machine_id")?,
        script: row.try_get("script")?,
        state: row.try_get("state")?,
        detail: row.try_get("detail")?,
        exit_code: row.try_get("exit_code")?,
        ssh_user: row.try_get("ssh_user")?,
        ssh_key: row.try_get("ssh_key")?,
        ssh_host: row.try_get("ssh_host")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        heartbeat_at: row.try_get("heartbeat_at")?,
    })
}

impl Db {
    /// Stores a new run (state `waiting`).
    pub async fn insert_script_run(&self, r: &ScriptRun) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO script_runs ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ))
        .bind(&r.id)
        .bind(&r.backend_id)
        .bind(&r.machine_id)
        .bind(&r.script)
        .bind(&r.state)
        .bind(&r.detail)
        .bind(r.exit_code)
        .bind(&r.ssh_user)
        .bind(&r.ssh_key)
        .bind(&r.ssh_host)
        .bind(&r.created_by)
        .bind(r.created_at)
        .bind(r.started_at)
        .bind(r.finished_at)
        .bind(r.heartbeat_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One run.
    pub async fn script_run(&self, id: &str) -> Result<Option<ScriptRun>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM script_runs WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(run).transpose()
    }

    /// A machine's runs, newest first.
    pub async fn script_runs(
        &self,
        backend_id: &str,
        machine_id: &str,
    ) -> Result<Vec<ScriptRun>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM script_runs WHERE backend_id = $1 AND machine_id = $2 \
             ORDER BY created_at DESC, id DESC"
        ))
        .bind(backend_id)
        .bind(machine_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(run).collect()
    }

    /// Notes why a run still waits.
    pub async fn script_run_waiting(&self, id: &str, detail: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE script_runs SET detail = $2 WHERE id = $1 AND state = 'waiting'")
            .bind(id)
            .bind(detail)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Marks a run started on `host` (`host:port`) as `user` with `key`.
    pub async fn script_run_started(
        &self,
        id: &str,
        user: &str,
        key: &str,
        host: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE script_runs SET state = 'running', detail = NULL, ssh_user = $2, \
             ssh_key = $3, ssh_host = $4, started_at = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(user)
        .bind(key)
        .bind(host)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Marks a run ended: `succeeded`/`failed` with its exit status, or
    /// `error` with what went wrong.
    pub async fn script_run_finished(
        &self,
        id: &str,
        state: &str,
        exit_code: Option<i64>,
        detail: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE script_runs SET state = $2, exit_code = $3, detail = $4, finished_at = $5 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(state)
        .bind(exit_code)
        .bind(detail)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Ends every run still waiting or running that no instance carries:
    /// its `("script_run", id)` lease is absent or expired at `now` (the
    /// instance that started it stopped, or crashed and stopped renewing).
    /// One statement, so a run whose carrier renews in time is never
    /// ended, and of several instances sweeping at once each run is ended
    /// once. Its output is kept; `reason` says why it ended. Returns how
    /// many.
    pub async fn end_unleased_script_runs(
        &self,
        reason: &str,
        now: i64,
    ) -> Result<u64, StoreError> {
        Ok(self
            .end_unleased_script_runs_listed(reason, now)
            .await?
            .len() as u64)
    }

    /// [`Db::end_unleased_script_runs`], saying which runs it ended:
    /// `(run id, backend id, machine id)` each, for announcing their end.
    pub async fn end_unleased_script_runs_listed(
        &self,
        reason: &str,
        now: i64,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        let rows = sqlx::query(
            "UPDATE script_runs SET state = 'error', detail = $1, finished_at = $2 \
             WHERE state IN ('waiting', 'running') AND NOT EXISTS ( \
                 SELECT 1 FROM leases WHERE leases.kind = 'script_run' \
                 AND leases.key = script_runs.id AND leases.expires_at > $3) \
             RETURNING id, backend_id, machine_id",
        )
        .bind(reason)
        .bind(now)
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("backend_id")?,
                    r.try_get("machine_id")?,
                ))
            })
            .collect()
    }

    /// Appends a chunk of output.
    pub async fn append_script_output(
        &self,
        run_id: &str,
        chunk: &OutputChunk,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO script_output (run_id, seq, stream, data) VALUES ($1, $2, $3, $4)",
        )
        .bind(run_id)
        .bind(chunk.seq)
        .bind(&chunk.stream)
        .bind(&chunk.data)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A run's output chunks after `after` (0 for all), in order.
    pub async fn script_output(
        &self,
        run_id: &str,
        after: i64,
    ) -> Result<Vec<OutputChunk>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, stream, data FROM script_output WHERE run_id = $1 AND seq > $2 \
             ORDER BY seq",
        )
        .bind(run_id)
        .bind(after)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(OutputChunk {
                    seq: row.try_get("seq")?,
                    stream: row.try_get("stream")?,
                    data: row.try_get("data")?,
                })
            })
            .collect()
    }
}
