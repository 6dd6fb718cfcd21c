use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Turns two-factor sign-in off, proven with the authenticator's code or
/// a recovery code.
#[server(endpoint = "account/remove_two_factor", client = CsrfClient)]
pub async fn remove_two_factor(#[server(default)] code: String) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(service::two_factor::remove(&ssr::services()?, &actor, &code).await?)
}
