use domain::inventory::MachineSummary;
use leptos::prelude::*;
use server_fn::codec::GetUrl;

use crate::error::AppError;

/// Every machine of every backend the caller may see.
#[server(endpoint = "machines/list", input = GetUrl)]
pub async fn list_machines() -> Result<Vec<MachineSummary>, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(service::machines::list(&ssr::services()?, &actor, None).await?)
}
