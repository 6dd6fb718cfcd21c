use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Deletes key `id` and its associations with machines.
#[server(endpoint = "keys/delete", client = CsrfClient)]
pub async fn delete_key(#[server(default)] id: String) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::keys::delete(&ssr::services()?, &actor, &id).await?;
    Ok(())
}
