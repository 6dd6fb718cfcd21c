use leptos::prelude::*;

use super::RevealedKey;
use crate::{csrf_client::CsrfClient, error::AppError};

/// The private part of key `id` (needs `read_private:key`). A POST, so a
/// link cannot trigger it; every reveal and every refusal is audited.
#[server(endpoint = "keys/private", client = CsrfClient)]
pub async fn reveal_private_key(#[server(default)] id: String) -> Result<RevealedKey, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let private = service::keys::private(&ssr::services()?, &actor, &id).await?;
    let revealed = RevealedKey { name: id, private };
    // Without JavaScript the answer is a redirect: the page shows it from there.
    crate::shown_once::keep(crate::shown_once::PRIVATE_KEY, &revealed).await?;
    Ok(revealed)
}
