use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Deploys key `key` to a machine (appended to the login user's
/// `authorized_keys` through a key that already works, then proved);
/// returns the user it opens the machine as.
#[server(endpoint = "keys/deploy", client = CsrfClient)]
pub async fn deploy_key(
    #[server(default)] backend: String,
    #[server(default)] machine: String,
    #[server(default)] key: String,
) -> Result<String, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let deployed =
        service::keys::deploy(&ssr::services()?, &actor, &key, &backend, &machine).await?;
    Ok(deployed.ssh_user)
}
