use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Runs a script on a machine over SSH (needs `shell:machine`); the page
/// goes to the run (`?script=<id>#scripts`), with JavaScript or without.
#[server(endpoint = "scripts/start", client = CsrfClient)]
pub async fn start_script(
    #[server(default)] backend: String,
    #[server(default)] machine: String,
    #[server(default)] script: String,
) -> Result<String, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let run =
        service::scripts::start(&ssr::services()?, &actor, &backend, &machine, &script).await?;
    leptos_axum::redirect(&format!(
        "{}?script={}#scripts",
        crate::paths::machine_href(&backend, &machine),
        run.id
    ));
    Ok(run.id)
}
