use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Accepts the machine's changed host key, named by the fingerprint the
/// operator saw (needs `edit:machine`).
#[server(endpoint = "machines/accept_host_key", client = CsrfClient)]
pub async fn accept_host_key(
    #[server(default)] backend: String,
    #[server(default)] machine: String,
    #[server(default)] fingerprint: String,
) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::machines::accept_host_key(&ssr::services()?, &actor, &backend, &machine, &fingerprint)
        .await?;
    Ok(())
}
