use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Creates a user (master only).
#[server(endpoint = "admin/create_user", client = CsrfClient)]
pub async fn create_user(
    username: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::users::create(
        &ssr::services()?,
        &actor,
        &username,
        &email,
        &password,
        &ssr::client_address(),
    )
    .await?;
    Ok(())
}
