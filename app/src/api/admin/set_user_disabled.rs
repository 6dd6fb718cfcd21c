use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Disables or re-enables a user (master only); disabling ends their sessions.
#[server(endpoint = "admin/set_user_disabled", client = CsrfClient)]
pub async fn set_user_disabled(username: String, disabled: bool) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::users::update(
        &ssr::services()?,
        &actor,
        &username,
        Some(disabled),
        None,
        &ssr::client_address(),
    )
    .await?;
    Ok(())
}
