//! The stack tables (see `migrations/*/0014_stacks.sql`): `stacks`, their
//! template versions, the journal of their operations' steps, their own
//! event log and their agents' last reports.
//!
//! - One operation per stack at a time: [`Db::begin_operation`] is a
//!   compare-and-set (no operation running, the status one of those
//!   allowed), so of any number of instances beginning at once exactly one
//!   wins; [`Db::end_operation`] ends it (only by its id).
//! - The journal is written before each provider call
//!   ([`Db::append_step`], `pending`) and marked after ([`Db::mark_step`]);
//!   [`Db::unfinished_steps`] is what a resumed operation works through.
//! - Per-stack sequence numbers (versions, steps, events) are taken inside
//!   [`Db::write_tx`](crate::Db), so concurrent appends never share one.
//!
//! Statuses are CloudFormation's names as text; times are Unix ms.

use sqlx::Row;

use crate::{Db, StoreError};

/// A stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stack {
    /// Its id (`stack_id`).
    pub id: String,
    /// Three words, unique among live stacks.
    pub nickname: String,
    /// The account that made it.
    pub owner_id: String,
    /// The backend its machines live in (never changes).
    pub backend_id: String,
    /// CloudFormation's name: `CREATE_IN_PROGRESS`, `UPDATE_COMPLETE`, ...
    pub status: String,
    /// The current version.
    pub version_id: String,
    /// The operation running, if any.
    pub operation: Option<Operation>,
    /// The agents' secret, sealed by the service's vault.
    pub auth_token_sealed: String,
    /// Unix ms.
    pub created_at: i64,
    /// Last change of the row, Unix ms.
    pub updated_at: i64,
    /// When it was deleted (`DELETE_COMPLETE`), Unix ms; `None` while live.
    pub deleted_at: Option<i64>,
}

/// The operation running on a stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// `create`, `update`, `delete`, `rollback`, ...
    pub kind: String,
    /// Its id (the journal's `operation_id`).
    pub id: String,
    /// Its parameters, JSON (what a resumed operation needs).
    pub detail: String,
    /// When it began, Unix ms.
    pub started_at: i64,
}

/// A stack to create (with its first version: [`Db::create_stack`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStack {
    /// Its id.
    pub id: String,
    /// Three words.
    pub nickname: String,
    /// The account making it.
    pub owner_id: String,
    /// The backend its machines go to.
    pub backend_id: String,
    /// The status it starts in.
    pub status: String,
    /// The agents' secret, sealed.
    pub auth_token_sealed: String,
    /// Unix ms.
    pub now: i64,
}

/// A template version to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVersion {
    /// Its id.
    pub version_id: String,
    /// The template, JSON (secrets sealed).
    pub template: String,
    /// The values chosen for `"${computed}"` fields, JSON.
    pub computed: String,
    /// Unix ms.
    pub created_at: i64,
}

/// A stored template version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackVersion {
    /// Its stack.
    pub stack_id: String,
    /// Its id.
    pub version_id: String,
    /// From 1 per stack: the highest is the latest.
    pub seq: i64,
    /// The template, JSON (secrets sealed).
    pub template: String,
    /// The values chosen for `"${computed}"` fields, JSON.
    pub computed: String,
    /// The template's size in bytes.
    pub size: i64,
    /// Unix ms.
    pub created_at: i64,
}

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
}

/// Step states.
pub const STEP_PENDING: &str = "pending";
/// A step whose provider call succeeded.
pub const STEP_DONE: &str = "done";
/// A step whose provider call failed.
pub const STEP_FAILED: &str = "failed";
/// A step found unnecessary (reconciled, rolled back before it ran).
pub const STEP_SKIPPED: &str = "skipped";

/// A step to journal (state `pending`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStep {
    /// The operation it belongs to.
    pub operation_id: String,
    /// The layer's flag.
    pub flag: String,
    /// `create_machine`, `destroy_machine`, ...
    pub action: String,
    /// `<nickname>-<flag>-<n>`.
    pub machine_name: String,
    /// The provider's id, when already known (a destroy).
    pub machine_id: Option<String>,
    /// Unix ms.
    pub now: i64,
}

/// A journalled step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Its stack.
    pub stack_id: String,
    /// From 1 per stack, across operations.
    pub seq: i64,
    /// The operation it belongs to.
    pub operation_id: String,
    /// The layer's flag.
    pub flag: String,
    /// `create_machine`, `destroy_machine`, ...
    pub action: String,
    /// `<nickname>-<flag>-<n>`.
    pub machine_name: String,
    /// The provider's id, once known.
    pub machine_id: Option<String>,
    /// `pending`, `done`, `failed` or `skipped`.
    pub state: String,
    /// The outcome, the provider's message.
    pub message: Option<String>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
}

