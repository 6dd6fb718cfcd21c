use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// The second step of signing in to an account with two-factor sign-in:
/// the authenticator's code (or a recovery code) after the password, then
/// `next` (or home).
#[server(endpoint = "sign_in_code", client = CsrfClient)]
pub async fn sign_in_code(
    #[server(default)] code: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr;
    let services = ssr::services()?;
    let session = ssr::session().await?;
    let (_, csrf) =
        service::two_factor::sign_in::finish(&services, &session, &code, &ssr::client_address())
            .await?;
    ssr::set_cookie(&service::session::csrf_cookie(
        &csrf,
        services.settings.secure_cookies,
    ));
    leptos_axum::redirect(&domain::redirect::safe_next(next.as_deref()));
    Ok(())
}
