use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Disables or re-enables a user (master only); disabling ends their sessions
/// and revokes their API tokens (re-enabling brings none back).
/// Without `disabled` nothing changes, as with the REST route.
#[server(endpoint = "admin/set_user_disabled", client = CsrfClient)]
pub async fn set_user_disabled(
    #[server(default)] username: String,
    disabled: Option<bool>,
) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::users::update(&ssr::services()?, &actor, &username, disabled, None).await?;
    Ok(())
}
