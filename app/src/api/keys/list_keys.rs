use domain::inventory::KeySummary;
use leptos::prelude::*;
use server_fn::codec::GetUrl;

use crate::error::AppError;

/// The keys the caller may see, with the machines each opens.
#[server(endpoint = "keys/list", input = GetUrl)]
pub async fn list_keys() -> Result<Vec<KeySummary>, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(service::keys::list(&ssr::services()?, &actor).await?)
}
