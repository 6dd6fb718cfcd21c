use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Enables or disables backend `id` (a disabled one is not polled).
#[server(endpoint = "backends/set_enabled", client = CsrfClient)]
pub async fn set_backend_enabled(
    #[server(default)] id: String,
    #[server(default)] enabled: bool,
) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::backends::set_enabled(&ssr::services()?, &actor, &id, enabled).await?;
    Ok(())
}
