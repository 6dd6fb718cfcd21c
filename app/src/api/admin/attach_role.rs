use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Attaches a role to a user (master only).
#[server(endpoint = "admin/attach_role", client = CsrfClient)]
pub async fn attach_role(
    #[server(default)] username: String,
    #[server(default)] role_id: String,
) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::roles::attach(&ssr::services()?, &actor, &username, &role_id).await?;
    Ok(())
}
