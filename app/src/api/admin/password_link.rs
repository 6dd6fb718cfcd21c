use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// A new one-time link for a user to set their password (master only).
#[server(endpoint = "admin/password_link", client = CsrfClient)]
pub async fn password_link(#[server(default)] username: String) -> Result<String, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let link = service::users::password_link(&ssr::services()?, &actor, &username).await?;
    // Without JavaScript the answer is a redirect: the page shows it from there.
    crate::shown_once::keep(crate::shown_once::PASSWORD_LINK, &link).await?;
    Ok(link)
}
