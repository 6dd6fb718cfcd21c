use domain::inventory::KeySummary;
use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Renames key `id` to `new_id`.
#[server(endpoint = "keys/rename", client = CsrfClient)]
pub async fn rename_key(
    #[server(default)] id: String,
    #[server(default)] new_id: String,
) -> Result<KeySummary, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(service::keys::rename(&ssr::services()?, &actor, &id, &new_id).await?)
}
