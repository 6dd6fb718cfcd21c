//! Liveness and readiness.

use axum::{extract::State, http::StatusCode, Json};

use crate::{rest::answers::Health, AppState};

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "system", security(()),
    responses((status = 200, description = "The process is running: `{\"status\": \"ok\"}`", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        message: None,
    })
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", tag = "system", security(()),
    responses(
        (status = 200, description = "Ready to serve: `{\"status\": \"ready\"}`", body = Health),
        (status = 503, description = "The database does not answer", body = Health),
    ))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    match state.services.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(Health {
                status: "ready",
                message: None,
            }),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    message: Some("the database does not answer"),
                }),
            )
        }
    }
}
