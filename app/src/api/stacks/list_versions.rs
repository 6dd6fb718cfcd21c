use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::Version;
use crate::error::AppError;

/// A stack's template versions, newest first (needs `view:alm.template`).
#[server(endpoint = "stacks/versions", input = GetUrl)]
pub async fn list_versions(#[server(default)] stack_id: String) -> Result<Vec<Version>, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(
        service::stacks::versions(&ssr::services()?, &actor, &stack_id)
            .await?
            .into_iter()
            .map(|v| Version {
                version_id: v.version_id,
                latest: v.latest,
                last_modified: v.last_modified,
                size: v.size,
            })
            .collect(),
    )
}
