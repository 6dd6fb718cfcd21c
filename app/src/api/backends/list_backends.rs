use domain::inventory::BackendSummary;
use leptos::prelude::*;
use server_fn::codec::GetUrl;

use crate::error::AppError;

/// The backends the caller may see.
#[server(endpoint = "backends/list", input = GetUrl)]
pub async fn list_backends() -> Result<Vec<BackendSummary>, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(service::backends::list(&ssr::services()?, &actor).await?)
}
