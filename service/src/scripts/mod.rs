//! Scripts run on machines over SSH: post-deploy scripts given when a
//! machine is created, and scripts run on an existing machine. A run waits
//! until its machine answers over SSH ([`runner`]), keeps its output chunk
//! by chunk in the database as it arrives, and can be followed live from
//! any instance ([`follow`]) or read once it ended.
//!
//! The instance that starts a run carries it under the lease
//! `("script_run", id)`, claimed before the run is stored, renewed every
//! [`RENEW_EVERY`] for [`LEASE_TTL_MS`], released when the run ends. A run
//! whose lease is absent or expired (its instance stopped, or is gone) is
//! ended by the reaper (`jobs::Reaper`) of any instance; one whose carrier
//! renews in time never is.

mod follow;
mod runner;

pub use follow::follow;

use domain::{compute::RunState, resource, shell::ScriptRunSummary, ErrorKind};
use store::scripts::ScriptRun;

use crate::{audit, authz, internal, machines, Actor, Services};

/// Longest script accepted (it travels in the SSH command, base64-encoded).
pub const MAX_SCRIPT_BYTES: usize = 64 * 1024;

/// The kind of a script run's lease (its key is the run's id).
pub const LEASE_KIND: &str = "script_run";

/// How often the instance carrying a run renews its lease.
pub const RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a run's lease lasts unless renewed: several renewals missed
/// and the run is taken from its instance (ended by the reaper).
pub const LEASE_TTL_MS: i64 = 45_000;

/// Most output a run keeps; beyond it the script runs on and the rest is
/// counted, not kept.
pub const MAX_OUTPUT_BYTES: usize = 1024 * 1024;

/// A stored run as the API shows it.
pub fn summary(r: ScriptRun) -> ScriptRunSummary {
    ScriptRunSummary {
        id: r.id,
        backend: r.backend_id,
        machine: r.machine_id,
        script: r.script,
        state: RunState::parse(&r.state).unwrap_or(RunState::Error),
        detail: r.detail,
        exit_code: r.exit_code,
        ssh_user: r.ssh_user,
        ssh_key: r.ssh_key,
        ssh_host: r.ssh_host,
        created_by: r.created_by,
        created_at: r.created_at,
        started_at: r.started_at,
        finished_at: r.finished_at,
    }
}

/// Checks a script's text: not blank, not too long.
pub fn validate(script: &str) -> Result<(), ErrorKind> {
    if script.trim().is_empty() {
        return Err(ErrorKind::invalid("script", "is empty"));
    }
    if script.len() > MAX_SCRIPT_BYTES {
        return Err(ErrorKind::invalid(
            "script",
            format!("is longer than {} KiB", MAX_SCRIPT_BYTES / 1024),
        ));
    }
    Ok(())
}

/// Starts `script` on a machine: it runs as soon as the machine answers
/// over SSH (at once for a running machine; after boot for a new one) and
/// the run is returned while it waits. Needs `shell:machine`.
pub async fn start(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
    script: &str,
) -> Result<ScriptRunSummary, ErrorKind> {
    let target = resource::machine(backend_id, machine_id);
    authz::authorize(actor, "shell:machine", &target)?;
    // A browser's form sends a textarea's lines ended by CR LF; a shebang
    // ending in CR names no interpreter.
    let script = &script.replace("\r\n", "\n");
    validate(script)?;
    machines::find(services, actor, backend_id, machine_id).await?;
    if services.background.is_stopping() {
        return Err(ErrorKind::Conflict {
            message: "this Overcast instance is shutting down: start the script again \
                      in a moment"
                .into(),
        });
    }
    let run = ScriptRun {
        id: uuid::Uuid::new_v4().to_string(),
        backend_id: backend_id.to_owned(),
        machine_id: machine_id.to_owned(),
        script: script.to_owned(),
        state: RunState::Waiting.as_str().into(),
        detail: Some("waiting for the machine to answer over SSH".into()),
        exit_code: None,
        ssh_user: None,
        ssh_key: None,
        ssh_host: None,
        created_by: actor.audit_name(),
        created_at: services.now(),
        started_at: None,
        finished_at: None,
        heartbeat_at: None,
    };
    // The lease first: the reaper ends every unfinished run without one.
    let me = services.background.instance().as_str();
    let claimed = services
        .db
        .claim_lease(LEASE_KIND, &run.id, me, services.now(), LEASE_TTL_MS)
        .await
        .map_err(internal)?;
    if !claimed {
        return Err(internal(format!("the new run {}'s lease is held", run.id)));
    }
    if let Err(e) = services.db.insert_script_run(&run).await {
        let _ = services.db.release_lease(LEASE_KIND, &run.id, me).await;
        return Err(internal(e));
    }
    audit::success(
        services,
        actor,
        "shell:machine",
        &target,
        &format!("script {}: {}", run.id, first_line(script)),
    )
    .await?;
    runner::spawn(services.clone(), actor.clone(), run.clone());
    Ok(summary(run))
}

/// A machine's script runs, newest first. Needs `view:machine`.
pub async fn list(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
) -> Result<Vec<ScriptRunSummary>, ErrorKind> {
    machines::find(services, actor, backend_id, machine_id).await?;
    let runs = services
        .db
        .script_runs(backend_id, machine_id)
        .await
        .map_err(internal)?;
    Ok(runs.into_iter().map(summary).collect())
}

/// One run and its output so far (stdout and stderr as they interleaved).
/// Needs `view:machine`.
pub async fn get(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
    run_id: &str,
) -> Result<(ScriptRunSummary, String), ErrorKind> {
    let run = find(services, actor, backend_id, machine_id, run_id).await?;
    let output = services
        .db
        .script_output(run_id, 0)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|c| c.data)
        .collect();
    Ok((summary(run), output))
}

/// A run of this machine the caller may see, or 404.
async fn find(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
    run_id: &str,
) -> Result<ScriptRun, ErrorKind> {
    authz::authorize(
        actor,
        "view:machine",
        &resource::machine(backend_id, machine_id),
    )?;
    services
        .db
        .script_run(run_id)
        .await
        .map_err(internal)?
        .filter(|r| r.backend_id == backend_id && r.machine_id == machine_id)
        .ok_or_else(|| ErrorKind::NotFound {
            what: format!("script run {run_id}"),
        })
}

fn first_line(script: &str) -> String {
    let line = domain::shell::script_first_line(script);
    let short: String = line.chars().take(120).collect();
    if short.len() < line.len() || script.lines().filter(|l| !l.trim().is_empty()).count() > 1 {
        format!("{short} …")
    } else {
        short
    }
}
