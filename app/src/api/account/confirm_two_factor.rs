use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Confirms the pending enrolment with the authenticator's code; returns
/// the ten recovery codes, shown only now.
#[server(endpoint = "account/confirm_two_factor", client = CsrfClient)]
pub async fn confirm_two_factor(#[server(default)] code: String) -> Result<Vec<String>, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let codes = service::two_factor::confirm(&ssr::services()?, &actor, &code).await?;
    // Without JavaScript the answer is a redirect: the page shows them from there.
    crate::shown_once::keep(crate::shown_once::RECOVERY_CODES, &codes).await?;
    Ok(codes)
}
