//! Machines across every backend, as last seen: the list (only what the
//! caller may see), the fleet table's pages ([`fleet`]), one machine's
//! page, and its pinned host key. Every summary handed to a caller offers
//! only what the machine's provider, its state and the caller's rights
//! all allow ([`shown`]).

use domain::{
    inventory::{MachineDetail, MachineKey, MachineSummary},
    resource, ErrorKind,
};
use store::backends::{StoredBackend, StoredMachine};

use domain::{
    compute::{MachineState, Offered},
    providers::Provider,
};

use crate::{audit, authz, internal, Actor, Services};

mod columns;
mod fleet;
mod fleet_scan;
mod list_cache;
pub(crate) mod prices;
mod scan_cache;
mod stream;

pub use columns::{fleet_columns, set_fleet_columns};
pub use fleet::{fleet, fleet_of, matching};
pub use list_cache::{ListCache, ListKey, Rights};
pub use scan_cache::{ScanCache, ScanKey};
pub use stream::{list_json, BATCH as LIST_BATCH};

fn ips(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// What can be done to a machine: its provider's capabilities
/// (`cloud::capabilities_of`, the constants its driver answers with)
/// narrowed by its state ([`domain::compute::Capabilities::offered`]). A
/// provider without a driver in this build offers nothing.
pub(crate) fn allowed(provider: &str, state: &str) -> Offered {
    let capabilities = Provider::parse(provider)
        .and_then(cloud::capabilities_of)
        .unwrap_or_default();
    capabilities.offered(MachineState::parse(state).unwrap_or(MachineState::Unknown))
}

pub(crate) fn summary(m: &StoredMachine, b: &StoredBackend) -> MachineSummary {
    let offered = allowed(&b.provider, &m.state);
    MachineSummary {
        id: m.id.clone(),
        backend: m.backend_id.clone(),
        backend_title: b.title.clone(),
        name: m.name.clone(),
        state: MachineState::parse(&m.state).unwrap_or(MachineState::Unknown),
        public_ips: ips(&m.public_ips),
        private_ips: ips(&m.private_ips),
        can_reboot: offered.reboot,
        can_stop: offered.stop,
        can_start: offered.start,
        can_destroy: offered.destroy,
        can_tag: offered.tag,
        ssh_port: u16::try_from(m.ssh_port).unwrap_or(22),
        tags: tags(&m.extra),
    }
}

/// The `tags` of a machine's stored `extra` (a list of strings), read
/// without building the rest of the document: anything else is none.
fn tags(extra: &str) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Extra {
        #[serde(default)]
        tags: Vec<String>,
    }
    if !extra.trim_start().starts_with('{') {
        return Vec::new();
    }
    serde_json::from_str::<Extra>(extra)
        .map(|e| e.tags)
        .unwrap_or_default()
}

/// The actions a summary's `can_*` stand for, as
/// [`crate::machine_actions`] authorises them (`tag:machine` for tags).
pub const ACTION_RIGHTS: [&str; 5] = [
    "reboot:machine",
    "stop:machine",
    "start:machine",
    "destroy:machine",
    "tag:machine",
];

/// Narrows what `machine` offers by what `actor` may do to it: each `can_*`
/// the machine's provider and state allow is kept only when the caller may
/// do that action (one decision per action offered, no database call).
pub fn narrow(actor: &Actor, machine: &mut MachineSummary) {
    let target = resource::machine(&machine.backend, &machine.id);
    let flags = [
        &mut machine.can_reboot,
        &mut machine.can_stop,
        &mut machine.can_start,
        &mut machine.can_destroy,
        &mut machine.can_tag,
    ];
    for (flag, action) in flags.into_iter().zip(ACTION_RIGHTS) {
        if *flag {
            *flag = authz::decide(actor, action, &target).is_allowed();
        }
    }
}

