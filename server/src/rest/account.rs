//! The caller's own account, and the audit log.

use axum::{extract::State, Json};
use serde::Deserialize;
use store::audit::{AuditEntry, AuditFilter};
use tower_sessions::Session;
use utoipa::ToSchema;

use crate::{
    http_error::ApiError,
    rest::{
        answers::{success, Success},
        extract::{Body, EditPasswordAction, May, Query, ViewAuditAction},
    },
    AppState,
};

/// Body of `PUT /v3/user/password`: `revoke_tokens` (default false) also
/// revokes the caller's API tokens.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    /// The password now.
    current_password: String,
    /// The new one.
    password: String,
    /// Also revoke the caller's API tokens.
    #[serde(default)]
    revoke_tokens: bool,
}

/// Changes the caller's own password; the caller's other sessions end.
/// Refused to a token with a scope of its own.
#[utoipa::path(put, path = "/v3/user/password", tag = "users",
    request_body(description = "`{\"current_password\", \"password\", \"revoke_tokens\"?}`",
        content((PasswordChange = "application/json"), (PasswordChange = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Changed; the caller's other sessions ended", body = Success)))]
pub async fn change_password(
    State(state): State<AppState>,
    May(actor, _): May<EditPasswordAction>,
    session: Session,
    Body(body): Body<PasswordChange>,
) -> Result<Json<Success>, ApiError> {
    service::users::change_own_password(
        &state.services,
        &actor,
        &body.current_password,
        &body.password,
        body.revoke_tokens,
        Some(&session),
    )
    .await?;
    Ok(success())
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
    responses((status = 200, description = "The entries, newest first", body = Vec<AuditEntry>)))]
pub async fn audit(
    State(state): State<AppState>,
    May(actor, _): May<ViewAuditAction>,
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
