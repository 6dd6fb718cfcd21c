use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Signs in with email and password, then goes to `next` (or home).
#[server(endpoint = "sign_in", client = CsrfClient)]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr;
    let services = ssr::services()?;
    let session = ssr::session().await?;
    let account =
        service::accounts::sign_in(&services, &email, &password, &ssr::client_address()).await?;
    let csrf = service::session::establish(&session, &account).await?;
    ssr::set_cookie(&service::session::csrf_cookie(
        &csrf,
        services.settings.secure_cookies,
    ));
    leptos_axum::redirect(&domain::redirect::safe_next(next.as_deref()));
    Ok(())
}
