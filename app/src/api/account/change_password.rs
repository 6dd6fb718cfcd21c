use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Changes the caller's password, proving the current one.
#[server(endpoint = "account/change_password", client = CsrfClient)]
pub async fn change_password(current_password: String, password: String) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::users::change_own_password(&ssr::services()?, &actor, &current_password, &password)
        .await?;
    Ok(())
}
