//! A stack's own event log and its agents' last reports.

use super::*;
use crate::{Db, StoreError};

impl Db {
    /// Appends an event to a stack's log; answers its `seq`.
    pub async fn append_stack_event(
        &self,
        stack_id: &str,
        at: i64,
        kind: &str,
        detail: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let seq = insert_event(&mut tx, stack_id, at, kind, detail).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// A stack's events, oldest first: the latest `latest` of them, or all
    /// with `None`.
    pub async fn stack_events(
        &self,
        stack_id: &str,
        latest: Option<i64>,
    ) -> Result<Vec<StackEvent>, StoreError> {
        let rows = match latest {
            Some(n) => {
                sqlx::query(
                    "SELECT stack_id, seq, at, kind, detail FROM ( \
                     SELECT stack_id, seq, at, kind, detail FROM stack_events \
                     WHERE stack_id = $1 ORDER BY seq DESC LIMIT $2) AS latest ORDER BY seq",
                )
                .bind(stack_id)
                .bind(n.max(0))
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(
                    "SELECT stack_id, seq, at, kind, detail FROM stack_events \
                     WHERE stack_id = $1 ORDER BY seq",
                )
                .bind(stack_id)
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter().map(event).collect()
    }

    /// Records an agent's status report (alm-agent's `agent_status`),
    /// creating its row the first time. An `instance_id` of `None` or `""`
    /// keeps the one known.
    pub async fn upsert_agent_status(
        &self,
        stack_id: &str,
        agent_id: &str,
        instance_id: Option<&str>,
        status: &str,
        message: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO stack_agents (stack_id, agent_id, instance_id, status, message, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (stack_id, agent_id) DO UPDATE SET \
             instance_id = CASE WHEN excluded.instance_id = '' THEN stack_agents.instance_id \
             ELSE excluded.instance_id END, \
             status = excluded.status, message = excluded.message, \
             updated_at = excluded.updated_at",
        )
        .bind(stack_id)
        .bind(agent_id)
        .bind(instance_id.unwrap_or(""))
        .bind(status)
        .bind(message)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records an agent's container report (alm-agent's
    /// `container_status`), creating its row the first time.
    pub async fn upsert_container_status(
        &self,
        stack_id: &str,
        agent_id: &str,
        instance_id: Option<&str>,
        container_id: &str,
        status: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO stack_agents (stack_id, agent_id, instance_id, container_id, \
             container_status, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (stack_id, agent_id) DO UPDATE SET \
             instance_id = CASE WHEN excluded.instance_id = '' THEN stack_agents.instance_id \
             ELSE excluded.instance_id END, \
             container_id = excluded.container_id, \
             container_status = excluded.container_status, updated_at = excluded.updated_at",
        )
        .bind(stack_id)
        .bind(agent_id)
        .bind(instance_id.unwrap_or(""))
        .bind(container_id)
        .bind(status)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A stack's agents, by agent id.
    pub async fn stack_agents(&self, stack_id: &str) -> Result<Vec<StackAgent>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {AGENT_COLUMNS} FROM stack_agents WHERE stack_id = $1 ORDER BY agent_id"
        ))
        .bind(stack_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(agent).collect()
    }
}

/// Appends an event to a stack's log inside `tx` (which holds the write
/// lock): its `seq`.
pub(super) async fn insert_event(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    stack_id: &str,
    at: i64,
    kind: &str,
    detail: &str,
) -> Result<i64, StoreError> {
    let seq = next_seq(tx, "stack_events", stack_id).await?;
    sqlx::query(
        "INSERT INTO stack_events (stack_id, seq, at, kind, detail) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(stack_id)
    .bind(seq)
    .bind(at)
    .bind(kind)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(seq)
}
