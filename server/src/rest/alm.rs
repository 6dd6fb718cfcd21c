//! Stacks (Mobingi ALM v3): apply a template, describe and list stacks,
//! their template versions, compare two templates, delete a stack.

use axum::{extract::State, http::StatusCode, Json};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use service::stacks::{self, Side};
use utoipa::{IntoParams, ToSchema};

use crate::{
    http_error::ApiError,
    rest::extract::{
        Body, CreateStackAction, DeleteStackAction, May, Path, Query, ViewStackAction,
        ViewTemplateAction,
    },
    rest::template_body::TemplateBody,
    AppState,
};

/// The query of applying a template.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct ApplyQuery {
    /// Only answer the plan; nothing is created.
    dry_run: Option<String>,
    /// `keep`: a failed create keeps the machines made (`CREATE_FAILED`)
    /// instead of rolling back (`rollback`, the default).
    on_failure: Option<String>,
}

/// Whether a flag given in a query is on (`?dry_run`, `=true`, `=1`,
/// `=yes`).
pub fn truthy(v: Option<&str>) -> bool {
    matches!(v.map(str::trim), Some("true" | "1" | "yes" | ""))
}

/// Applies a template (the body, JSON; an `on_failure` field beside its
/// own is taken as the query's): a new stack, its machines created
/// in the background (`<nickname>-<flag>-<n>`). Needs `create:alm.stack`
/// and `create:machine` on the vendor's backend. With `?dry_run=true`,
/// the answer has the plan only (no `stack_id`): nothing is created.
#[utoipa::path(post, path = "/v3/alm/template", tag = "stacks", params(ApplyQuery),
    request_body(description = "The template (ALM `2017-03-03`), JSON or YAML", content((Object = "application/json"), (String = "application/x-yaml"))),
    responses(
        (status = 201, description = "`{status, stack_status, stack_id, version_id, nickname, plan, computed, dry_run}`", body = Object),
        (status = 200, description = "A dry run: `{status, plan, computed, dry_run}` (each layer names the machines it would create; nothing is created)", body = Object),
        (status = 400, description = "The template's faults, each with its JSON pointer (`field` the first), or invalid JSON/YAML with its line and column"),
        (status = 403, description = "`create:alm.stack`, or `create:machine` on the vendor's backend, is missing (named)")))]
pub async fn apply_template(
    State(state): State<AppState>,
    May(actor, _): May<CreateStackAction>,
    Query(q): Query<ApplyQuery>,
    body: TemplateBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    // `"on_failure"` may come in the body, beside the template's fields.
    let on_failure = body.on_failure.or(q.on_failure);
    let dry_run = q.dry_run.is_some() && truthy(q.dry_run.as_deref());
    let keep_on_failure = match on_failure.as_deref().map(str::trim) {
        None | Some("" | "rollback") => false,
        Some("keep") => true,
        Some(other) => {
            return Err(ApiError(domain::ErrorKind::invalid(
                "on_failure",
                format!("{other:?} is neither keep nor rollback"),
            )))
        }
    };
    let options = stacks::ApplyOptions {
        dry_run,
        keep_on_failure,
    };
    let applied = stacks::apply(&state.services, &actor, &body.text, options).await?;
    Ok(applied_answer(&applied, dry_run, StatusCode::CREATED))
}

/// An apply's or update's answer: `status` and `dry_run` beside what the
/// service answered; 200 for a dry run (only the plan), `done` otherwise.
pub fn applied_answer(
    applied: &stacks::Applied,
    dry_run: bool,
    done: StatusCode,
) -> (StatusCode, Json<Value>) {
    let mut answer = serde_json::to_value(applied).unwrap_or(Value::Null);
    if let Some(map) = answer.as_object_mut() {
        map.insert("status".into(), json!("success"));
        map.insert("dry_run".into(), json!(dry_run));
    }
    (if dry_run { StatusCode::OK } else { done }, Json(answer))
}

/// The query of listing stacks.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct ListQuery {
    /// Also list deleted stacks (`DELETE_COMPLETE`).
    include_deleted: Option<String>,
}

/// The stacks the caller may see, newest first (without their events).
#[utoipa::path(get, path = "/v3/alm/stack", tag = "stacks", params(ListQuery),
    responses((status = 200, description = "The stacks", body = Vec<Object>)))]
pub async fn list_stacks(
    State(state): State<AppState>,
    May(actor, _): May<ViewStackAction>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<stacks::Described>>, ApiError> {
    let all = q.include_deleted.is_some() && truthy(q.include_deleted.as_deref());
    Ok(Json(stacks::list(&state.services, &actor, all).await?))
}

/// One stack: status, configuration (secrets masked), instances per flag,
/// latest 50 events; `auth_token` only with `edit:alm.stack`.
#[utoipa::path(get, path = "/v3/alm/stack/{stack_id}", tag = "stacks",
    params(("stack_id" = String, Path, description = "Stack")),
    responses((status = 200, description = "The stack", body = Object), (status = 404)))]
