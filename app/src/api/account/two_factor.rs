use domain::two_factor::TwoFactorStatus;
use leptos::prelude::*;
use server_fn::codec::GetUrl;

use crate::error::AppError;

/// The caller's two-factor sign-in: on or off, recovery codes left, a
/// pending enrolment's secret and QR code, and whether the master
/// requires it.
#[server(endpoint = "account/two_factor", input = GetUrl)]
pub async fn get_two_factor() -> Result<TwoFactorStatus, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(service::two_factor::status(&ssr::services()?, &actor).await?)
}
