//! Reading the audit log, with filters.

use domain::ErrorKind;
use store::audit::{AuditEntry, AuditFilter};

use crate::{authz, internal, Actor, Services};

/// The newest entries matching `filter` (the master, or `view:audit`).
pub async fn read(
    services: &Services,
    actor: &Actor,
    filter: &AuditFilter,
) -> Result<Vec<AuditEntry>, ErrorKind> {
    if !actor.is_master {
        authz::authorize(actor, "view:audit", "*")?;
    }
    if !(1..=1000).contains(&filter.limit) {
        return Err(ErrorKind::invalid("limit", "must be between 1 and 1000"));
    }
    services.db.audit_entries(filter).await.map_err(internal)
}
