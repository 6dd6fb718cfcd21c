use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Creates a user (master only). With the password left empty, returns the
/// one-time link with which the user sets their own.
#[server(endpoint = "admin/create_user", client = CsrfClient)]
pub async fn create_user(
    username: String,
    email: String,
    password: Option<String>,
) -> Result<Option<String>, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let (_, link) = service::users::create(
        &ssr::services()?,
        &actor,
        &username,
        &email,
        password.as_deref(),
        &ssr::client_address(),
    )
    .await?;
    Ok(link)
}
