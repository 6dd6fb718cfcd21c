use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Deletes a user (master only).
#[server(endpoint = "admin/delete_user", client = CsrfClient)]
pub async fn delete_user(#[server(default)] username: String) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::users::delete(&ssr::services()?, &actor, &username).await?;
    Ok(())
}