/// An event of a stack's own log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackEvent {
    /// Its stack.
    pub stack_id: String,
    /// From 1 per stack.
    pub seq: i64,
    /// Unix ms.
    pub at: i64,
    /// `status`, `step` or `agent`.
    pub kind: String,
    /// JSON.
    pub detail: String,
}

/// An agent's last report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackAgent {
    /// Its stack.
    pub stack_id: String,
    /// The agent's id (a UUID per machine).
    pub agent_id: String,
    /// The cloud's id of its machine, `""` until it sends one.
    pub instance_id: String,
    /// Its last agent status (free text).
    pub status: Option<String>,
    /// The message that came with it.
    pub message: Option<String>,
    /// Its container's id, as last sent.
    pub container_id: Option<String>,
    /// Its container's last status (free text).
    pub container_status: Option<String>,
    /// Unix ms.
    pub updated_at: i64,
}

const STACK_COLUMNS: &str = "id, nickname, owner_id, backend_id, status, version_id, \
                             operation_kind, operation_id, operation_detail, \
                             operation_started_at, auth_token_sealed, created_at, updated_at, \
                             deleted_at";

const VERSION_COLUMNS: &str = "stack_id, version_id, seq, template, computed, size, created_at";

const STEP_COLUMNS: &str = "stack_id, seq, operation_id, flag, action, machine_name, \
                            machine_id, state, message, created_at, updated_at";

const AGENT_COLUMNS: &str = "stack_id, agent_id, instance_id, status, message, container_id, \
                             container_status, updated_at";

