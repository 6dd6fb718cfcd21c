use domain::inventory::MachineProbe;
use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Probes the machine: whether its SSH port answers and, for someone who
/// may open a shell on it, its uptime, load, processors and users. A plain
/// form post (no JavaScript) keeps the answer for the page it returns to.
#[server(endpoint = "machines/probe", client = CsrfClient)]
pub async fn probe_machine(
    #[server(default)] backend: String,
    #[server(default)] machine: String,
) -> Result<MachineProbe, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let probe =
        service::probe::probe(&ssr::services()?, &actor, &backend, &machine, None, None).await?;
    crate::shown_once::keep(crate::shown_once::PROBE, &probe).await?;
    Ok(probe)
}
