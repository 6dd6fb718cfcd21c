//! The `audit_log` table: who did what, from where, with which outcome.

use serde::Serialize;
use sqlx::Row;

use crate::{Db, StoreError};

/// One audit record. Secrets never go in here.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AuditEntry {
    /// When, Unix ms.
    pub at: i64,
    /// Who: an email, a token name, or `anonymous`.
    pub actor: String,
    /// The caller's network address.
    pub address: String,
    /// What was attempted, e.g. `sign_in`.
    pub action: String,
    /// On what, e.g. `account/<email>`.
    pub resource: String,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    /// Free text for the reader; never a secret.
    pub detail: String,
}

/// Which entries to read. Empty strings and `None` match everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries whose actor contains this.
    pub actor: Option<String>,
    /// Entries whose action starts with this.
    pub action: Option<String>,
    /// `success`, `failure` or `denied`.
    pub outcome: Option<String>,
    /// At or after, Unix ms.
    pub since: Option<i64>,
    /// At most this many, newest first.
    pub limit: i64,
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

impl Db {
    /// The newest entries matching `filter`.
    pub async fn audit_entries(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_entries_from(f, 0).await
    }

    /// The entries matching `filter`, newest first, after skipping the
    /// newest `offset` of them (a page further back).
    pub async fn audit_entries_from(
        &self,
        f: &AuditFilter,
        offset: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let actor = f
            .actor
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| format!("%{}%", like_escape(s)));
        let action = f
            .action
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| format!("{}%", like_escape(s)));
        let outcome = f.outcome.as_deref().filter(|s| !s.is_empty());
        let rows = sqlx::query(
            "SELECT at, actor, address, action, resource, outcome, detail FROM audit_log \
             WHERE ($1 IS NULL OR actor LIKE $1 ESCAPE '\\') \
               AND ($2 IS NULL OR action LIKE $2 ESCAPE '\\') \
               AND ($3 IS NULL OR outcome = $3) \
               AND ($4 IS NULL OR at >= $4) \
             ORDER BY id DESC LIMIT $5 OFFSET $6",
        )
        .bind(actor)
        .bind(action)
        .bind(outcome)
        .bind(f.since)
        .bind(f.limit)
        .bind(offset.max(0))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(entry).collect()
    }

    /// The newest `limit` entries about `resource` or anything under it
    /// (`<resource>/...`), newest first: a machine's activity.
    pub async fn audit_entries_of(
        &self,
        resource: &str,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let under = format!("{}/%", like_escape(resource));
        let rows = sqlx::query(
            "SELECT at, actor, address, action, resource, outcome, detail FROM audit_log \
             WHERE resource = $1 OR resource LIKE $2 ESCAPE '\\' \
             ORDER BY id DESC LIMIT $3",
        )
        .bind(resource)
        .bind(under)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(entry).collect()
    }

    /// Appends one record.
    pub async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let mut conn = self.pool().acquire().await?;
        insert(&mut conn, entry).await
    }

    /// The newest `limit` records, newest first.
    pub async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, address, action, resource, outcome, detail FROM audit_log \
             ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(entry).collect()
    }
}

/// Inserts one record on `conn` (a pooled connection or a transaction).
pub(crate) async fn insert(
    conn: &mut sqlx::AnyConnection,
    entry: &AuditEntry,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, address, action, resource, outcome, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry.at)
    .bind(&entry.actor)
    .bind(&entry.address)
    .bind(&entry.action)
    .bind(&entry.resource)
    .bind(&entry.outcome)
    .bind(&entry.detail)
    .execute(conn)
    .await?;
    Ok(())
}

fn entry(r: &sqlx::any::AnyRow) -> Result<AuditEntry, StoreError> {
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
