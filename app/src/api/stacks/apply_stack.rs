use leptos::prelude::*;

use super::Applied;
use crate::{csrf_client::CsrfClient, error::AppError};

/// Applies a template as a new stack (needs `create:alm.stack`, and
/// `create:machine` on the vendor's backend). `intent` `apply` creates it
/// and goes to its page; anything else (`plan`) is a dry run that answers
/// the plan. `on_failure` `keep` keeps a failed create's machines.
/// A plain form post keeps the text (and the plan) for the page it
/// returns to.
#[server(endpoint = "stacks/apply", client = CsrfClient)]
pub async fn apply_stack(
    #[server(default)] text: String,
    #[server(default)] intent: String,
    #[server(default)] on_failure: String,
) -> Result<Applied, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let services = ssr::services()?;
    let options = service::stacks::ApplyOptions {
        dry_run: intent != "apply",
        keep_on_failure: on_failure == "keep",
    };
    let answer = service::stacks::apply(&services, &actor, &text, options).await;
    // Kept unless it was applied, so a page without JavaScript shows the
    // text again with its plan or its faults.
    if !matches!(&answer, Ok(a) if a.stack_id.is_some()) {
        let draft = super::Draft {
            stack_id: None,
            text,
            plan: answer.as_ref().ok().map(|a| a.plan.clone()),
            expected_version: String::new(),
        };
        crate::shown_once::keep(crate::shown_once::STACK_DRAFT, &draft).await?;
    }
    let applied = super::convert::applied(answer?);
    if let Some(id) = &applied.stack_id {
        leptos_axum::redirect(&crate::paths::stack_href(id));
    }
    Ok(applied)
}
