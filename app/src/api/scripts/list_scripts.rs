use domain::shell::ScriptRunSummary;
use leptos::prelude::*;
use server_fn::codec::GetUrl;

use crate::error::AppError;

/// A machine's script runs, newest first.
#[server(endpoint = "scripts/list", input = GetUrl)]
pub async fn list_scripts(
    #[server(default)] backend: String,
    #[server(default)] machine: String,
) -> Result<Vec<ScriptRunSummary>, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(service::scripts::list(&ssr::services()?, &actor, &backend, &machine).await?)
}
