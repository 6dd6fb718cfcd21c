use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Changes the caller's password, proving the current one; the caller's
/// other sessions end. `revoke_tokens` (a checkbox: present when ticked)
/// also revokes their API tokens.
#[server(endpoint = "account/change_password", client = CsrfClient)]
pub async fn change_password(
    #[server(default)] current_password: String,
    #[server(default)] password: String,
    revoke_tokens: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let session = ssr::session().await?;
    let revoke_tokens = revoke_tokens.is_some_and(|v| v != "false");
    service::users::change_own_password(
        &ssr::services()?,
        &actor,
        &current_password,
        &password,
        revoke_tokens,
        Some(&session),
    )
    .await?;
    Ok(())
}
