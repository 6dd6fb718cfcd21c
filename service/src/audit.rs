//! Writing the audit log.

use domain::ErrorKind;
use store::audit::AuditEntry;

use crate::{internal, Actor, Services};

/// Outcome words used in the audit log.
pub mod outcome {
    /// The action was carried out.
    pub const SUCCESS: &str = "success";
    /// The action was attempted and failed.
    pub const FAILURE: &str = "failure";
    /// The action was refused by authorisation.
    pub const DENIED: &str = "denied";
}

/// Records that `actor` did `action` on `resource`.
pub async fn success(
    services: &Services,
    actor: &Actor,
    action: &str,
    resource: &str,
    detail: &str,
) -> Result<(), ErrorKind> {
    record(
        services,
        &actor.audit_name(),
        &actor.address,
        action,
        resource,
        outcome::SUCCESS,
        detail,
    )
    .await
}

/// Appends one record to the audit log.
pub async fn record(
    services: &Services,
    actor: &str,
    address: &str,
    action: &str,
    resource: &str,
    outcome: &str,
    detail: &str,
) -> Result<(), ErrorKind> {
    let entry = AuditEntry {
        at: store::now_ms(),
        actor: actor.to_owned(),
        address: address.to_owned(),
        action: action.to_owned(),
        resource: resource.to_owned(),
        outcome: outcome.to_owned(),
        detail: detail.to_owned(),
    };
    services.db.record_audit(&entry).await.map_err(internal)?;
    if action == "shell:machine" {
        // Commands and terminals on a machine are also live news.
        crate::events::publish_or_log(
            services,
            vec![crate::events::Change::new(
                domain::events::EventKind::ShellAudit,
                resource,
                &entry,
            )],
        )
        .await;
    }
    Ok(())
}
