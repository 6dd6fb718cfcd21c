//! `PUT /v3/alm/template/{stack_id}`: updating a stack to a new template
//! version (Mobingi ALM v3), or with `?dry_run=true` only its plan.

use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use serde_json::Value;
use service::stacks::{self, UpdateOptions};
use utoipa::IntoParams;

use crate::{
    http_error::ApiError,
    rest::{
        alm::{applied_answer, truthy},
        extract::{EditStackAction, May, Path, Query},
        template_body::TemplateBody,
    },
    AppState,
};

/// The query of updating a stack.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct UpdateQuery {
    /// Only answer the plan; nothing changes.
    dry_run: Option<String>,
    /// Refuse with 409 unless the stack is at this version (also
    /// `If-Match`, or a body field of this name beside the template's).
    expected_version_id: Option<String>,
}

/// Updates a stack to the template in the body (JSON or YAML): per flag
/// one action (`create`, `delete`, `scale`, `replace`: new machines first,
/// then the old destroyed; `redeploy`: only the container, no machine
/// touched; `no-op`), carried in the background (`UPDATE_IN_PROGRESS`,
/// then `UPDATE_COMPLETE`; a failed create rolls back to the previous
/// version's machines, `UPDATE_ROLLBACK_COMPLETE`). The `vendor` is
/// ignored (a stack never moves clouds; `message` says so when it
/// differs). Needs `edit:alm.stack`, and `create:machine`/`destroy:machine`
/// on the stack's backend for what the plan makes and destroys.
/// `?dry_run=true` answers the plan only (200; each layer names the
/// machines it would create and destroy). 409 while another operation
/// runs, or when `expected_version_id` is not the stack's version.
#[utoipa::path(put, path = "/v3/alm/template/{stack_id}", tag = "stacks",
    params(("stack_id" = String, Path, description = "Stack"), UpdateQuery,
        ("If-Match" = Option<String>, Header, description = "The version the plan was made from")),
    request_body(description = "The new template (ALM `2017-03-03`), JSON or YAML", content((Object = "application/json"), (String = "application/x-yaml"))),
    responses(
        (status = 202, description = "`{status, stack_status, stack_id, version_id, nickname, plan, message?, dry_run}`", body = Object),
        (status = 200, description = "A dry run: `{status, stack_id, nickname, plan, message?, dry_run}`", body = Object),
        (status = 404, description = "No such stack"),
        (status = 409, description = "Another operation runs, the stack is deleted, or it moved on from `expected_version_id`")))]
pub async fn update_template(
    State(state): State<AppState>,
    May(actor, _): May<EditStackAction>,
    Path(stack_id): Path<String>,
    Query(q): Query<UpdateQuery>,
    body: TemplateBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let dry_run = q.dry_run.is_some() && truthy(q.dry_run.as_deref());
    let options = UpdateOptions {
        dry_run,
        expected_version: body
            .expected_version_id
            .or(q.expected_version_id)
            .filter(|v| !v.trim().is_empty()),
    };
    let updated = stacks::update(&state.services, &actor, &stack_id, &body.text, options).await?;
    Ok(applied_answer(&updated, dry_run, StatusCode::ACCEPTED))
}
