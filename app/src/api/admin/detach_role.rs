use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Detaches a role from a user (master only).
#[server(endpoint = "admin/detach_role", client = CsrfClient)]
pub async fn detach_role(
    #[server(default)] username: String,
    #[server(default)] role_id: String,
) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::roles::detach(&ssr::services()?, &actor, &username, &role_id).await?;
    Ok(())
}
