use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Makes the comma-separated `tags` the machine's whole tag set (needs
/// `tag:machine`).
#[server(endpoint = "machines/tags", client = CsrfClient)]
pub async fn set_machine_tags(
    #[server(default)] backend: String,
    #[server(default)] machine: String,
    #[server(default)] tags: String,
) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    // The text as given: the service splits it.
    let tags = serde_json::Value::String(tags);
    service::machine_actions::set_tags(&ssr::services()?, &actor, &backend, &machine, &tags)
        .await?;
    Ok(())
}
