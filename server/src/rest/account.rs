//! The caller's own account, and the audit log.

use axum::{
    extract::{Query, State},
    Json,
};
use serde::Deserialize;
use serde_json::{json, Value};
use store::audit::{AuditEntry, AuditFilter};
use tower_sessions::Session;

use crate::{
    http_error::ApiError,
    rest::extract::{Body, Caller},
    AppState,
};

/// Body of `PUT /v3/user/password`: `revoke_tokens` (default false) also
/// revokes the caller's API tokens.
#[derive(Debug, Deserialize)]
pub struct PasswordChange {
    current_password: String,
    password: String,
    #[serde(default)]
    revoke_tokens: bool,
}

/// Changes the caller's own password; the caller's other sessions end.
/// Refused to a token with a scope of its own.
#[utoipa::path(put, path = "/v3/user/password", tag = "users",
    responses((status = 200), (status = 400), (status = 401), (status = 403)))]
pub async fn change_password(
    State(state): State<AppState>,
    Caller(actor): Caller,
    session: Session,
    Body(body): Body<PasswordChange>,
) -> Result<Json<Value>, ApiError> {
    service::users::change_own_password(
        &state.services,
        &actor,
        &body.current_password,
        &body.password,
        body.revoke_tokens,
        Some(&session),
    )
    .await?;
    Ok(Json(json!({"status": "success"})))
}

/// Filters of `GET /v3/audit`.
#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
    since: Option<i64>,
    limit: Option<i64>,
}

/// The audit log, newest first (the master, or `view:audit`).
#[utoipa::path(get, path = "/v3/audit", tag = "audit",
    params(
        ("actor" = Option<String>, Query, description = "Actor contains"),
        ("action" = Option<String>, Query, description = "Action starts with"),
        ("outcome" = Option<String>, Query, description = "success, failure or denied"),
        ("since" = Option<i64>, Query, description = "Unix ms"),
        ("limit" = Option<i64>, Query, description = "1 to 1000, default 100"),
    ),
    responses((status = 200, description = "[{\"at\", \"actor\", \"address\", \"action\", \"resource\", \"outcome\", \"detail\"}]"), (status = 403)))]
pub async fn audit(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let filter = AuditFilter {
        actor: q.actor,
        action: q.action,
        outcome: q.outcome,
        since: q.since,
        limit: q.limit.unwrap_or(100),
    };
    Ok(Json(
        service::audit_log::read(&state.services, &actor, &filter).await?,
    ))
}
