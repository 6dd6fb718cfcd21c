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
    let services = ssr::services()?;
    let action = match service::machine_actions::parse_action(&action) {
        Ok(action) => action,
        Err(e) => {
            // A refused caller learns nothing from validation.
            service::authz::authorize(
                &actor,
                "reboot:machine",
                &domain::resource::machine(&backend, &machine),
            )?;
            return Err(e.into());
        }
    };
    service::machine_actions::act(&services, &actor, &backend, &machine, action).await?;
    Ok(())
}