/// A machine as `actor` is shown it: its [`summary`] with the `can_*`
/// narrowed by the caller's rights ([`narrow`]).
pub(crate) fn shown(actor: &Actor, m: &StoredMachine, b: &StoredBackend) -> MachineSummary {
    let mut machine = summary(m, b);
    narrow(actor, &mut machine);
    machine
}

/// Every machine of every backend the caller may see (`view:machine` on
/// `backend/<b>/machine/<m>`), optionally of one backend only.
pub async fn list(
    services: &Services,
    actor: &Actor,
    backend_id: Option<&str>,
) -> Result<Vec<MachineSummary>, ErrorKind> {
    authz::authorize_listing(actor, "view:machine")?;
    let backends = services.db.backends().await.map_err(internal)?;
    if let Some(id) = backend_id {
        if !backends.iter().any(|b| b.id == id) {
            return Err(ErrorKind::NotFound {
                what: format!("backend {id:?}"),
            });
        }
    }
    // One backend's machines come from its own rows, not the whole table.
    let machines = match backend_id {
        Some(id) => services.db.machines_of(id).await,
        None => services.db.machines().await,
    }
    .map_err(internal)?;
    Ok(machines
        .iter()
        .filter(|m| backend_id.is_none_or(|id| m.backend_id == id))
        .filter(|m| {
            authz::decide(
                actor,
                "view:machine",
                &resource::machine(&m.backend_id, &m.id),
            )
            .is_allowed()
        })
        .filter_map(|m| {
            backends
                .iter()
                .find(|b| b.id == m.backend_id)
                .map(|b| shown(actor, m, b))
        })
        .collect())
}

/// One machine and its backend, when the caller may see it.
pub async fn find(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
) -> Result<(StoredMachine, StoredBackend), ErrorKind> {
    authz::authorize(
        actor,
        "view:machine",
        &resource::machine(backend_id, machine_id),
    )?;
    let not_found = || ErrorKind::NotFound {
        what: format!("machine {machine_id:?} of backend {backend_id:?}"),
    };
    let backend = services
        .db
        .backend(backend_id)
        .await
        .map_err(internal)?
        .ok_or_else(not_found)?;
    let machine = services
        .db
        .machine(backend_id, machine_id)
        .await
        .map_err(internal)?
        .ok_or_else(not_found)?;
    Ok((machine, backend))
}

/// How long after its backend's last poll a machine on its way to another
/// state (pending, starting, ...) has its backend polled again when its
/// page is read.
const ASK_AGAIN_AFTER_MS: i64 = 10_000;

/// A machine's page: summary, keys, host key. A machine on its way to
/// another state has its backend polled soon (at most every
/// [`ASK_AGAIN_AFTER_MS`]).
pub async fn detail(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
) -> Result<MachineDetail, ErrorKind> {
    let (machine, backend) = find(services, actor, backend_id, machine_id).await?;
    let summary = shown(actor, &machine, &backend);
    let on_its_way = matches!(
        summary.state,
        MachineState::Pending
            | MachineState::Starting
            | MachineState::Stopping
            | MachineState::Rebooting
    );
    let polled_long_ago = backend
        .polled_at
        .is_none_or(|at| services.now() - at > ASK_AGAIN_AFTER_MS);
    if on_its_way && polled_long_ago && backend.enabled {
        // The provider is asked again now rather than at the next poll (a
        // new machine's `pending` may last a whole poll interval), so its
        // page never shows a stale state for long: the change arrives as an
        // event.
        services.db.poll_soon(backend_id).await.map_err(internal)?;
    }
    let associations = services
        .db
        .keys_of_machine(backend_id, machine_id)
        .await
        .map_err(internal)?;
    let keys = services.db.keys().await.map_err(internal)?;
    let host_key = services
        .db
        .host_key(backend_id, machine_id)
        .await
        .map_err(internal)?;
    Ok(MachineDetail {
        machine: summary,
        keys: associations
            .iter()
            .filter_map(|a| {
                keys.iter().find(|k| k.id == a.key_id).map(|k| MachineKey {
                    key: k.name.clone(),
                    ssh_user: a.ssh_user.clone(),
                    sudo: a.sudo,
                    last_used: a.last_used_at,
                })
            })
            .collect(),
        host_key: host_key.as_ref().map(|h| h.fingerprint.clone()),
        changed_host_key: host_key.and_then(|h| h.pending.map(|(_, fp)| fp)),
        may: crate::rights::machine(actor, backend_id, machine_id),
    })
}

