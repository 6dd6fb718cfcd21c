//! Carrying a stack's operation: claimed by lease `("stack", id)`, renewed
//! while it runs; each layer's steps run concurrently, layers in the
//! template's order. A failed create is rolled back (its machines
//! destroyed). Everything it does is journalled first, so a runner that
//! stops anywhere is resumed by another from the unfinished steps.

use std::time::Duration;

use domain::{stacks::Template, ErrorKind};
use futures_util::future::join_all;
use serde_json::json;
use store::stacks::{NewStep, Operation, Stack, Step, STEP_DONE, STEP_PENDING, STEP_SKIPPED};
use tokio_util::sync::CancellationToken;

use super::{status::*, steps, LEASE_KIND};
use crate::{internal, Services};

/// How long a runner's lease lasts unless renewed.
pub const LEASE_TTL_MS: i64 = 60_000;
const RENEW_EVERY: Duration = Duration::from_secs(20);

/// Claims the stack's lease and carries its operation in the background;
/// `false` when another runner holds it.
pub async fn start(services: &Services, stack_id: &str) -> Result<bool, ErrorKind> {
    let claimed = claim(services, stack_id).await?;
    if claimed {
        spawn(services.clone(), stack_id.to_owned());
    }
    Ok(claimed)
}

/// Claims the stack's lease for this instance (before an operation's steps
/// are journalled, so no resumer takes it up half written).
pub async fn claim(services: &Services, stack_id: &str) -> Result<bool, ErrorKind> {
    let me = services.background.instance().as_str();
    services
        .db
        .claim_lease(LEASE_KIND, stack_id, me, services.now(), LEASE_TTL_MS)
        .await
        .map_err(internal)
}

/// Carries the stack's operation, whose lease this instance holds, in a
/// tracked task; the lease is renewed meanwhile and released at the end.
pub fn spawn(services: Services, stack_id: String) {
    let background = services.background.clone();
    background.spawn(async move {
        let lost = CancellationToken::new();
        let renewing = tokio::spawn(renew(services.clone(), stack_id.clone(), lost.clone()));
        let aborting = services.background.aborting().clone();
        tokio::select! {
            done = carry(&services, &stack_id) => {
                if let Err(e) = done {
                    tracing::error!(stack = %stack_id, error = %e, "a stack's operation stopped");
                }
            }
            () = aborting.cancelled() => {}
            () = lost.cancelled() => {}
        }
        renewing.abort();
        release(&services, &stack_id).await;
    });
}

/// Releases this instance's lease of the stack.
pub async fn release(services: &Services, stack_id: &str) {
    let me = services.background.instance().as_str();
    if let Err(e) = services.db.release_lease(LEASE_KIND, stack_id, me).await {
        tracing::warn!(stack = %stack_id, error = %e, "cannot release a stack's lease");
    }
}

async fn renew(services: Services, stack_id: String, lost: CancellationToken) {
    let me = services.background.instance().clone();
    let mut tick = tokio::time::interval(RENEW_EVERY);
    tick.tick().await;
    loop {
        tick.tick().await;
        let now = services.now();
        match services
            .db
            .renew_lease(LEASE_KIND, &stack_id, me.as_str(), now, LEASE_TTL_MS)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                tracing::error!(stack = %stack_id, "lost a stack's lease");
                lost.cancel();
                return;
            }
            Err(e) => tracing::warn!(stack = %stack_id, error = %e, "cannot renew a stack's lease"),
        }
    }
}

/// Carries the stack's operation (if any) to its end, from its unfinished
/// steps.
pub async fn carry(services: &Services, stack_id: &str) -> Result<(), ErrorKind> {
    let stack = super::find(services, stack_id).await?;
    let Some(op) = stack.operation.clone() else {
        return Ok(());
    };
    match (op.kind.as_str(), stack.status.as_str()) {
        ("create", ROLLBACK_IN_PROGRESS) => rollback(services, &stack, &op).await,
        ("create", _) => create(services, &stack, &op).await,
        ("delete", _) => destroy_all(services, &stack, &op).await,
        (other, _) => Err(internal(format!("unknown stack operation {other:?}"))),
    }
}

async fn template(services: &Services, stack: &Stack) -> Result<Template, ErrorKind> {
    let version = services
        .db
        .stack_version(&stack.id, &stack.version_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| internal("a stack's current version is missing"))?;
    Template::parse(&version.template).map_err(|_| internal("a stored template does not parse"))
}

async fn create(services: &Services, stack: &Stack, op: &Operation) -> Result<(), ErrorKind> {
    let template = template(services, stack).await?;
    let (backend, driver) = steps::driver(services, &stack.backend_id).await?;
    let pending = services
        .db
        .unfinished_steps(&stack.id, &op.id)
        .await
        .map_err(internal)?;
    for layer in &template.configurations {
        let mine: Vec<&Step> = pending
            .iter()
            .filter(|s| s.flag == layer.flag && s.action == CREATE_MACHINE)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let listed = driver.list_machines().await.unwrap_or_default();
        let ran = join_all(
            mine.into_iter()
                .map(|s| steps::create(services, stack, &backend, &driver, layer, s, &listed)),
        )
        .await;
        if ran.iter().any(|ok| !ok) {
            let detail: serde_json::Value = serde_json::from_str(&op.detail).unwrap_or_default();
            if detail["on_failure"] == "keep" {
                let why = "a machine could not be created; those made are kept";
                return end(services, stack, op, CREATE_FAILED, false, why).await;
            }
            record(
                services,
                &stack.id,
                CREATE_FAILED,
                "a machine could not be created",
            )
            .await;
            return rollback(services, stack, op).await;
        }
    }
    end(
        services,
        stack,
        op,
        CREATE_COMPLETE,
        false,
        "every machine was created",
    )
    .await
}

