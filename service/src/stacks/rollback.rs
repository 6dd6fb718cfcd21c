//! Undoing a failed operation: the machines it made are destroyed (a
//! pending create's machine too, when the provider lists one by its name:
//! its call may have landed before the runner stopped), its unfinished
//! steps skipped. A create ends `ROLLBACK_COMPLETE`; an update keeps the
//! previous version's machines (its destroys, which run only after every
//! create, are skipped) and makes that version current again,
//! `UPDATE_ROLLBACK_COMPLETE`. Resumable: what is journalled says what is
//! left.

use std::collections::HashSet;

use domain::ErrorKind;
use store::stacks::{NewStep, Operation, Stack, STEP_DONE, STEP_PENDING, STEP_SKIPPED};

use super::{
    runner::{end, listed, run_destroys},
    status::*,
    steps, PREVIOUS_VERSION,
};
use crate::{internal, Services};

/// Rolls a failed create back.
pub async fn create(services: &Services, stack: &Stack, op: &Operation) -> Result<(), ErrorKind> {
    enter(services, stack, CREATE_IN_PROGRESS, ROLLBACK_IN_PROGRESS).await?;
    let (to, why) = if undo(services, stack, op).await? {
        (ROLLBACK_COMPLETE, "the machines made were destroyed")
    } else {
        (ROLLBACK_FAILED, "some machines could not be destroyed")
    };
    end(services, stack, op, to, false, why).await
}

/// Rolls a failed update back to the previous version's machines.
pub async fn update(services: &Services, stack: &Stack, op: &Operation) -> Result<(), ErrorKind> {
    enter(
        services,
        stack,
        UPDATE_IN_PROGRESS,
        UPDATE_ROLLBACK_IN_PROGRESS,
    )
    .await?;
    let undone = undo(services, stack, op).await?;
    let detail: serde_json::Value = serde_json::from_str(&op.detail).unwrap_or_default();
    let previous = detail[PREVIOUS_VERSION].as_str().unwrap_or_default();
    if !previous.is_empty() {
        services
            .db
            .set_stack_version(&stack.id, previous, services.now())
            .await
            .map_err(internal)?;
    }
    let (to, why) = if undone {
        (
            UPDATE_ROLLBACK_COMPLETE,
            format!("the new machines were destroyed; the stack is at version {previous} again"),
        )
    } else {
        (
            UPDATE_ROLLBACK_FAILED,
            "some new machines could not be destroyed; they stay in the stack".to_owned(),
        )
    };
    end(services, stack, op, to, false, &why).await
}

async fn enter(services: &Services, stack: &Stack, from: &str, to: &str) -> Result<(), ErrorKind> {
    if stack.status == to {
        return Ok(());
    }
    let change = change(&stack.id, to, "a machine could not be created");
    let changed = services
        .db
        .set_stack_status(&stack.id, &[from], to, services.now(), &change.to_string())
        .await
        .map_err(internal)?;
    if changed {
        publish(services, &stack.id, &change).await;
    }
    Ok(())
}

/// Skips what is left of the operation and destroys what it made; `true`
/// when every machine it made is gone.
async fn undo(services: &Services, stack: &Stack, op: &Operation) -> Result<bool, ErrorKind> {
    let now = services.now();
    let all = services
        .db
        .operation_steps(&stack.id, &op.id)
        .await
        .map_err(internal)?;
    let made: HashSet<&str> = all
        .iter()
        .filter(|s| s.action == CREATE_MACHINE)
        .map(|s| s.machine_name.as_str())
        .collect();
    let (backend, driver) = steps::driver(services, &stack.backend_id).await?;
    let pending_create = all
        .iter()
        .any(|s| s.action == CREATE_MACHINE && s.state == STEP_PENDING);
    let listed = if pending_create {
        listed(services, &driver, &backend.id).await?
    } else {
        Vec::new()
    };
    let destroying: HashSet<&str> = all
        .iter()
        .filter(|s| s.action == DESTROY_MACHINE && made.contains(s.machine_name.as_str()))
        .map(|s| s.machine_name.as_str())
        .collect();
    for s in &all {
        let keep = s.action == DESTROY_MACHINE && !made.contains(s.machine_name.as_str());
        if s.state == STEP_PENDING && (s.action == CREATE_MACHINE || keep) {
            let why = if keep {
                "rolled back: the machine is kept"
            } else {
                "rolled back"
            };
            services
                .db
                .mark_step(&stack.id, s.seq, STEP_SKIPPED, None, Some(why), now)
                .await
                .map_err(internal)?;
        }
        if s.action != CREATE_MACHINE || destroying.contains(s.machine_name.as_str()) {
            continue;
        }
        let machine = match (&s.machine_id, s.state.as_str()) {
            (Some(id), STEP_DONE) => Some(id.clone()),
            (_, STEP_PENDING) => steps::named(&listed, &s.machine_name).map(|m| m.id.clone()),
            _ => None,
        };
        if let Some(id) = machine {
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
    run_destroys(services, stack, op).await
}
