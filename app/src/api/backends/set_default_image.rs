use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Sets backend `id`'s default image (what a stack template's
/// `"image": "${computed}"` takes there); empty removes it.
#[server(endpoint = "backends/default_image", client = CsrfClient)]
pub async fn set_backend_default_image(
    #[server(default)] id: String,
    #[server(default)] default_image: String,
) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::backends::settings::set_default_image(&ssr::services()?, &actor, &id, &default_image)
        .await?;
    Ok(())
}
