use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Reboots, stops, starts or destroys a machine through its provider
/// (needs `<action>:machine` on it).
#[server(endpoint = "machines/act", client = CsrfClient)]
pub async fn act_on_machine(
    #[server(default)] backend: String,
    #[server(default)] machine: String,
    #[server(default)] action: String,
) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::machine_actions::act(&ssr::services()?, &actor, &backend, &machine, &action).await?;
    Ok(())
}
