use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::TokenRow;
use crate::error::AppError;

/// The caller's API tokens.
#[server(endpoint = "account/tokens", input = GetUrl)]
pub async fn list_tokens() -> Result<Vec<TokenRow>, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(service::tokens::list(&ssr::services()?, &actor)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
        })
        .collect())
}
