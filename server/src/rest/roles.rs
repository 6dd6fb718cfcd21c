//! `/v3/role...`: roles and their attachment to users, in the Mobingi v3
//! shapes. Changes are the master account's alone.

use axum::{extract::State, Json};
use serde::Deserialize;
use serde_json::Value;
use service::roles::{self, RoleTemplate, RoleView};
use utoipa::ToSchema;

use crate::{
    http_error::ApiError,
    rest::{
        answers::{success, AttachedRole, CreatedRole, Success},
        extract::{
            json_field, AttachRole, Body, Caller, CreateRole, DeleteRole, DetachRole, EditRole,
            Master, Path, ViewRoles,
        },
    },
    AppState,
};

/// Body of `POST /v3/role` and `PUT /v3/role/{role_id}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RoleBody {
    /// Name.
    name: String,
    /// The scope document (IAM-style `{"Version": "2017-05-05",
    /// "Statement": [...]}`), or its text (as a form field must be).
    scope: Value,
}

/// Body naming a user, for attaching and detaching.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UsernameBody {
    /// The user.
    username: String,
}

/// Body of `POST /v3/user/role`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AttachBody {
    /// The user.
    username: String,
    /// The role.
    role_id: String,
}

/// Ready-made scopes.
#[utoipa::path(get, path = "/v3/role/templates", tag = "roles",
    responses((status = 200, description = "The templates", body = Vec<RoleTemplate>)))]
pub async fn role_templates(Caller(_): Caller) -> Json<Vec<RoleTemplate>> {
    Json(roles::templates())
}

/// Every role (master only).
#[utoipa::path(get, path = "/v3/role", tag = "roles",
    responses((status = 200, description = "The roles", body = Vec<RoleView>)))]
pub async fn list_roles(
    State(state): State<AppState>,
    Master(actor, _): Master<ViewRoles>,
) -> Result<Json<Vec<RoleView>>, ApiError> {
    Ok(Json(roles::list(&state.services, &actor).await?))
}

/// Creates a role.
#[utoipa::path(post, path = "/v3/role", tag = "roles",
    request_body(description = "`{\"name\", \"scope\"}`", content((RoleBody = "application/json"), (RoleBody = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Created", body = CreatedRole), (status = 409, description = "The name is taken")))]
pub async fn create_role(
    State(state): State<AppState>,
    Master(actor, _): Master<CreateRole>,
    Body(body): Body<RoleBody>,
) -> Result<Json<CreatedRole>, ApiError> {
    let scope = json_field(body.scope, "scope")?;
    let role = roles::create(&state.services, &actor, &body.name, &scope).await?;
    Ok(Json(CreatedRole {
        status: "success",
        role_id: role.id,
    }))
}

/// Replaces a role's name and scope.
#[utoipa::path(put, path = "/v3/role/{role_id}", tag = "roles",
    params(("role_id" = String, Path, description = "Role id")),
    request_body(description = "`{\"name\", \"scope\"}`", content((RoleBody = "application/json"), (RoleBody = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Done", body = Success), (status = 404), (status = 409, description = "The name is taken")))]
pub async fn update_role(
    State(state): State<AppState>,
    Master(actor, _): Master<EditRole>,
    Path(role_id): Path<String>,
    Body(body): Body<RoleBody>,
) -> Result<Json<Success>, ApiError> {
    let scope = json_field(body.scope, "scope")?;
    roles::update(&state.services, &actor, &role_id, &body.name, &scope).await?;
    Ok(success())
}

/// Deletes a role.
#[utoipa::path(delete, path = "/v3/role/{role_id}", tag = "roles",
    params(("role_id" = String, Path, description = "Role id")),
    responses((status = 200, description = "Deleted", body = Success), (status = 404)))]
pub async fn delete_role(
    State(state): State<AppState>,
    Master(actor, _): Master<DeleteRole>,
    Path(role_id): Path<String>,
) -> Result<Json<Success>, ApiError> {
    roles::delete(&state.services, &actor, &role_id).await?;
    Ok(success())
}

/// The caller's own roles.
#[utoipa::path(get, path = "/v3/user/role", tag = "roles",
    responses((status = 200, description = "The caller's roles", body = Vec<RoleView>)))]
pub async fn my_roles(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<RoleView>>, ApiError> {
    Ok(Json(roles::roles_of(&state.services, &actor, None).await?))
}

/// A user's roles.
#[utoipa::path(get, path = "/v3/user/{username}/role", tag = "roles",
    params(("username" = String, Path, description = "Username")),
    responses((status = 200, description = "The user's roles", body = Vec<RoleView>), (status = 404)))]
pub async fn user_roles(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(username): Path<String>,
) -> Result<Json<Vec<RoleView>>, ApiError> {
    Ok(Json(
        roles::roles_of(&state.services, &actor, Some(&username)).await?,
    ))
}

/// Attaches a role to a user.
#[utoipa::path(post, path = "/v3/user/role", tag = "roles",
    request_body(description = "`{\"username\", \"role_id\"}`", content((AttachBody = "application/json"), (AttachBody = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Attached", body = AttachedRole), (status = 404), (status = 409, description = "Already attached")))]
pub async fn attach_role(
    State(state): State<AppState>,
    Master(actor, _): Master<AttachRole>,
    Body(body): Body<AttachBody>,
) -> Result<Json<AttachedRole>, ApiError> {
    let id = roles::attach(&state.services, &actor, &body.username, &body.role_id).await?;
    Ok(Json(AttachedRole {
        status: "success",
        user_role_id: id,
    }))
}

/// Re-attaches a role to a user (attaching it if it is not).
#[utoipa::path(put, path = "/v3/user/role/{role_id}", tag = "roles",
    params(("role_id" = String, Path, description = "Role id")),
    request_body(description = "`{\"username\"}`", content((UsernameBody = "application/json"), (UsernameBody = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Attached", body = Success), (status = 404)))]
pub async fn reattach_role(
    State(state): State<AppState>,
    Master(actor, _): Master<AttachRole>,
    Path(role_id): Path<String>,
    Body(body): Body<UsernameBody>,
) -> Result<Json<Success>, ApiError> {
    match roles::attach(&state.services, &actor, &body.username, &role_id).await {
        Ok(_) | Err(domain::ErrorKind::Conflict { .. }) => Ok(success()),
        Err(e) => Err(e.into()),
    }
}

/// Detaches a role from a user.
#[utoipa::path(delete, path = "/v3/user/role/{role_id}", tag = "roles",
    params(("role_id" = String, Path, description = "Role id")),
    request_body(description = "`{\"username\"}`", content((UsernameBody = "application/json"), (UsernameBody = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Detached", body = Success), (status = 404)))]
pub async fn detach_role(
    State(state): State<AppState>,
    Master(actor, _): Master<DetachRole>,
    Path(role_id): Path<String>,
    Body(body): Body<UsernameBody>,
) -> Result<Json<Success>, ApiError> {
    roles::detach(&state.services, &actor, &body.username, &role_id).await?;
    Ok(success())
}