/// Destroys what a failed create made, then `ROLLBACK_COMPLETE`.
async fn rollback(services: &Services, stack: &Stack, op: &Operation) -> Result<(), ErrorKind> {
    let now = services.now();
    if stack.status != ROLLBACK_IN_PROGRESS {
        services
            .db
            .set_stack_status(&stack.id, &[CREATE_IN_PROGRESS], ROLLBACK_IN_PROGRESS, now)
            .await
            .map_err(internal)?;
        record(
            services,
            &stack.id,
            ROLLBACK_IN_PROGRESS,
            "a machine could not be created",
        )
        .await;
    }
    let (_, driver) = steps::driver(services, &stack.backend_id).await?;
    let listed = driver.list_machines().await.unwrap_or_default();
    let all = services
        .db
        .operation_steps(&stack.id, &op.id)
        .await
        .map_err(internal)?;
    let destroying: Vec<&str> = all
        .iter()
        .filter(|s| s.action == DESTROY_MACHINE)
        .map(|s| s.machine_name.as_str())
        .collect();
    for s in all.iter().filter(|s| s.action == CREATE_MACHINE) {
        // A pending create may have made its machine before its runner
        // stopped: found by name, it is destroyed too.
        let made = match (&s.machine_id, s.state.as_str()) {
            (Some(id), STEP_DONE) => Some(id.clone()),
            (_, STEP_PENDING) => steps::named(&listed, &s.machine_name).map(|m| m.id.clone()),
            _ => None,
        };
        if s.state == STEP_PENDING {
            services
                .db
                .mark_step(
                    &stack.id,
                    s.seq,
                    STEP_SKIPPED,
                    None,
                    Some("rolled back"),
                    now,
                )
                .await
                .map_err(internal)?;
        }
        if let Some(id) = made.filter(|_| !destroying.contains(&s.machine_name.as_str())) {
            services
                .db
                .append_step(
                    &stack.id,
                    &NewStep {
                        operation_id: op.id.clone(),
                        flag: s.flag.clone(),
                        action: DESTROY_MACHINE.into(),
                        machine_name: s.machine_name.clone(),
                        machine_id: Some(id),
                        now,
                    },
                )
                .await
                .map_err(internal)?;
        }
    }
    let ok = run_destroys(services, stack, op).await?;
    let (to, why) = if ok {
        (ROLLBACK_COMPLETE, "the machines made were destroyed")
    } else {
        (ROLLBACK_FAILED, "some machines could not be destroyed")
    };
    end(services, stack, op, to, false, why).await
}

async fn destroy_all(services: &Services, stack: &Stack, op: &Operation) -> Result<(), ErrorKind> {
    if run_destroys(services, stack, op).await? {
        end(
            services,
            stack,
            op,
            DELETE_COMPLETE,
            true,
            "every machine was destroyed",
        )
        .await
    } else {
        end(
            services,
            stack,
            op,
            DELETE_FAILED,
            false,
            "some machines could not be destroyed",
        )
        .await
    }
}

async fn run_destroys(
    services: &Services,
    stack: &Stack,
    op: &Operation,
) -> Result<bool, ErrorKind> {
    let (backend, driver) = steps::driver(services, &stack.backend_id).await?;
    let pending = services
        .db
        .unfinished_steps(&stack.id, &op.id)
        .await
        .map_err(internal)?;
    let ran = join_all(
        pending
            .iter()
            .filter(|s| s.action == DESTROY_MACHINE)
            .map(|s| steps::destroy(services, stack, &backend, &driver, s)),
    )
    .await;
    Ok(ran.into_iter().all(|ok| ok))
}

async fn end(
    services: &Services,
    stack: &Stack,
    op: &Operation,
    to: &str,
    deleted: bool,
    why: &str,
) -> Result<(), ErrorKind> {
    let ended = services
        .db
        .end_operation(&stack.id, &op.id, to, deleted, services.now())
        .await
        .map_err(internal)?;
    if ended {
        record(services, &stack.id, to, why).await;
    }
    Ok(())
}

/// The machines a stack made and still has: `(flag, name, provider id)`,
/// from its journal (a create done and not destroyed since).
pub async fn machines(
    services: &Services,
    stack: &Stack,
) -> Result<Vec<(String, String, String)>, ErrorKind> {
    let steps = services.db.stack_steps(&stack.id).await.map_err(internal)?;
    let mut live: Vec<(String, String, String)> = Vec::new();
    for s in steps.iter().filter(|s| s.state == STEP_DONE) {
        match (s.action.as_str(), &s.machine_id) {
            (CREATE_MACHINE, Some(id)) => {
                live.push((s.flag.clone(), s.machine_name.clone(), id.clone()))
            }
            (DESTROY_MACHINE, Some(id)) => live.retain(|(_, _, m)| m != id),
            _ => {}
        }
    }
    Ok(live)
}

/// A step's progress, as logged and published.
pub fn step_detail(
    stack: &Stack,
    s: &Step,
    state: &str,
    machine_id: Option<&str>,
    message: &str,
) -> serde_json::Value {
    json!({
        "stack_id": stack.id,
        "seq": s.seq,
        "flag": s.flag,
        "action": s.action,
        "machine_name": s.machine_name,
        "machine_id": machine_id,
        "state": state,
        "message": message,
    })
}
