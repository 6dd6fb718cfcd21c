//! `GET /v3/dashboard`: the Home page's one answer.

use axum::{extract::State, Json};
use domain::dashboard::Dashboard;

use crate::{http_error::ApiError, rest::extract::Caller, AppState};

/// What the caller may see of the installation at a glance: backends with
/// their state and machine counts (trouble first), machines by state,
/// scripts running now, the newest audit events that concern the caller,
/// and, for a caller who may add keys or backends, the first steps'
/// checklist. Filtered by the caller's rights as the lists are: a user
/// who may see nothing gets empty sections and their own activity.
#[utoipa::path(get, path = "/v3/dashboard", tag = "dashboard",
    responses((status = 200, description = "The dashboard", body = Dashboard)))]
pub async fn dashboard(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Dashboard>, ApiError> {
    Ok(Json(
        service::dashboard::dashboard(&state.services, &actor).await?,
    ))
}
