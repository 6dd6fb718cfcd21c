use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Revokes one of the caller's tokens.
#[server(endpoint = "account/revoke_token", client = CsrfClient)]
pub async fn revoke_token(#[server(default)] id: String) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::tokens::revoke(&ssr::services()?, &actor, &id).await?;
    Ok(())
}
