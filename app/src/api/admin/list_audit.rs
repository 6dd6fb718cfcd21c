use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::AuditPageRows;
#[cfg(feature = "ssr")]
use super::AuditRow;
use crate::error::AppError;

/// How many audit entries one page of the Admin audit table shows.
pub const AUDIT_PAGE_SIZE: i64 = 50;

/// One page (0: the newest) of the audit entries, filtered, resources
/// named (the master, or `view:audit`).
#[server(endpoint = "admin/audit", input = GetUrl)]
pub async fn list_audit(
    actor_filter: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
    page: Option<u32>,
) -> Result<AuditPageRows, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let filter = store::audit::AuditFilter {
        actor: actor_filter,
        action,
        outcome,
        since: None,
        limit: AUDIT_PAGE_SIZE,
    };
    let page = page.unwrap_or(0);
    let found = service::audit_log::page(&ssr::services()?, &actor, &filter, page).await?;
    Ok(AuditPageRows {
        rows: found
            .entries
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
            .collect(),
        page,
        more: found.more,
    })
}
