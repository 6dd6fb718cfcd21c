use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::AuditRow;
use crate::error::AppError;

/// The newest audit entries, filtered (the master, or `view:audit`).
#[server(endpoint = "admin/audit", input = GetUrl)]
pub async fn list_audit(
    actor_filter: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
) -> Result<Vec<AuditRow>, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let filter = store::audit::AuditFilter {
        actor: actor_filter,
        action,
        outcome,
        since: None,
        limit: 100,
    };
    let entries = service::audit_log::read(&ssr::services()?, &actor, &filter).await?;
    Ok(entries
        .into_iter()
        .map(|e| AuditRow {
            at: e.at,
            actor: e.actor,
            address: e.address,
            action: e.action,
            resource: e.resource,
            outcome: e.outcome,
            detail: e.detail,
        })
        .collect())
}
