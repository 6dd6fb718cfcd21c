//! The Home dashboard: one call answering what the caller may see of the
//! installation, filtered by their rights exactly as the lists are.
//!
//! - Backends: those the caller may `view:backend`, each with the number
//!   of its machines the caller may `view:machine`; trouble first.
//! - Machines by state: every machine the caller may `view:machine` (what
//!   `machines::list` answers, counted).
//! - Scripts running now: runs not yet ended on machines the caller may
//!   `view:machine` (`scripts::list`'s rule).
//! - Activity: for the master, the newest audit events; for anyone else
//!   their own actions, and, when they may read the audit log
//!   (`view:audit`, `audit_log::read`'s rule), the events on the backends,
//!   machines, keys and stacks they may see.
//! - The checklist: for a caller who may add keys or backends.
//!
//! A caller who may see nothing gets 200 with empty sections and their own
//! activity: the dashboard is every signed-in user's home page.
//!
//! The master's counts are made by the database; anyone else's are judged
//! machine by machine on small rows (backend, id, state), as the lists are.

use std::collections::HashMap;

use domain::{
    compute::{BackendState, MachineState, RunState},
    dashboard::{
        Activity, BackendCount, Checklist, Dashboard, RunningScript, RunningScripts, StateCount,
        ACTIVITY, LATEST_SCRIPTS,
    },
    resource, ErrorKind,
};
use store::{audit::AuditEntry, dashboard::ActiveRun};

use crate::{
    internal,
    rights::{may, may_somewhere},
    Actor, Services,
};

/// How many of the newest audit entries are searched for those on
/// resources a user may see.
const AUDIT_WINDOW: i64 = 500;

/// How many unfinished runs are judged for a user who is not the master.
const RUNS_WINDOW: i64 = 500;

/// Whether the caller holds every right unnarrowed: the database counts.
fn sees_all(actor: &Actor) -> bool {
    actor.is_master && actor.token_scope.is_none()
}

/// The dashboard for `actor`.
pub async fn dashboard(services: &Services, actor: &Actor) -> Result<Dashboard, ErrorKind> {
    let db = &services.db;
    // (backend, state) -> count, of the machines the caller may see.
    let mut counts: HashMap<(String, String), i64> = HashMap::new();
    if sees_all(actor) {
        for c in db.machine_counts().await.map_err(internal)? {
            counts.insert((c.backend_id, c.state), c.count);
        }
    } else if may_somewhere(actor, "view:machine") {
        for m in db.machine_states().await.map_err(internal)? {
            if may(
                actor,
                "view:machine",
                &resource::machine(&m.backend_id, &m.id),
            ) {
                *counts.entry((m.backend_id, m.state)).or_default() += 1;
            }
        }
    }
    let stored = db.backends().await.map_err(internal)?;
    // Machines of a backend that is gone are not listed (`machines::list`).
    counts.retain(|(b, _), _| stored.iter().any(|s| &s.id == b));

    let mut backends: Vec<BackendCount> = stored
        .iter()
        .filter(|b| may(actor, "view:backend", &resource::backend(&b.id)))
        .map(|b| BackendCount {
            id: b.id.clone(),
            title: b.title.clone(),
            provider: b.provider.clone(),
            state: BackendState::parse(&b.state).unwrap_or(BackendState::Error),
            state_reason: b.state_reason.clone(),
            enabled: b.enabled,
            machines: counts
                .iter()
                .filter(|((id, _), _)| *id == b.id)
                .map(|(_, n)| n)
                .sum(),
        })
        .collect();
    backends.sort_by(|a, b| {
        (a.state.urgency(), a.title.to_lowercase())
            .cmp(&(b.state.urgency(), b.title.to_lowercase()))
    });

    let mut by_state: HashMap<MachineState, i64> = HashMap::new();
    for ((_, state), n) in &counts {
        let state = MachineState::parse(state).unwrap_or(MachineState::Unknown);
        *by_state.entry(state).or_default() += n;
    }
    let mut machines: Vec<StateCount> = by_state
        .into_iter()
        .map(|(state, count)| StateCount { state, count })
        .collect();
    machines.sort_by(|a, b| (b.count, a.state.as_str()).cmp(&(a.count, b.state.as_str())));
    let machines_total = machines.iter().map(|s| s.count).sum();

    Ok(Dashboard {
        checklist: checklist(services, actor).await?,
        backends,
        machines,
        machines_total,
        scripts: scripts(services, actor).await?,
        activity: activity(services, actor).await?,
        sections: crate::rights::sections(actor),
    })
}

/// The first steps, for a caller who may take them.
async fn checklist(services: &Services, actor: &Actor) -> Result<Option<Checklist>, ErrorKind> {
    let may_add_key = may_somewhere(actor, "create:key");
    let may_add_backend = may_somewhere(actor, "create:backend");
    if !(may_add_key || may_add_backend) {
        return Ok(None);
    }
    let n = services.db.setup_counts().await.map_err(internal)?;
    Ok(Some(Checklist {
        key: n.keys > 0,
        backend: n.backends > 0,
        machine: n.machines > 0,
        may_add_key,
        may_add_backend,
        may_create_machine: may_somewhere(actor, "create:machine"),
    }))
}

