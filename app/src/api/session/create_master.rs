use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Creates the master account of a new installation and signs it in.
#[server(endpoint = "create_master", client = CsrfClient)]
pub async fn create_master(
    email: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    use crate::ssr;
    if password != password_confirm {
        return Err(
            domain::ErrorKind::invalid("password_confirm", "does not match the password").into(),
        );
    }
    let services = ssr::services()?;
    let session = ssr::session().await?;
    let address = ssr::client_address();
    let account = service::accounts::create_master(&services, &email, &password, &address).await?;
    let csrf = service::session::establish(&session, &account).await?;
    ssr::set_cookie(&service::session::csrf_cookie(
        &csrf,
        services.settings.secure_cookies,
    ));
    leptos_axum::redirect("/");
    Ok(())
}
