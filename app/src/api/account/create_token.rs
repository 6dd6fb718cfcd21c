use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Creates an API token for the caller and returns it (the only time it is
/// shown). `ttl_days` empty means no hard expiry; `scope`, a JSON scope
/// document, narrows the token below the caller's own rights.
#[server(endpoint = "account/create_token", client = CsrfClient)]
pub async fn create_token(
    #[server(default)] name: String,
    ttl_days: Option<String>,
    scope: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    // Both as text: the service reads the number and the document.
    let ttl_days = ttl_days.map(serde_json::Value::String);
    let scope = scope.map(serde_json::Value::String);
    let created = service::tokens::create(
        &ssr::services()?,
        &actor,
        &name,
        ttl_days.as_ref(),
        scope.as_ref(),
    )
    .await?;
    // Without JavaScript the answer is a redirect: the page shows it from there.
    crate::shown_once::keep(crate::shown_once::TOKEN, &created.token).await?;
    Ok(created.token)
}
