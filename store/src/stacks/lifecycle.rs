//! Creating stacks, their status and operations, and their deletion.

use sqlx::Row;

use super::{log::insert_event, *};
use crate::{Db, StoreError};

/// An operation to begin ([`Db::begin_operation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BeginOperation<'a> {
    /// `create`, `update`, `delete`, ...
    pub kind: &'a str,
    /// Its id.
    pub id: &'a str,
    /// Its parameters, JSON.
    pub detail: &'a str,
    /// The statuses it may begin from.
    pub from: &'a [&'a str],
    /// The status it sets (`UPDATE_IN_PROGRESS`).
    pub to: &'a str,
    /// Refuse unless the stack's current version is this one (the update's
    /// `expected_version_id`).
    pub expected_version: Option<&'a str>,
    /// A version stored, and made current, only if the operation begins.
    pub new_version: Option<&'a NewVersion>,
    /// Unix ms.
    pub now: i64,
    /// The `status` event logged with the change (JSON).
    pub status_event: &'a str,
}

/// How an operation ends ([`Db::end_operation`]).
#[derive(Debug, Clone, Copy)]
pub struct EndOperation<'a> {
    /// The status it sets (`CREATE_COMPLETE`).
    pub to: &'a str,
    /// The stack is deleted too (kept as such).
    pub deleted: bool,
    /// Unix ms.
    pub now: i64,
    /// The `status` event logged with the change (JSON).
    pub status_event: &'a str,
}

