use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::ScriptRunRead;
use crate::error::AppError;

/// One run of a machine and its output so far.
#[server(endpoint = "scripts/get", input = GetUrl)]
pub async fn get_script_run(
    #[server(default)] backend: String,
    #[server(default)] machine: String,
    #[server(default)] run: String,
) -> Result<ScriptRunRead, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let (run, output) =
        service::scripts::get(&ssr::services()?, &actor, &backend, &machine, &run).await?;
    Ok(ScriptRunRead { run, output })
}
