use domain::two_factor::Enrolment;
use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Begins enrolling an authenticator: a new secret (with its QR code), in
/// force once confirmed with a code. The account page shows the pending
/// secret from [`super::get_two_factor`], with or without JavaScript.
#[server(endpoint = "account/begin_two_factor", client = CsrfClient)]
pub async fn begin_two_factor() -> Result<Enrolment, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(service::two_factor::begin(&ssr::services()?, &actor).await?)
}
