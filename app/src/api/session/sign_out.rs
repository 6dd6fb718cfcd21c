use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Ends the session and returns to the sign-in page.
#[server(endpoint = "sign_out", client = CsrfClient)]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::ssr;
    let services = ssr::services()?;
    let actor = ssr::require_actor()?;
    let session = ssr::session().await?;
    service::session::end(&session).await?;
    ssr::set_cookie(&service::session::expired_csrf_cookie(
        services.settings.secure_cookies,
    ));
    let resource = format!("account/{}", actor.email);
    service::audit::record(
        &services,
        &actor.email,
        &actor.address,
        "sign_out",
        &resource,
        service::audit::outcome::SUCCESS,
        "",
    )
    .await?;
    leptos_axum::redirect("/signin");
    Ok(())
}
