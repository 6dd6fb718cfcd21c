use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Requires (or stops requiring) two-factor sign-in of every account
/// (master only, audited): accounts without it enrol at their next
/// sign-in. Without `required` it is refused, as at the REST route.
#[server(endpoint = "admin/require_two_factor", client = CsrfClient)]
pub async fn require_two_factor(required: Option<bool>) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::two_factor::admin::set_required(&ssr::services()?, &actor, required).await?;
    Ok(())
}
