use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::LastRun;
use crate::error::AppError;

/// The command last run on this machine from this session by a plain form
/// (no JavaScript), if `run` names it: what the page shows after the
/// form's redirect. Later runs replace it; signing out forgets it.
#[server(endpoint = "machines/last_run", input = GetUrl)]
pub async fn get_last_run(
    #[server(default)] backend: String,
    #[server(default)] machine: String,
    #[server(default)] run: String,
) -> Result<Option<LastRun>, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::authz::authorize(
        &actor,
        "shell:machine",
        &domain::resource::machine(&backend, &machine),
    )?;
    let last = ssr::session()
        .await?
        .get::<LastRun>(super::run_command::no_js::LAST_RUN_KEY)
        .await
        .map_err(|e| AppError(service::internal(e)))?;
    Ok(last.filter(|r| r.id == run && r.backend == backend && r.machine == machine))
}