fn first_line(script: &str) -> String {
    let line = script
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let mut short: String = line.chars().take(120).collect();
    if line.chars().count() > 120 {
        short.push('…');
    }
    short
}

fn running(r: ActiveRun) -> RunningScript {
    RunningScript {
        script: first_line(&r.script_head),
        state: RunState::parse(&r.state).unwrap_or(RunState::Waiting),
        id: r.id,
        backend: r.backend_id,
        machine: r.machine_id,
        machine_name: r.machine_name,
        created_at: r.created_at,
        started_at: r.started_at,
    }
}

/// The runs not yet ended that the caller may see.
async fn scripts(services: &Services, actor: &Actor) -> Result<RunningScripts, ErrorKind> {
    let db = &services.db;
    if sees_all(actor) {
        let count = db.count_active_script_runs().await.map_err(internal)?;
        let latest = db
            .active_script_runs(LATEST_SCRIPTS as i64)
            .await
            .map_err(internal)?;
        return Ok(RunningScripts {
            count,
            latest: latest.into_iter().map(running).collect(),
        });
    }
    if !may_somewhere(actor, "view:machine") {
        return Ok(RunningScripts::default());
    }
    let visible: Vec<ActiveRun> = db
        .active_script_runs(RUNS_WINDOW)
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|r| {
            may(
                actor,
                "view:machine",
                &resource::machine(&r.backend_id, &r.machine_id),
            )
        })
        .collect();
    Ok(RunningScripts {
        count: visible.len() as i64,
        latest: visible
            .into_iter()
            .take(LATEST_SCRIPTS)
            .map(running)
            .collect(),
    })
}

/// The right that shows an audit entry on `resource` to someone who may
/// read the audit log: the view right of the thing it names.
fn view_right(resource: &str) -> Option<&'static str> {
    let parts: Vec<&str> = resource.split('/').collect();
    match parts.as_slice() {
        ["key", _] => Some("view:key"),
        ["backend", _] => Some("view:backend"),
        ["backend", _, "machine", _] => Some("view:machine"),
        ["stack", _] => Some("view:alm.stack"),
        _ => None,
    }
}

fn shown(e: AuditEntry) -> Activity {
    Activity {
        at: e.at,
        actor: e.actor,
        action: e.action,
        resource: e.resource,
        outcome: e.outcome,
        detail: e.detail,
    }
}

/// The newest audit events that concern the caller.
async fn activity(services: &Services, actor: &Actor) -> Result<Vec<Activity>, ErrorKind> {
    let db = &services.db;
    let limit = ACTIVITY as i64;
    if sees_all(actor) {
        let all = db.recent_audit(limit).await.map_err(internal)?;
        return Ok(all.into_iter().map(shown).collect());
    }
    let mut entries = db
        .audit_of_account(&actor.email, limit)
        .await
        .map_err(internal)?;
    if may(actor, "view:audit", "*") {
        let others = db.recent_audit(AUDIT_WINDOW).await.map_err(internal)?;
        entries.extend(others.into_iter().filter(|e| {
            view_right(&e.resource).is_some_and(|right| may(actor, right, &e.resource))
        }));
    }
    // Newest first; an own entry on a visible resource is in both lists.
    let key = |e: &AuditEntry| {
        (
            std::cmp::Reverse(e.at),
            e.actor.clone(),
            e.action.clone(),
            e.resource.clone(),
            e.outcome.clone(),
            e.detail.clone(),
            e.address.clone(),
        )
    };
    entries.sort_by_key(key);
    entries.dedup();
    entries.truncate(ACTIVITY);
    Ok(entries.into_iter().map(shown).collect())
}

#[cfg(test)]
mod tests {
    use super::{first_line, view_right};

    #[test]
    fn audit_resources_map_to_their_view_right() {
        assert_eq!(view_right("key/deploy"), Some("view:key"));
        assert_eq!(view_right("backend/b1"), Some("view:backend"));
        assert_eq!(view_right("backend/b1/machine/m1"), Some("view:machine"));
        assert_eq!(view_right("stack/s1"), Some("view:alm.stack"));
        assert_eq!(view_right("account/someone@example.com"), None);
        assert_eq!(view_right("role/admin"), None);
        assert_eq!(view_right("*"), None);
    }

    #[test]
    fn a_script_is_shown_by_its_first_line() {
        assert_eq!(first_line("\n  #!/bin/sh\necho hi"), "#!/bin/sh");
        let long = "x".repeat(300);
        assert_eq!(first_line(&long).chars().count(), 121);
        assert_eq!(first_line(""), "");
    }
}
