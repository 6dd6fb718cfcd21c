use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Sets a password through a one-time link, then goes to sign-in.
#[server(endpoint = "set_password", client = CsrfClient)]
pub async fn set_password(
    token: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    use crate::ssr;
    if password != password_confirm {
        return Err(
            domain::ErrorKind::invalid("password_confirm", "does not match the password").into(),
        );
    }
    service::users::set_password_with_link(
        &ssr::services()?,
        &token,
        &password,
        &ssr::client_address(),
    )
    .await?;
    leptos_axum::redirect("/signin");
    Ok(())
}