fn stack(row: &sqlx::any::AnyRow) -> Result<Stack, StoreError> {
    let kind: Option<String> = row.try_get("operation_kind")?;
    let id: Option<String> = row.try_get("operation_id")?;
    let detail: Option<String> = row.try_get("operation_detail")?;
    let started_at: Option<i64> = row.try_get("operation_started_at")?;
    let operation = match (kind, id) {
        (Some(kind), Some(id)) => Some(Operation {
            kind,
            id,
            detail: detail.unwrap_or_else(|| "{}".into()),
            started_at: started_at.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(Stack {
        id: row.try_get("id")?,
        nickname: row.try_get("nickname")?,
        owner_id: row.try_get("owner_id")?,
        backend_id: row.try_get("backend_id")?,
        status: row.try_get("status")?,
        version_id: row.try_get("version_id")?,
        operation,
        auth_token_sealed: row.try_get("auth_token_sealed")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        deleted_at: row.try_get("deleted_at")?,
    })
}

fn version(row: &sqlx::any::AnyRow) -> Result<StackVersion, StoreError> {
    Ok(StackVersion {
        stack_id: row.try_get("stack_id")?,
        version_id: row.try_get("version_id")?,
        seq: row.try_get("seq")?,
        template: row.try_get("template")?,
        computed: row.try_get("computed")?,
        size: row.try_get("size")?,
        created_at: row.try_get("created_at")?,
    })
}

fn step(row: &sqlx::any::AnyRow) -> Result<Step, StoreError> {
    Ok(Step {
        stack_id: row.try_get("stack_id")?,
        seq: row.try_get("seq")?,
        operation_id: row.try_get("operation_id")?,
        flag: row.try_get("flag")?,
        action: row.try_get("action")?,
        machine_name: row.try_get("machine_name")?,
        machine_id: row.try_get("machine_id")?,
        state: row.try_get("state")?,
        message: row.try_get("message")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn event(row: &sqlx::any::AnyRow) -> Result<StackEvent, StoreError> {
    Ok(StackEvent {
        stack_id: row.try_get("stack_id")?,
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        kind: row.try_get("kind")?,
        detail: row.try_get("detail")?,
    })
}

fn agent(row: &sqlx::any::AnyRow) -> Result<StackAgent, StoreError> {
    Ok(StackAgent {
        stack_id: row.try_get("stack_id")?,
        agent_id: row.try_get("agent_id")?,
        instance_id: row.try_get("instance_id")?,
        status: row.try_get("status")?,
        message: row.try_get("message")?,
        container_id: row.try_get("container_id")?,
        container_status: row.try_get("container_status")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// `$first, $first+1, ...`: `count` placeholders for an `IN (...)` list.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn nickname_taken(e: sqlx::Error, nickname: &str) -> StoreError {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(format!(
            "a stack nicknamed {nickname:?} (or with that id) exists already"
        )),
        e => e.into(),
    }
}

fn size_of(template: &str) -> i64 {
    i64::try_from(template.len()).unwrap_or(i64::MAX)
}

/// The next sequence number of `table` for `stack_id` (inside the write
/// lock, so no two writers take the same).
async fn next_seq(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    table: &str,
    stack_id: &str,
) -> Result<i64, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM {table} WHERE stack_id = $1"
    ))
    .bind(stack_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("next")?)
}

async fn insert_version(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    stack_id: &str,
    v: &NewVersion,
) -> Result<i64, StoreError> {
    let seq = next_seq(tx, "stack_versions", stack_id).await?;
    sqlx::query(&format!(
        "INSERT INTO stack_versions ({VERSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))
    .bind(stack_id)
    .bind(&v.version_id)
    .bind(seq)
    .bind(&v.template)
    .bind(&v.computed)
    .bind(size_of(&v.template))
    .bind(v.created_at)
    .execute(&mut **tx)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(format!(
            "version {:?} of stack {stack_id:?} exists already",
            v.version_id
        )),
        e => e.into(),
    })?;
    Ok(seq)
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
    /// (compare-and-set): `true` when it was.
    pub async fn set_stack_status(
        &self,
        id: &str,
        from: &[&str],
        to: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        if from.is_empty() {
            return Ok(false);
        }
        let sql = format!(
            "UPDATE stacks SET status = $1, updated_at = $2 \
             WHERE id = $3 AND deleted_at IS NULL AND status IN ({})",
            placeholders(4, from.len())
        );
        let mut query = sqlx::query(&sql).bind(to).bind(now).bind(id);
        for status in from {
            query = query.bind(*status);
        }
        Ok(query.execute(self.pool()).await?.rows_affected() == 1)
    }

    /// Begins operation `op` on live stack `stack_id`: `true` when no
    /// operation was running, the status was one of `op.from` and the
    /// current version was `op.expected_version` (when given). Then the
    /// status is `op.to`, the operation is recorded and `op.new_version`
    /// (if any) stored and made current, all in one transaction; otherwise
    /// nothing changes. Of any number of callers at once, one wins.
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
        tx.commit().await?;
        Ok(true)
    }

    /// Ends operation `op_id` of stack `stack_id` with status `to`
    /// (`deleted`: the stack is deleted too, kept as such): `false` when
    /// that operation is not the one running.
    pub async fn end_operation(
        &self,
        stack_id: &str,
        op_id: &str,
        to: &str,
        deleted: bool,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE stacks SET status = $1, operation_kind = NULL, operation_id = NULL, \
             operation_detail = NULL, operation_started_at = NULL, updated_at = $2, \
             deleted_at = CASE WHEN $3 = 1 THEN $4 ELSE deleted_at END \
             WHERE id = $5 AND operation_id = $6",
        )
        .bind(to)
        .bind(now)
        .bind(i64::from(deleted))
        .bind(now)
        .bind(stack_id)
        .bind(op_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
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

    /// Stores a new version of a stack (not made current: that is
    /// [`BeginOperation::new_version`] or [`Db::set_stack_version`]);
    /// answers its `seq`.
    pub async fn add_stack_version(
        &self,
        stack_id: &str,
        v: &NewVersion,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let seq = insert_version(&mut tx, stack_id, v).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Records the values chosen for a version's `"${computed}"` fields.
    pub async fn set_version_computed(
        &self,
        stack_id: &str,
        version_id: &str,
        computed: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE stack_versions SET computed = $1 WHERE stack_id = $2 AND version_id = $3",
        )
        .bind(computed)
        .bind(stack_id)
        .bind(version_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A stack's versions, newest first.
    pub async fn stack_versions(&self, stack_id: &str) -> Result<Vec<StackVersion>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM stack_versions WHERE stack_id = $1 ORDER BY seq DESC"
        ))
        .bind(stack_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(version).collect()
    }

    /// One version of a stack.
    pub async fn stack_version(
        &self,
        stack_id: &str,
        version_id: &str,
    ) -> Result<Option<StackVersion>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM stack_versions WHERE stack_id = $1 AND version_id = $2"
        ))
        .bind(stack_id)
        .bind(version_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(version).transpose()
    }

    /// A stack's newest version.
    pub async fn latest_stack_version(
        &self,
        stack_id: &str,
    ) -> Result<Option<StackVersion>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM stack_versions WHERE stack_id = $1 \
             ORDER BY seq DESC LIMIT 1"
        ))
        .bind(stack_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(version).transpose()
    }

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

    /// Appends an event to a stack's log; answers its `seq`.
    pub async fn append_stack_event(
        &self,
        stack_id: &str,
        at: i64,
        kind: &str,
        detail: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let seq = next_seq(&mut tx, "stack_events", stack_id).await?;
        sqlx::query(
            "INSERT INTO stack_events (stack_id, seq, at, kind, detail) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(stack_id)
        .bind(seq)
        .bind(at)
        .bind(kind)
        .bind(detail)
        .execute(&mut *tx)
        .await?;
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
