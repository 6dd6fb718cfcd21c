//! Two-factor sign-in: the caller's own enrolment (`/v3/user/two-factor`),
//! the master's reset of a user's (`/v3/user/{username}/two-factor`) and
//! the installation's requirement (`/v3/settings/two-factor`). The same
//! `service::two_factor` calls as the Account and Admin pages.

use axum::{
    extract::{Path, State},
    Json,
};
use domain::two_factor::{Enrolment, TwoFactorStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    http_error::ApiError,
    rest::{
        answers::{success, Success},
        extract::{Body, Caller, EditUser, Master},
    },
    AppState,
};

/// The caller's two-factor sign-in.
#[utoipa::path(get, path = "/v3/user/two-factor", tag = "users",
    responses((status = 200, description = "On or off, recovery codes left, the pending enrolment's secret, and whether the master requires it", body = TwoFactorStatus)))]
pub async fn status(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<TwoFactorStatus>, ApiError> {
    Ok(Json(
        service::two_factor::status(&state.services, &actor).await?,
    ))
}

/// Begins enrolling an authenticator: a new secret, in force once
/// confirmed (`POST /v3/user/two-factor/confirm`). Again before confirming,
/// a new secret replaces it.
#[utoipa::path(post, path = "/v3/user/two-factor", tag = "users",
    responses(
        (status = 200, description = "The secret (base32), its otpauth URI and QR code", body = Enrolment),
        (status = 409, description = "Two-factor sign-in is on already")))]
pub async fn begin(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Enrolment>, ApiError> {
    Ok(Json(
        service::two_factor::begin(&state.services, &actor).await?,
    ))
}

/// Body of `POST /v3/user/two-factor/confirm` and `DELETE
/// /v3/user/two-factor`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Code {
    /// The authenticator's 6-digit code (removing also takes a recovery
    /// code).
    #[serde(default)]
    code: String,
}

/// The recovery codes of a confirmed enrolment, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Always `success`.
    pub status: &'static str,
    /// Ten codes, each signing in once in place of the authenticator's.
    pub recovery_codes: Vec<String>,
}

/// Confirms the pending enrolment with the authenticator's code: from now
/// on sign-in asks for a code, and HTTP Basic is refused (use a token).
#[utoipa::path(post, path = "/v3/user/two-factor/confirm", tag = "users",
    request_body(description = "`{\"code\"}`",
        content((Code = "application/json"), (Code = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "On; the recovery codes, shown only now", body = RecoveryCodes),
        (status = 409, description = "No enrolment to confirm")))]
pub async fn confirm(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Body(body): Body<Code>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let codes = service::two_factor::confirm(&state.services, &actor, &body.code).await?;
    Ok(Json(RecoveryCodes {
        status: "success",
        recovery_codes: codes,
    }))
}

/// Turns the caller's two-factor sign-in off, proven with the
/// authenticator's code or a recovery code (throttled like sign-in).
#[utoipa::path(delete, path = "/v3/user/two-factor", tag = "users",
    request_body(description = "`{\"code\"}`: the authenticator's code or a recovery code",
        content((Code = "application/json"), (Code = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "Off", body = Success),
        (status = 401, description = "Wrong or used code"),
        (status = 409, description = "Two-factor sign-in is off already"),
        (status = 429, description = "Too many wrong codes")))]
pub async fn remove(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Body(body): Body<Code>,
) -> Result<Json<Success>, ApiError> {
    service::two_factor::remove(&state.services, &actor, &body.code).await?;
    Ok(success())
}

/// Removes a user's two-factor sign-in (a lost authenticator): they sign
/// in with their password alone, and enrol again if it is required.
/// Audited.
#[utoipa::path(delete, path = "/v3/user/{username}/two-factor", tag = "users",
    params(("username" = String, Path, description = "Username")),
    responses((status = 200, description = "Reset", body = Success), (status = 404)))]
pub async fn reset(
    State(state): State<AppState>,
    Master(actor, _): Master<EditUser>,
    Path(username): Path<String>,
) -> Result<Json<Success>, ApiError> {
    service::two_factor::admin::reset(&state.services, &actor, &username).await?;
    Ok(success())
}

/// The installation's two-factor rule.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Requirement {
    /// Every account signs in with two factors; accounts without an
    /// authenticator are sent to enrol at their next sign-in.
    required: Option<bool>,
}

/// Whether the master requires two-factor sign-in of every account.
#[utoipa::path(get, path = "/v3/settings/two-factor", tag = "users",
    responses((status = 200, description = "The rule", body = Requirement)))]
pub async fn requirement(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Requirement>, ApiError> {
    service::authz::require_master(&actor, "view:settings")?;
    let required = service::two_factor::admin::required(&state.services).await?;
    Ok(Json(Requirement {
        required: Some(required),
    }))
}

/// Requires (or stops requiring) two-factor sign-in of every account
/// (master only; audited).
#[utoipa::path(put, path = "/v3/settings/two-factor", tag = "users",
    request_body(description = "`{\"required\": true|false}`",
        content((Requirement = "application/json"), (Requirement = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Set", body = Success)))]
pub async fn set_requirement(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Body(body): Body<Requirement>,
) -> Result<Json<Success>, ApiError> {
    service::two_factor::admin::set_required(&state.services, &actor, body.required).await?;
    Ok(success())
}
