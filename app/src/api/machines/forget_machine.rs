use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Removes a terminated machine from the list (needs `destroy:machine` on
/// it), then goes to the Machines page, with JavaScript or without.
#[server(endpoint = "machines/forget", client = CsrfClient)]
pub async fn forget_machine(
    #[server(default)] backend: String,
    #[server(default)] machine: String,
) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::machines::forget(&ssr::services()?, &actor, &backend, &machine).await?;
    leptos_axum::redirect("/machines");
    Ok(())
}
