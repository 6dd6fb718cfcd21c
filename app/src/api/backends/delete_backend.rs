use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Deletes backend `id`: Overcast forgets it and its machines; nothing is
/// destroyed at the provider.
#[server(endpoint = "backends/delete", client = CsrfClient)]
pub async fn delete_backend(#[server(default)] id: String) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::backends::delete(&ssr::services()?, &actor, &id).await?;
    Ok(())
}
