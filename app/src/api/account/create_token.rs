use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Creates an API token for the caller and returns it (the only time it is
/// shown). `ttl_days` empty means no hard expiry; `scope`, a JSON scope
/// document, narrows the token below the caller's own rights.
#[server(endpoint = "account/create_token", client = CsrfClient)]
pub async fn create_token(
    name: String,
    ttl_days: Option<String>,
    scope: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let ttl = match ttl_days.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(days) => Some(days.parse::<u32>().map_err(|_| {
            domain::ErrorKind::invalid("ttl_days", "must be a whole number of days")
        })?),
    };
    let scope = match scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => Some(
            serde_json::from_str::<serde_json::Value>(text).map_err(|e| {
                domain::ErrorKind::invalid("scope", format!("is not valid JSON: {e}"))
            })?,
        ),
    };
    let created =
        service::tokens::create(&ssr::services()?, &actor, &name, ttl, scope.as_ref()).await?;
    // Without JavaScript the answer is a redirect: the page shows it from there.
    crate::shown_once::keep(crate::shown_once::TOKEN, &created.token).await?;
    Ok(created.token)
}
