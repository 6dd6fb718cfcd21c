use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Removes a user's two-factor sign-in (a lost authenticator; master
/// only, audited): they sign in with their password alone, and enrol again
/// if it is required.
#[server(endpoint = "admin/reset_two_factor", client = CsrfClient)]
pub async fn reset_two_factor(#[server(default)] username: String) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::two_factor::admin::reset(&ssr::services()?, &actor, &username).await?;
    Ok(())
}
