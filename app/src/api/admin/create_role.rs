use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Creates a role from a name and a scope document given as JSON text
/// (master only).
#[server(endpoint = "admin/create_role", client = CsrfClient)]
pub async fn create_role(
    #[server(default)] name: String,
    #[server(default)] scope: String,
) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::authz::require_master(&actor, "create:role")?;
    let scope: serde_json::Value = serde_json::from_str(&scope)
        .map_err(|e| domain::ErrorKind::invalid("scope", format!("is not valid JSON: {e}")))?;
    service::roles::create(&ssr::services()?, &actor, &name, &scope).await?;
    Ok(())
}
