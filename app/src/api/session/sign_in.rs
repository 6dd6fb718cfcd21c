use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Signs in with email and password, then goes to `next` (or home). An
/// account with two-factor sign-in goes to the code step first
/// (`/signin/code`); one the master requires to enrol, to the account page.
#[server(endpoint = "sign_in", client = CsrfClient)]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr;
    use service::two_factor::sign_in::{start, SignedIn};
    let services = ssr::services()?;
    let session = ssr::session().await?;
    let account =
        service::accounts::sign_in(&services, &email, &password, &ssr::client_address()).await?;
    let next = domain::redirect::safe_next(next.as_deref());
    let csrf = match start(&services, &session, &account).await? {
        SignedIn::CodeNeeded => {
            let to = format!("/signin/code?next={}", crate::paths::encode_segment(&next));
            leptos_axum::redirect(&to);
            return Ok(());
        }
        SignedIn::MustEnrol(csrf) => {
            leptos_axum::redirect("/account#two-factor");
            csrf
        }
        SignedIn::Done(csrf) => {
            leptos_axum::redirect(&next);
            csrf
        }
    };
    ssr::set_cookie(&service::session::csrf_cookie(
        &csrf,
        services.settings.secure_cookies,
    ));
    Ok(())
}
