//! `/v3/user...`: users, in the Mobingi v3 shapes (master only, but for
//! listing with `view:user`).

use axum::{
    extract::{Path, State},
    Json,
};
use serde::Deserialize;
use serde_json::{json, Value};
use service::users::{self, UserView};

use crate::{
    http_error::ApiError,
    rest::extract::{Body, Caller, CreateUser, DeleteUser, EditUser, Master},
    AppState,
};

/// Body of `POST /v3/user`.
#[derive(Debug, Deserialize)]
pub struct NewUser {
    username: String,
    email: String,
    password: Option<String>,
}

/// Body of `PUT /v3/user/{username}`.
#[derive(Debug, Deserialize)]
pub struct UserChange {
    #[serde(default, deserialize_with = "flexible_bool")]
    disabled: Option<bool>,
    password: Option<String>,
}

/// `true`/`false` as JSON booleans or as the strings a form sends.
fn flexible_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(other) => Err(serde::de::Error::custom(format!(
            "disabled must be true or false, not {other}"
        ))),
    }
}

/// Every account.
#[utoipa::path(get, path = "/v3/user", tag = "users",
    responses((status = 200, description = "[{\"id\", \"username\", \"email\", \"disabled\", ...}]"), (status = 401), (status = 403)))]
pub async fn list_users(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<UserView>>, ApiError> {
    Ok(Json(users::list(&state.services, &actor).await?))
}

/// Creates a user.
#[utoipa::path(post, path = "/v3/user", tag = "users",
    responses((status = 200, description = "{\"status\": \"success\", \"user_id\"}"), (status = 400), (status = 403), (status = 409)))]
pub async fn create_user(
    State(state): State<AppState>,
    Master(actor, _): Master<CreateUser>,
    Body(body): Body<NewUser>,
) -> Result<Json<Value>, ApiError> {
    let (user, link) = users::create(
        &state.services,
        &actor,
        &body.username,
        &body.email,
        body.password.as_deref(),
    )
    .await?;
    let mut body = json!({"status": "success", "user_id": user.id});
    if let Some(link) = link {
        body["password_link"] = link.into();
    }
    Ok(Json(body))
}

/// A new one-time link for the user to set their own password.
#[utoipa::path(post, path = "/v3/user/{username}/password_link", tag = "users",
    params(("username" = String, Path, description = "Username")),
    responses((status = 200, description = "{\"status\": \"success\", \"password_link\"}"), (status = 403), (status = 404)))]
pub async fn password_link(
    State(state): State<AppState>,
    Master(actor, _): Master<EditUser>,
    Path(username): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let link = users::password_link(&state.services, &actor, &username).await?;
    Ok(Json(json!({"status": "success", "password_link": link})))
}

/// Disables, enables, or sets the password of a user.
#[utoipa::path(put, path = "/v3/user/{username}", tag = "users",
    params(("username" = String, Path, description = "Username")),
    responses((status = 200, description = "{\"status\": \"success\"}"), (status = 400), (status = 403), (status = 404)))]
pub async fn update_user(
    State(state): State<AppState>,
    Master(actor, _): Master<EditUser>,
    Path(username): Path<String>,
    Body(body): Body<UserChange>,
) -> Result<Json<Value>, ApiError> {
    users::update(
        &state.services,
        &actor,
        &username,
        body.disabled,
        body.password.as_deref(),
    )
    .await?;
    Ok(Json(json!({"status": "success"})))
}

/// Deletes a user.
#[utoipa::path(delete, path = "/v3/user/{username}", tag = "users",
    params(("username" = String, Path, description = "Username")),
    responses((status = 200, description = "{\"status\": \"success\"}"), (status = 403), (status = 404)))]
pub async fn delete_user(
    State(state): State<AppState>,
    Master(actor, _): Master<DeleteUser>,
    Path(username): Path<String>,
) -> Result<Json<Value>, ApiError> {
    users::delete(&state.services, &actor, &username).await?;
    Ok(Json(json!({"status": "success"})))
}
