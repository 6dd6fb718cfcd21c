use leptos::prelude::*;
use server_fn::codec::GetUrl;

use crate::error::AppError;

/// The Keys page's one read: the keys the caller may see, the machines each
/// opens and how that is known, and what the caller may do to each. Its
/// arguments' struct is `KeyListing`, as the `server` macro names it; the
/// answer is `domain::rights::KeyListing`.
#[server(endpoint = "keys/listing", input = GetUrl)]
pub async fn key_listing() -> Result<domain::rights::KeyListing, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(service::keys::listing(&ssr::services()?, &actor).await?)
}
