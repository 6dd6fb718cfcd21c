use leptos::prelude::*;

use super::Applied;
use crate::{csrf_client::CsrfClient, error::AppError};

/// Updates a stack to the template `text` (needs `edit:alm.stack` on it).
/// `intent` `apply` starts the update; anything else (`plan`) is a dry run
/// that answers the plan. `expected_version_id` is the version the page
/// showed: a stack that moved on since is a 409. A plain form post keeps
/// the text (and the plan) for the page it returns to.
#[server(endpoint = "stacks/update", client = CsrfClient)]
pub async fn update_stack(
    #[server(default)] stack_id: String,
    #[server(default)] text: String,
    #[server(default)] intent: String,
    #[server(default)] expected_version_id: String,
) -> Result<Applied, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let services = ssr::services()?;
    let dry_run = intent != "apply";
    let options = service::stacks::UpdateOptions {
        dry_run,
        expected_version: Some(expected_version_id.clone()).filter(|v| !v.is_empty()),
    };
    let answer = service::stacks::update(&services, &actor, &stack_id, &text, options).await;
    // Kept unless it was applied, so a page without JavaScript shows the
    // text again with its plan or its faults.
    if dry_run || answer.is_err() {
        let draft = super::Draft {
            stack_id: Some(stack_id),
            text,
            plan: answer.as_ref().ok().map(|a| a.plan.clone()),
            expected_version: expected_version_id,
        };
        crate::shown_once::keep(crate::shown_once::STACK_DRAFT, &draft).await?;
    }
    Ok(super::convert::applied(answer?))
}
