use leptos::prelude::*;
use server_fn::codec::GetUrl;

use crate::{api::admin::AuditRow, error::AppError};

/// The newest audit entries about one machine (at most 20, newest first,
/// resources named): for a caller who may see the machine and read the
/// audit log.
#[server(endpoint = "machines/activity", input = GetUrl)]
pub async fn get_machine_activity(
    #[server(default)] backend: String,
    #[server(default)] machine: String,
) -> Result<Vec<AuditRow>, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let entries =
        service::audit_log::of_machine(&ssr::services()?, &actor, &backend, &machine).await?;
    Ok(entries
        .into_iter()
        .map(|n| AuditRow {
            at: n.entry.at,
            actor: n.entry.actor,
            address: n.entry.address,
            action: n.entry.action,
            resource: n.entry.resource,
            resource_name: n.resource_name,
            outcome: n.entry.outcome,
            detail: n.entry.detail,
        })
        .collect())
}
