//! `DELETE /backends/{b}/machines/{m}/record`: a terminated machine removed
//! from the list (the provider is not asked; the audit log keeps its
//! history).

use axum::{extract::State, Json};

use crate::{
    http_error::ApiError,
    rest::{
        answers::{success, Success},
        extract::{Caller, Path},
    },
    AppState,
};

/// Removes a terminated machine from the list (`destroy:machine`). A machine
/// in any other state is a 409: destroy it first.
#[utoipa::path(delete, path = "/backends/{backend_id}/machines/{machine_id}/record", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine")),
    responses((status = 200, description = "Removed from the list", body = Success), (status = 404), (status = 409, description = "The machine is not terminated")))]
pub async fn forget_machine(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((backend_id, machine_id)): Path<(String, String)>,
) -> Result<Json<Success>, ApiError> {
    service::machines::forget(&state.services, &actor, &backend_id, &machine_id).await?;
    Ok(success())
}
