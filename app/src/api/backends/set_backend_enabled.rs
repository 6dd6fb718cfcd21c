use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Enables or disables backend `id` (a disabled one is not polled):
/// `enabled` is `"true"`/`"false"` (or `"1"`/`"0"`), read by the service.
#[server(endpoint = "backends/set_enabled", client = CsrfClient)]
pub async fn set_backend_enabled(
    #[server(default)] id: String,
    #[server(default)] enabled: String,
) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let new_state = service::backends::NewState::text(&enabled);
    service::backends::set_enabled(&ssr::services()?, &actor, &id, &new_state).await?;
    Ok(())
}
