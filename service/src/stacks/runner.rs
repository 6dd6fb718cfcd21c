//! Carrying a stack's operation: claimed by lease `("stack", id)`, renewed
//! while it runs; each layer's steps run concurrently, layers in the
//! template's order; an update's destroys after all its creates. A failed
//! create or update is rolled back (`rollback`). Everything it does is journalled first, so a runner that
//! stops anywhere is resumed by another from the unfinished steps.

use std::time::Duration;

use domain::{stacks::Template, ErrorKind};
use futures_util::future::join_all;
use serde_json::json;
use store::stacks::{EndOperation, Operation, Stack, Step, STEP_DONE};
use tokio_util::sync::CancellationToken;

use super::{rollback, status::*, steps, LEASE_KIND};
use crate::{internal, Services};

/// How long a runner's lease lasts unless renewed.
pub const LEASE_TTL_MS: i64 = 30_000;
const RENEW_EVERY: Duration = Duration::from_secs(10);

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

/// Claims the stack's lease for a new operation, waiting up to 2 s for a
/// runner that just ended to release it; `false` when an operation runs.
pub async fn claim_soon(services: &Services, stack_id: &str) -> Result<bool, ErrorKind> {
    for _ in 0..20 {
        if claim(services, stack_id).await? {
            return Ok(true);
        }
        if super::find(services, stack_id).await?.operation.is_some() {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(false)
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

/// Gives the lease back after an operation did not begin, unless another
/// operation began meanwhile: a lease is this instance's, not a request's,
/// so a concurrent request of this instance that won may be carrying it.
pub async fn release_unless_running(services: &Services, stack_id: &str) {
    let running = services
        .db
        .stack(stack_id)
        .await
        .map(|s| s.is_some_and(|s| s.operation.is_some()))
        .unwrap_or(true);
    if !running {
        release(services, stack_id).await;
    }
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
        ("create", ROLLBACK_IN_PROGRESS) => rollback::create(services, &stack, &op).await,
        ("create", _) => create(services, &stack, &op).await,
        ("update", UPDATE_ROLLBACK_IN_PROGRESS) => rollback::update(services, &stack, &op).await,
        ("update", _) => update(services, &stack, &op).await,
        ("delete", _) => destroy_all(services, &stack, &op).await,
        (other, _) => Err(internal(format!("unknown stack operation {other:?}"))),
    }
}

/// The stack's current template (secrets sealed) and the values chosen
/// for its computed fields.
async fn template(
    services: &Services,
    stack: &Stack,
) -> Result<(Template, serde_json::Value), ErrorKind> {
    let version = services
        .db
        .stack_version(&stack.id, &stack.version_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| internal("a stack's current version is missing"))?;
    let chosen = serde_json::from_str(&version.computed).unwrap_or_default();
    let template = Template::parse(&version.template)
        .map_err(|_| internal("a stored template does not parse"))?;
    Ok((template, chosen))
}

async fn create(services: &Services, stack: &Stack, op: &Operation) -> Result<(), ErrorKind> {
    let (template, chosen) = template(services, stack).await?;
    if !run_creates(services, stack, op, &template, &chosen).await? {
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
        return rollback::create(services, stack, op).await;
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

/// New machines first (layer by layer), then the replaced and surplus
/// destroyed; a failed create rolls the update back.
async fn update(services: &Services, stack: &Stack, op: &Operation) -> Result<(), ErrorKind> {
    let (template, chosen) = template(services, stack).await?;
    if !run_creates(services, stack, op, &template, &chosen).await? {
        return rollback::update(services, stack, op).await;
    }
    if run_destroys(services, stack, op).await? {
        let why = format!("the stack is at version {}", stack.version_id);
        end(services, stack, op, UPDATE_COMPLETE, false, &why).await
    } else {
        let why =
            "some replaced or surplus machines could not be destroyed; they stay in the stack";
        end(services, stack, op, UPDATE_ROLLBACK_FAILED, false, why).await
    }
}

/// The provider's machines, asked up to three times: a step is never taken
/// without knowing whether its machine exists already.
pub async fn listed(
    services: &Services,
    driver: &std::sync::Arc<dyn cloud::CloudDriver>,
    backend_id: &str,
) -> Result<Vec<domain::compute::Machine>, ErrorKind> {
    let mut last = None;
    for wait in [0, 500, 2000] {
        tokio::time::sleep(Duration::from_millis(wait)).await;
        match driver.list_machines().await {
            Ok(listed) => return Ok(listed),
            Err(e) => last = Some(e),
        }
    }
    let backend = services.db.backend(backend_id).await.ok().flatten();
    let title = backend
        .map(|b| b.title)
        .unwrap_or_else(|| backend_id.to_owned());
    Err(crate::drivers::error(
        last.unwrap_or_else(|| cloud::DriverError::Unavailable("no answer".into())),
        &title,
    ))
}

/// Runs the operation's unfinished creates, layer by layer in the
/// template's order, each layer's concurrently; `false` when one failed.
async fn run_creates(
    services: &Services,
    stack: &Stack,
    op: &Operation,
    template: &Template,
    chosen: &serde_json::Value,
) -> Result<bool, ErrorKind> {
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
        let listed = listed(services, &driver, &backend.id).await?;
        let layer_chosen = &chosen[&layer.flag];
        let ran = join_all(mine.into_iter().map(|s| {
            steps::create(
                services,
                stack,
                steps::Making {
                    backend: &backend,
                    driver: &driver,
                    layer,
                    chosen: layer_chosen,
                },
                s,
                &listed,
            )
        }))
        .await;
        if ran.iter().any(|ok| !ok) {
            return Ok(false);
        }
    }
    Ok(true)
}

async fn destroy_all(services: &Services, stack: &Stack, op: &Operation) -> Result<(), ErrorKind> {
    if run_destroys(services, stack, op).await? {
        super::key::remove(services, &stack.nickname).await;
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

/// Runs the operation's unfinished destroys, concurrently; `false` when
/// one failed.
pub(super) async fn run_destroys(
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

/// Ends the operation with status `to`, its log entry in the same write.
pub(super) async fn end(
    services: &Services,
    stack: &Stack,
    op: &Operation,
    to: &str,
    deleted: bool,
    why: &str,
) -> Result<(), ErrorKind> {
    let change = change(&stack.id, to, why);
    let end = EndOperation {
        to,
        deleted,
        now: services.now(),
        status_event: &change.to_string(),
    };
    let ended = services
        .db
        .end_operation(&stack.id, &op.id, &end)
        .await
        .map_err(internal)?;
    if ended {
        publish(services, &stack.id, &change).await;
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
    Ok(held(&steps))
}

/// The machines a journal (every step of a stack) says it still has:
/// `(flag, name, provider id)` of each create done and not destroyed since.
pub fn held(steps: &[Step]) -> Vec<(String, String, String)> {
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
    live
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
