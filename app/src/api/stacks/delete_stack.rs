use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Deletes a stack: its machines destroyed, then `DELETE_COMPLETE` (needs
/// `delete:alm.stack` on it); answers the status it went to.
#[server(endpoint = "stacks/delete", client = CsrfClient)]
pub async fn delete_stack(#[server(default)] stack_id: String) -> Result<String, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let stack = service::stacks::delete(&ssr::services()?, &actor, &stack_id).await?;
    Ok(stack.status)
}
