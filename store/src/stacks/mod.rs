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

use crate::StoreError;

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

/// The kind of a stack's events that record its status changes.
pub const STATUS_EVENT: &str = "status";

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

mod journal;
mod lifecycle;
pub use lifecycle::{BeginOperation, EndOperation};
mod log;
mod versions;