impl Db {
    /// Stores a new stack with its first version (made current), in one
    /// transaction. [`StoreError::Conflict`] when a live stack has the
    /// nickname (or any stack the id).
    pub async fn create_stack(&self, s: &NewStack, first: &NewVersion) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(&format!(
            "INSERT INTO stacks ({STACK_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, NULL, NULL, $7, $8, $9, NULL)"
        ))
        .bind(&s.id)
        .bind(&s.nickname)
        .bind(&s.owner_id)
        .bind(&s.backend_id)
        .bind(&s.status)
        .bind(&first.version_id)
        .bind(&s.auth_token_sealed)
        .bind(s.now)
        .bind(s.now)
        .execute(&mut *tx)
        .await
        .map_err(|e| nickname_taken(e, &s.nickname))?;
        insert_version(&mut tx, &s.id, first).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a live stack has `nickname` (to draw another before
    /// creating; [`Db::create_stack`] refuses a taken one anyway).
    pub async fn stack_nickname_taken(&self, nickname: &str) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM stacks WHERE nickname = $1 AND deleted_at IS NULL",
        )
        .bind(nickname)
        .fetch_one(self.pool())
        .await?;
        let n: i64 = row.try_get("n")?;
        Ok(n > 0)
    }

    /// One stack, deleted or not.
    pub async fn stack(&self, id: &str) -> Result<Option<Stack>, StoreError> {
        let row = sqlx::query(&format!("SELECT {STACK_COLUMNS} FROM stacks WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(stack).transpose()
    }

    /// Every live stack (and the deleted ones with `include_deleted`),
    /// newest first.
    pub async fn stacks(&self, include_deleted: bool) -> Result<Vec<Stack>, StoreError> {
        let filter = if include_deleted {
            ""
        } else {
            "WHERE deleted_at IS NULL "
        };
        let rows = sqlx::query(&format!(
            "SELECT {STACK_COLUMNS} FROM stacks {filter}ORDER BY created_at DESC, id DESC"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(stack).collect()
    }

    /// The stacks with an operation running (to resume at start, or when
    /// their instance's lease expired), oldest operation first.
    pub async fn stacks_in_operation(&self) -> Result<Vec<Stack>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {STACK_COLUMNS} FROM stacks WHERE operation_id IS NOT NULL \
             ORDER BY operation_started_at, id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(stack).collect()
    }

    /// Sets a live stack's status to `to` if it is one of `from`
    /// (compare-and-set), logging `status_event` (the change's `status`
    /// event, JSON) in the same transaction: `true` when it was.
    pub async fn set_stack_status(
        &self,
        id: &str,
        from: &[&str],
        to: &str,
        now: i64,
        status_event: &str,
    ) -> Result<bool, StoreError> {
        if from.is_empty() {
            return Ok(false);
        }
        let mut tx = self.write_tx().await?;
        let sql = format!(
            "UPDATE stacks SET status = $1, updated_at = $2 \
             WHERE id = $3 AND deleted_at IS NULL AND status IN ({})",
            placeholders(4, from.len())
        );
        let mut query = sqlx::query(&sql).bind(to).bind(now).bind(id);
        for status in from {
            query = query.bind(*status);
        }
        if query.execute(&mut *tx).await?.rows_affected() != 1 {
            return Ok(false);
        }
        insert_event(&mut tx, id, now, STATUS_EVENT, status_event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Begins operation `op` on live stack `stack_id`: `true` when no
    /// operation was running, the status was one of `op.from` and the
    /// current version was `op.expected_version` (when given). Then the
    /// status is `op.to`, the operation is recorded and `op.new_version`
    /// (if any) stored and made current, and `op.status_event` logged, all
    /// in one transaction; otherwise nothing changes. Of any number of
    /// callers at once, one wins.
    pub async fn begin_operation(
        &self,
        stack_id: &str,
        op: &BeginOperation<'_>,
    ) -> Result<bool, StoreError> {
        if op.from.is_empty() {
            return Ok(false);
        }
        let mut tx = self.write_tx().await?;
        let sql = format!(
            "UPDATE stacks SET status = $1, operation_kind = $2, operation_id = $3, \
             operation_detail = $4, operation_started_at = $5, updated_at = $6, \
             version_id = COALESCE($7, version_id) \
             WHERE id = $8 AND deleted_at IS NULL AND operation_id IS NULL \
             AND ($9 IS NULL OR version_id = $10) AND status IN ({})",
            placeholders(11, op.from.len())
        );
        let mut query = sqlx::query(&sql)
            .bind(op.to)
            .bind(op.kind)
            .bind(op.id)
            .bind(op.detail)
            .bind(op.now)
            .bind(op.now)
            .bind(op.new_version.map(|v| v.version_id.as_str()))
            .bind(stack_id)
            .bind(op.expected_version)
            .bind(op.expected_version);
        for status in op.from {
            query = query.bind(*status);
        }
        if query.execute(&mut *tx).await?.rows_affected() != 1 {
            return Ok(false);
        }
        if let Some(v) = op.new_version {
            insert_version(&mut tx, stack_id, v).await?;
        }
        insert_event(&mut tx, stack_id, op.now, STATUS_EVENT, op.status_event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Ends operation `op_id` of stack `stack_id` with status `to`
    /// (`deleted`: the stack is deleted too, kept as such), logging
    /// `status_event` in the same transaction: `false` when that operation
    /// is not the one running (and nothing is logged).
    pub async fn end_operation(
        &self,
        stack_id: &str,
        op_id: &str,
        end: &EndOperation<'_>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE stacks SET status = $1, operation_kind = NULL, operation_id = NULL, \
             operation_detail = NULL, operation_started_at = NULL, updated_at = $2, \
             deleted_at = CASE WHEN $3 = 1 THEN $4 ELSE deleted_at END \
             WHERE id = $5 AND operation_id = $6",
        )
        .bind(end.to)
        .bind(end.now)
        .bind(i64::from(end.deleted))
        .bind(end.now)
        .bind(stack_id)
        .bind(op_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        insert_event(&mut tx, stack_id, end.now, STATUS_EVENT, end.status_event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Makes `version_id` (one of the stack's versions) its current one
    /// (a rolled-back update): `false` when the stack has no such version.
    pub async fn set_stack_version(
        &self,
        stack_id: &str,
        version_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE stacks SET version_id = $1, updated_at = $2 WHERE id = $3 AND EXISTS ( \
             SELECT 1 FROM stack_versions v WHERE v.stack_id = $4 AND v.version_id = $5)",
        )
        .bind(version_id)
        .bind(now)
        .bind(stack_id)
        .bind(stack_id)
        .bind(version_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks a live stack deleted without an operation (its row, versions
    /// and events kept): `false` when absent or already deleted.
    pub async fn mark_stack_deleted(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE stacks SET deleted_at = $1, updated_at = $2 \
             WHERE id = $3 AND deleted_at IS NULL",
        )
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
