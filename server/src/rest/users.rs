//! `/v3/user...`: users, in the Mobingi v3 shapes (master only, but for
//! listing with `view:user`).

use axum::{extract::State, Json};
use serde::Deserialize;
use serde_json::Value;
use service::users::{self, UserView};
use utoipa::ToSchema;

use crate::{
    http_error::ApiError,
    rest::{
        answers::{success, CreatedUser, PasswordLink, Success},
        extract::{Body, Caller, CreateUser, DeleteUser, EditUser, Master, Path},
    },
    AppState,
};

/// Body of `POST /v3/user`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUser {
    /// What the role routes take.
    username: String,
    /// What sign-in takes.
    email: String,
    /// Omit to get a one-time link for the user to set their own.
    password: Option<String>,
}

/// Body of `PUT /v3/user/{username}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UserChange {
    /// Disable (ending the user's sessions and tokens) or enable; `true`
    /// or `false`, or their text.
    #[serde(default, deserialize_with = "flexible_bool")]
    disabled: Option<bool>,
    /// A new password (ending every session and token of the user).
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
    responses((status = 200, description = "The accounts", body = Vec<UserView>)))]
pub async fn list_users(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<UserView>>, ApiError> {
    Ok(Json(users::list(&state.services, &actor).await?))
}

/// Creates a user.
#[utoipa::path(post, path = "/v3/user", tag = "users",
    request_body(description = "`{\"username\", \"email\", \"password\"?}`",
        content((NewUser = "application/json"), (NewUser = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Created; `password_link` when no password was given", body = CreatedUser), (status = 409, description = "The username or email is taken")))]
pub async fn create_user(
    State(state): State<AppState>,
    Master(actor, _): Master<CreateUser>,
    Body(body): Body<NewUser>,
) -> Result<Json<CreatedUser>, ApiError> {
    let (user, link) = users::create(
        &state.services,
        &actor,
        &body.username,
        &body.email,
        body.password.as_deref(),
    )
    .await?;
    Ok(Json(CreatedUser {
        status: "success",
        user_id: user.id,
        password_link: link,
    }))
}

/// A new one-time link for the user to set their own password.
#[utoipa::path(post, path = "/v3/user/{username}/password_link", tag = "users",
    params(("username" = String, Path, description = "Username")),
    responses((status = 200, description = "The link; the user's sessions and tokens ended", body = PasswordLink), (status = 404)))]
pub async fn password_link(
    State(state): State<AppState>,
    Master(actor, _): Master<EditUser>,
    Path(username): Path<String>,
) -> Result<Json<PasswordLink>, ApiError> {
    let link = users::password_link(&state.services, &actor, &username).await?;
    Ok(Json(PasswordLink {
        status: "success",
        password_link: link,
    }))
}

/// Disables, enables, or sets the password of a user.
#[utoipa::path(put, path = "/v3/user/{username}", tag = "users",
    params(("username" = String, Path, description = "Username")),
    request_body(description = "`{\"disabled\"?, \"password\"?}`",
        content((UserChange = "application/json"), (UserChange = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Done", body = Success), (status = 404)))]
pub async fn update_user(
    State(state): State<AppState>,
    Master(actor, _): Master<EditUser>,
    Path(username): Path<String>,
    Body(body): Body<UserChange>,
) -> Result<Json<Success>, ApiError> {
    users::update(
        &state.services,
        &actor,
        &username,
        body.disabled,
        body.password.as_deref(),
    )
    .await?;
    Ok(success())
}

/// Deletes a user.
#[utoipa::path(delete, path = "/v3/user/{username}", tag = "users",
    params(("username" = String, Path, description = "Username")),
    responses((status = 200, description = "Deleted", body = Success), (status = 404)))]
pub async fn delete_user(
    State(state): State<AppState>,
    Master(actor, _): Master<DeleteUser>,
    Path(username): Path<String>,
) -> Result<Json<Success>, ApiError> {
    users::delete(&state.services, &actor, &username).await?;
    Ok(success())
}
