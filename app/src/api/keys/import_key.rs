use domain::inventory::KeySummary;
use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Imports a private key (RSA, ECDSA or Ed25519; PEM or OpenSSH) under the
/// name `id`; `passphrase` opens an encrypted one (the key is stored
/// without it). Errors name the fields `id` and `priv`.
#[server(endpoint = "keys/import", client = CsrfClient)]
pub async fn import_key(
    #[server(default)] id: String,
    #[server(default)] private_key: String,
    passphrase: Option<String>,
) -> Result<KeySummary, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(service::keys::import(
        &ssr::services()?,
        &actor,
        &id,
        &private_key,
        passphrase.as_deref(),
    )
    .await?)
}