/// Accepts a machine's changed host key, named by its fingerprint (so the
/// key accepted is the one the operator saw).
pub async fn accept_host_key(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
    fingerprint: &str,
) -> Result<(), ErrorKind> {
    let target = resource::machine(backend_id, machine_id);
    authz::authorize(actor, "edit:machine", &target)?;
    if fingerprint.trim().is_empty() {
        return Err(ErrorKind::invalid(
            "fingerprint",
            "name the key to accept (SHA256:...)",
        ));
    }
    find(services, actor, backend_id, machine_id).await?;
    if !services
        .db
        .accept_host_key(backend_id, machine_id, fingerprint.trim(), services.now())
        .await
        .map_err(internal)?
    {
        return Err(ErrorKind::Conflict {
            message: format!(
                "no changed host key {} is waiting for this machine",
                fingerprint.trim()
            ),
        });
    }
    audit::success(
        services,
        actor,
        "edit:machine",
        &target,
        &format!("accepted host key {}", fingerprint.trim()),
    )
    .await
}

/// Removes a terminated machine from the list (`destroy:machine`): its row,
/// pinned host key and key associations go; the audit log keeps its
/// history. A machine in any other state is a conflict: destroy it first.
pub async fn forget(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
) -> Result<(), ErrorKind> {
    let target = resource::machine(backend_id, machine_id);
    authz::authorize(actor, "destroy:machine", &target)?;
    let (machine, backend) = find(services, actor, backend_id, machine_id).await?;
    let summary = summary(&machine, &backend);
    if summary.state != MachineState::Terminated {
        return Err(ErrorKind::Conflict {
            message: format!(
                "machine {:?} is {}: only a terminated machine can be removed from the list",
                machine.name, summary.state
            ),
        });
    }
    services
        .db
        .delete_machine(backend_id, machine_id)
        .await
        .map_err(internal)?;
    crate::events::publish_or_log(
        services,
        vec![crate::events::Change::new(
            domain::events::EventKind::MachineGone,
            target.clone(),
            &serde_json::json!({"backend": backend_id, "id": machine_id}),
        )],
    )
    .await;
    audit::success(
        services,
        actor,
        "forget:machine",
        &target,
        &format!("{} removed from the list", machine.name),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::allowed;

    /// `(reboot, stop, start, destroy, tag)` offered.
    fn flags(provider: &str, state: &str) -> [bool; 5] {
        let o = allowed(provider, state);
        [o.reboot, o.stop, o.start, o.destroy, o.tag]
    }

    #[test]
    fn actions_follow_the_provider_and_the_state() {
        let (t, f) = (true, false);
        assert_eq!(flags("digitalocean", "running"), [t, t, f, t, t]);
        assert_eq!(flags("digitalocean", "stopped"), [f, f, t, t, t]);
        assert_eq!(flags("digitalocean", "terminated"), [f; 5]);
        assert_eq!(flags("digitalocean", "pending"), [f, f, f, t, t]);
        // Rackspace first gen has no power actions and no tags.
        assert_eq!(flags("rackspace_first_gen:us", "running"), [t, f, f, t, f]);
        // NephoScale: no tags.
        assert!(!allowed("nephoscale", "running").tag);
        // Bare metal: reboot only.
        assert_eq!(flags("bare_metal", "running"), [t, f, f, f, f]);
        assert_eq!(flags("bare_metal", "rebooting"), [f; 5]);
        // A provider without a driver: nothing.
        assert_eq!(flags("no-such-cloud", "running"), [f; 5]);
    }
}
