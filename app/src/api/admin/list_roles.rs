use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::RoleRow;
use crate::error::AppError;

/// Every role (master only).
#[server(endpoint = "admin/roles", input = GetUrl)]
pub async fn list_roles() -> Result<Vec<RoleRow>, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let roles = service::roles::list(&ssr::services()?, &actor).await?;
    Ok(roles
        .into_iter()
        .map(|r| RoleRow {
            id: r.id,
            name: r.name,
            scope: serde_json::to_string_pretty(&r.scope).unwrap_or_default(),
        })
        .collect())
}
