//! The journal of a stack's operations: one step per provider call.

use super::*;
use crate::{Db, StoreError};

impl Db {
    /// Journals a step (state `pending`) before its provider call; answers
    /// it with its `seq`.
    pub async fn append_step(&self, stack_id: &str, s: &NewStep) -> Result<Step, StoreError> {
        let mut tx = self.write_tx().await?;
        let seq = next_seq(&mut tx, "stack_journal", stack_id).await?;
        sqlx::query(&format!(
            "INSERT INTO stack_journal ({STEP_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10)"
        ))
        .bind(stack_id)
        .bind(seq)
        .bind(&s.operation_id)
        .bind(&s.flag)
        .bind(&s.action)
        .bind(&s.machine_name)
        .bind(&s.machine_id)
        .bind(STEP_PENDING)
        .bind(s.now)
        .bind(s.now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Step {
            stack_id: stack_id.to_owned(),
            seq,
            operation_id: s.operation_id.clone(),
            flag: s.flag.clone(),
            action: s.action.clone(),
            machine_name: s.machine_name.clone(),
            machine_id: s.machine_id.clone(),
            state: STEP_PENDING.to_owned(),
            message: None,
            created_at: s.now,
            updated_at: s.now,
        })
    }

    /// Notes the provider's id of a pending step's machine (known once the
    /// create call answered, before the machine is up): `false` when the
    /// step is not pending.
    pub async fn set_step_machine_id(
        &self,
        stack_id: &str,
        seq: i64,
        machine_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE stack_journal SET machine_id = $1, updated_at = $2 \
             WHERE stack_id = $3 AND seq = $4 AND state = 'pending'",
        )
        .bind(machine_id)
        .bind(now)
        .bind(stack_id)
        .bind(seq)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends a pending step: `state` `done`, `failed` or `skipped`, with the
    /// outcome's message and the machine's id when now known (`None` keeps
    /// the one noted). `false` when the step is not pending (a finished
    /// step stays as it ended).
    pub async fn mark_step(
        &self,
        stack_id: &str,
        seq: i64,
        state: &str,
        machine_id: Option<&str>,
        message: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE stack_journal SET state = $1, machine_id = COALESCE($2, machine_id), \
             message = $3, updated_at = $4 \
             WHERE stack_id = $5 AND seq = $6 AND state = 'pending'",
        )
        .bind(state)
        .bind(machine_id)
        .bind(message)
        .bind(now)
        .bind(stack_id)
        .bind(seq)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// An operation's steps, in order.
    pub async fn operation_steps(
        &self,
        stack_id: &str,
        operation_id: &str,
    ) -> Result<Vec<Step>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {STEP_COLUMNS} FROM stack_journal WHERE stack_id = $1 AND operation_id = $2 \
             ORDER BY seq"
        ))
        .bind(stack_id)
        .bind(operation_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(step).collect()
    }

    /// Every step of a stack, across its operations, in order.
    pub async fn stack_steps(&self, stack_id: &str) -> Result<Vec<Step>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {STEP_COLUMNS} FROM stack_journal WHERE stack_id = $1 ORDER BY seq"
        ))
        .bind(stack_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(step).collect()
    }

    /// An operation's steps still `pending` (what a resumed operation
    /// reconciles first), in order.
    pub async fn unfinished_steps(
        &self,
        stack_id: &str,
        operation_id: &str,
    ) -> Result<Vec<Step>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {STEP_COLUMNS} FROM stack_journal WHERE stack_id = $1 AND operation_id = $2 \
             AND state = 'pending' ORDER BY seq"
        ))
        .bind(stack_id)
        .bind(operation_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(step).collect()
    }
}
