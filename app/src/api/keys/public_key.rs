use leptos::prelude::*;
use server_fn::codec::GetUrl;

use crate::error::AppError;

/// The public part of key `id`, as an OpenSSH `authorized_keys` line.
#[server(endpoint = "keys/public", input = GetUrl)]
pub async fn public_key(#[server(default)] id: String) -> Result<String, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(service::keys::public(&ssr::services()?, &actor, &id).await?)
}
