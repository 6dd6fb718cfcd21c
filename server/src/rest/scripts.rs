//! Scripts run on a machine over SSH (post-deploy scripts too): start one,
//! list them, read one with its output, follow one as it runs.

use axum::{extract::State, http::StatusCode, response::Response, Json};
use domain::shell::ScriptRunSummary;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    http_error::ApiError,
    rest::extract::{Body, Caller, May, Path, ShellMachineAction},
    AppState,
};

/// Body of the run-a-script route.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewScript {
    /// The script (at most 64 KiB), run with no input.
    script: String,
}

/// Runs a script on the machine over SSH (as soon as it answers); needs
/// `shell:machine`. Answers 202 with the run, `waiting` or `running`.
#[utoipa::path(post, path = "/backends/{backend_id}/machines/{machine_id}/scripts", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine")),
    request_body(description = "`{\"script\": \"#!/bin/sh ...\"}` (at most 64 KiB)",
        content((NewScript = "application/json"), (NewScript = "application/x-www-form-urlencoded"))),
    responses((status = 202, description = "The run, `waiting` or `running`", body = ScriptRunSummary), (status = 404), (status = 409, description = "The instance is stopping")))]
pub async fn start_script(
    State(state): State<AppState>,
    May(actor, _): May<ShellMachineAction>,
    Path((backend_id, machine_id)): Path<(String, String)>,
    Body(body): Body<NewScript>,
) -> Result<(StatusCode, Json<ScriptRunSummary>), ApiError> {
    let run = service::scripts::start(
        &state.services,
        &actor,
        &backend_id,
        &machine_id,
        &body.script,
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(run)))
}

/// The machine's script runs, newest first.
#[utoipa::path(get, path = "/backends/{backend_id}/machines/{machine_id}/scripts", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine")),
    responses((status = 200, description = "The runs, newest first", body = Vec<ScriptRunSummary>), (status = 404)))]
pub async fn list_scripts(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((backend_id, machine_id)): Path<(String, String)>,
) -> Result<Json<Vec<ScriptRunSummary>>, ApiError> {
    Ok(Json(
        service::scripts::list(&state.services, &actor, &backend_id, &machine_id).await?,
    ))
}

/// A run with its output so far.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScriptRunWithOutput {
    #[serde(flatten)]
    run: ScriptRunSummary,
    /// stdout and stderr as they interleaved.
    output: String,
}

/// One run and its output so far.
#[utoipa::path(get, path = "/backends/{backend_id}/machines/{machine_id}/scripts/{run_id}", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine"), ("run_id" = String, Path, description = "Run")),
    responses((status = 200, description = "The run and its output", body = ScriptRunWithOutput), (status = 404)))]
pub async fn script_run(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((backend_id, machine_id, run_id)): Path<(String, String, String)>,
) -> Result<Json<ScriptRunWithOutput>, ApiError> {
    let (run, output) =
        service::scripts::get(&state.services, &actor, &backend_id, &machine_id, &run_id).await?;
    Ok(Json(ScriptRunWithOutput { run, output }))
}

/// Follows a run: its output so far, then new output as it comes, as
/// mist.io's `parent.appendShell('...')` chunks, ending with
/// `parent.completeShell(exit_code)`.
#[utoipa::path(get, path = "/backends/{backend_id}/machines/{machine_id}/scripts/{run_id}/stream", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine"), ("run_id" = String, Path, description = "Run")),
    responses((status = 200, description = "Streamed HTML: `<script>parent.appendShell('...')</script>` chunks as output comes, then `parent.completeShell(exit_code)` (mist.io's iframe protocol)", content_type = "text/html", body = String), (status = 404)))]
pub async fn follow_script(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((backend_id, machine_id, run_id)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let events =
        service::scripts::follow(&state.services, &actor, &backend_id, &machine_id, &run_id)
            .await?;
    super::shell::append_shell(events)
}
