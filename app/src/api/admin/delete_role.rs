use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Deletes a role, detaching it from everyone (master only).
#[server(endpoint = "admin/delete_role", client = CsrfClient)]
pub async fn delete_role(#[server(default)] role_id: String) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::roles::delete(&ssr::services()?, &actor, &role_id).await?;
    Ok(())
}
