use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Renames backend `id` to `new_name`.
#[server(endpoint = "backends/rename", client = CsrfClient)]
pub async fn rename_backend(
    #[server(default)] id: String,
    #[server(default)] new_name: String,
) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::backends::rename(&ssr::services()?, &actor, &id, &new_name).await?;
    Ok(())
}