pub async fn describe_stack(
    State(state): State<AppState>,
    May(actor, _): May<ViewStackAction>,
    Path(stack_id): Path<String>,
) -> Result<Json<stacks::Described>, ApiError> {
    Ok(Json(
        stacks::describe(&state.services, &actor, &stack_id).await?,
    ))
}

/// Deletes a stack: `DELETE_IN_PROGRESS`, its machines destroyed, then
/// `DELETE_COMPLETE` (still listed with `?include_deleted=true`). 409 while
/// another operation runs.
#[utoipa::path(delete, path = "/v3/alm/stack/{stack_id}", tag = "stacks",
    params(("stack_id" = String, Path, description = "Stack")),
    responses((status = 202, description = "`{status, stack_status, stack_id}`", body = Object), (status = 404), (status = 409)))]
pub async fn delete_stack(
    State(state): State<AppState>,
    May(actor, _): May<DeleteStackAction>,
    Path(stack_id): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let stack = stacks::delete(&state.services, &actor, &stack_id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"status": "success", "stack_status": stack.status, "stack_id": stack.id})),
    ))
}

/// The query of listing versions.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct VersionsQuery {
    /// The stack.
    stack_id: String,
}

/// A stack's template versions, newest first; `latest` marks the stack's
/// current one (the newest, unless an update to a newer one was rolled
/// back).
#[utoipa::path(get, path = "/v3/alm/template", tag = "stacks", params(VersionsQuery),
    responses((status = 200, description = "`[{version_id, latest, last_modified, size}]`", body = Vec<Object>), (status = 404)))]
pub async fn list_versions(
    State(state): State<AppState>,
    May(actor, _): May<ViewTemplateAction>,
    Query(q): Query<VersionsQuery>,
) -> Result<Json<Vec<stacks::VersionEntry>>, ApiError> {
    Ok(Json(
        stacks::versions(&state.services, &actor, &q.stack_id).await?,
    ))
}

/// The query of reading a version.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct VersionQuery {
    /// The version (empty or `latest`: the stack's current one).
    version_id: String,
}

/// One version's template, secrets masked.
#[utoipa::path(get, path = "/v3/alm/template/{stack_id}", tag = "stacks",
    params(("stack_id" = String, Path, description = "Stack"), VersionQuery),
    responses((status = 200, description = "The template", body = Object), (status = 404)))]
pub async fn template_version(
    State(state): State<AppState>,
    May(actor, _): May<ViewTemplateAction>,
    Path(stack_id): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        stacks::template(&state.services, &actor, &stack_id, &q.version_id).await?,
    ))
}

/// What to compare: `id` names stored versions (`[{"<stack>": {"version":
/// "<vid>"}}]`), `body` templates as JSON strings; the source is `id[0]`,
/// the target `id[1]` or `body[0]`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CompareBody {
    #[schema(value_type = Vec<Object>)]
    id: Vec<Map<String, Value>>,
    body: Vec<String>,
}

/// The comparison's answer.
#[derive(Debug, Serialize)]
struct CompareAnswer {
    status: &'static str,
    #[serde(flatten)]
    compared: stacks::Compared,
}

fn side(entry: &Map<String, Value>) -> Result<Side, ApiError> {
    let (stack, v) = entry
        .iter()
        .next()
        .ok_or_else(|| ApiError(domain::ErrorKind::invalid("id", "an entry names no stack")))?;
    let version = v["version"].as_str().unwrap_or("latest").to_owned();
    Ok(Side::Version(stack.clone(), version))
}

/// Compares two templates: `diff` (`new`, `removed`, `edited`, each an
/// object keyed by RFC 6901 pointer: into the source for `removed` and
/// `edited`, into the target for `new`; layers matched by `flag`, not by
/// position; `${computed}` against a concrete value is no change; secrets
/// masked) and the `plan` from source to target.
#[utoipa::path(post, path = "/v3/alm/template/compare", tag = "stacks",
    request_body(content((CompareBody = "application/json"), (CompareBody = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "`{status, source, target, diff, plan}`", body = Object), (status = 400), (status = 404)))]
pub async fn compare(
    State(state): State<AppState>,
    May(actor, _): May<ViewTemplateAction>,
    Body(body): Body<CompareBody>,
) -> Result<Json<Value>, ApiError> {
    let source =
        side(body.id.first().ok_or_else(|| {
            ApiError(domain::ErrorKind::invalid("id", "name the source version"))
        })?)?;
    let target = match (body.id.get(1), body.body.first()) {
        (Some(entry), _) => side(entry)?,
        (None, Some(text)) => Side::Body(text.clone()),
        (None, None) => {
            return Err(ApiError(domain::ErrorKind::invalid(
                "id",
                "name a target version, or give a template in body",
            )))
        }
    };
    let compared = stacks::compare(&state.services, &actor, &source, &target).await?;
    Ok(Json(
        serde_json::to_value(CompareAnswer {
            status: "success",
            compared,
        })
        .unwrap_or(Value::Null),
    ))
}
