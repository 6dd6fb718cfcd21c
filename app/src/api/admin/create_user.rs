use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Creates a user (master only). With the password left empty, returns the
/// one-time link with which the user sets their own.
#[server(endpoint = "admin/create_user", client = CsrfClient)]
pub async fn create_user(
    #[server(default)] username: String,
    #[server(default)] email: String,
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
    )
    .await?;
    if let Some(link) = &link {
        // Without JavaScript the answer is a redirect: the page shows it from there.
        crate::shown_once::keep(crate::shown_once::PASSWORD_LINK, link).await?;
    }
    Ok(link)
}
