//! Reading the audit log, with filters, a page at a time, ids named.

use std::collections::HashMap;

use domain::ErrorKind;
use store::audit::{AuditEntry, AuditFilter};

use crate::{authz, internal, Actor, Services};

/// The newest entries matching `filter` (the master, or `view:audit`).
pub async fn read(
    services: &Services,
    actor: &Actor,
    filter: &AuditFilter,
) -> Result<Vec<AuditEntry>, ErrorKind> {
    allowed(actor, filter)?;
    services.db.audit_entries(filter).await.map_err(internal)
}

/// One entry with its resource said by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedEntry {
    /// The entry as recorded.
    pub entry: AuditEntry,
    /// The resource with the ids of roles and backends replaced by their
    /// names (`role "ops" of user ann`), when it names one that still exists.
    pub resource_name: Option<String>,
}

/// One page of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    /// The entries, newest first.
    pub entries: Vec<NamedEntry>,
    /// Whether older entries match the filter beyond this page.
    pub more: bool,
}

/// Page `page` (0: the newest) of `filter.limit` entries matching `filter`,
/// each resource named (the master, or `view:audit`). The names of every
/// role and backend the page mentions are read in one query each, not one
/// per row.
pub async fn page(
    services: &Services,
    actor: &Actor,
    filter: &AuditFilter,
    page: u32,
) -> Result<AuditPage, ErrorKind> {
    allowed(actor, filter)?;
    let one_more = AuditFilter {
        limit: filter.limit + 1,
        ..filter.clone()
    };
    let offset = i64::from(page) * filter.limit;
    let mut entries = services
        .db
        .audit_entries_from(&one_more, offset)
        .await
        .map_err(internal)?;
    let more = entries.len() as i64 > filter.limit;
    entries.truncate(filter.limit as usize);
    let names = names_of(services, &entries).await?;
    let entries = entries
        .into_iter()
        .map(|entry| NamedEntry {
            resource_name: names.name(&entry.resource),
            entry,
        })
        .collect();
    Ok(AuditPage { entries, more })
}

/// Most entries [`of_machine`] returns.
pub const MACHINE_ACTIVITY_LIMIT: i64 = 20;

/// The newest [`MACHINE_ACTIVITY_LIMIT`] entries about one machine
/// (`backend/<b>/machine/<m>` and what is under it), each resource named:
/// for a caller who may see the machine (`view:machine`) and read the
/// audit log (the master, or `view:audit`).
pub async fn of_machine(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
) -> Result<Vec<NamedEntry>, ErrorKind> {
    crate::machines::find(services, actor, backend_id, machine_id).await?;
    allowed(
        actor,
        &AuditFilter {
            limit: MACHINE_ACTIVITY_LIMIT,
            ..AuditFilter::default()
        },
    )?;
    let entries = services
        .db
        .audit_entries_of(
            &domain::resource::machine(backend_id, machine_id),
            MACHINE_ACTIVITY_LIMIT,
        )
        .await
        .map_err(internal)?;
    let names = names_of(services, &entries).await?;
    Ok(entries
        .into_iter()
        .map(|entry| NamedEntry {
            resource_name: names.name(&entry.resource),
            entry,
        })
        .collect())
}

fn allowed(actor: &Actor, filter: &AuditFilter) -> Result<(), ErrorKind> {
    if !actor.is_master {
        authz::authorize(actor, "view:audit", "*")?;
    }
    if !(1..=1000).contains(&filter.limit) {
        return Err(ErrorKind::invalid("limit", "must be between 1 and 1000"));
    }
    Ok(())
}

/// The names of roles and backends, by id.
#[derive(Default)]
struct Names {
    roles: HashMap<String, String>,
    backends: HashMap<String, String>,
}

async fn names_of(services: &Services, entries: &[AuditEntry]) -> Result<Names, ErrorKind> {
    let mentions = |kind: &str| {
        entries
            .iter()
            .any(|e| e.resource.split('/').any(|part| part == kind))
    };
    let mut names = Names::default();
    if mentions("role") {
        let roles = services.db.roles().await.map_err(internal)?;
        names.roles = roles.into_iter().map(|r| (r.id, r.name)).collect();
    }
    if mentions("backend") {
        let backends = services.db.backends().await.map_err(internal)?;
        names.backends = backends.into_iter().map(|b| (b.id, b.title)).collect();
    }
    Ok(names)
}

impl Names {
    /// `resource` said with names, or `None` when it names no known role
    /// or backend (it is shown as recorded).
    fn name(&self, resource: &str) -> Option<String> {
        let parts: Vec<&str> = resource.split('/').collect();
        match parts.as_slice() {
            ["role", id] => self.roles.get(*id).map(|n| format!("role {n:?}")),
            ["user", user, "role", id] => self
                .roles
                .get(*id)
                .map(|n| format!("role {n:?} of user {user}")),
            ["backend", id] => self.backends.get(*id).map(|n| format!("backend {n:?}")),
            ["backend", id, "machine", machine] => self
                .backends
                .get(*id)
                .map(|n| format!("machine {machine} on backend {n:?}")),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Names;

    #[test]
    fn ids_of_roles_and_backends_are_named() {
        let names = Names {
            roles: [("r1".to_owned(), "ops".to_owned())].into(),
            backends: [("b1".to_owned(), "Prod".to_owned())].into(),
        };
        assert_eq!(names.name("role/r1").as_deref(), Some("role \"ops\""));
        assert_eq!(
            names.name("user/ann/role/r1").as_deref(),
            Some("role \"ops\" of user ann")
        );
        assert_eq!(
            names.name("backend/b1/machine/m-9").as_deref(),
            Some("machine m-9 on backend \"Prod\"")
        );
        assert_eq!(names.name("role/gone"), None);
        assert_eq!(names.name("account/ann@example.com"), None);
    }
}
