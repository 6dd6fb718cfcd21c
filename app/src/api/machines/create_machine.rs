use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Creates a machine on a backend (needs `create:machine` on
/// `backend/<id>/machine/*`); returns its id.
#[server(endpoint = "machines/create", client = CsrfClient)]
pub async fn create_machine(
    #[server(default)] backend: String,
    #[server(default)] name: String,
    #[server(default)] size: String,
    #[server(default)] image: String,
    #[server(default)] location: String,
    #[server(default)] key: String,
    #[server(default)] script: String,
) -> Result<String, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let created = service::machine_actions::create(
        &ssr::services()?,
        &actor,
        &backend,
        &service::machine_actions::NewMachine {
            name,
            size,
            image,
            location,
            key: Some(key),
            script: Some(script),
        },
    )
    .await?;
    // To the new machine's page (on its script's run, if it has one), with
    // JavaScript or without.
    let page = crate::paths::machine_href(&backend, &created.machine.id);
    leptos_axum::redirect(&match &created.script_run {
        Some(run) => format!("{page}?script={}#scripts", run.id),
        None => page,
    });
    Ok(created.machine.id)
}
