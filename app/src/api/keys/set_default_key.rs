use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Makes key `id` the default (used for machines without a key of their own).
#[server(endpoint = "keys/set_default", client = CsrfClient)]
pub async fn set_default_key(#[server(default)] id: String) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::keys::set_default(&ssr::services()?, &actor, &id).await?;
    Ok(())
}
