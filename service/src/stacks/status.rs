//! Stack statuses (CloudFormation's names), step actions, and recording a
//! change: one row in the stack's own log and one published event.

use domain::{events::EventKind, resource};
use serde_json::json;
use store::stacks::STATUS_EVENT;

use crate::{
    events::{publish_or_log, Change},
    Services,
};

/// Stored, not yet begun.
pub const REVIEW_IN_PROGRESS: &str = "REVIEW_IN_PROGRESS";
/// Its machines are being created.
pub const CREATE_IN_PROGRESS: &str = "CREATE_IN_PROGRESS";
/// Every machine was created.
pub const CREATE_COMPLETE: &str = "CREATE_COMPLETE";
/// A create failed and its machines were kept.
pub const CREATE_FAILED: &str = "CREATE_FAILED";
/// A failed create's machines are being destroyed.
pub const ROLLBACK_IN_PROGRESS: &str = "ROLLBACK_IN_PROGRESS";
/// A failed create's machines were destroyed.
pub const ROLLBACK_COMPLETE: &str = "ROLLBACK_COMPLETE";
/// A rollback could not destroy every machine.
pub const ROLLBACK_FAILED: &str = "ROLLBACK_FAILED";
/// An update's machines are being made and the replaced destroyed.
pub const UPDATE_IN_PROGRESS: &str = "UPDATE_IN_PROGRESS";
/// An update is done.
pub const UPDATE_COMPLETE: &str = "UPDATE_COMPLETE";
/// A failed update's new machines are being destroyed (the previous
/// version's kept).
pub const UPDATE_ROLLBACK_IN_PROGRESS: &str = "UPDATE_ROLLBACK_IN_PROGRESS";
/// A failed update was rolled back to the previous version.
pub const UPDATE_ROLLBACK_COMPLETE: &str = "UPDATE_ROLLBACK_COMPLETE";
/// An update's rollback, or its destroying of replaced machines, failed:
/// the stack holds machines it could not destroy (another update or a
/// delete may follow).
pub const UPDATE_ROLLBACK_FAILED: &str = "UPDATE_ROLLBACK_FAILED";
/// Its machines are being destroyed.
pub const DELETE_IN_PROGRESS: &str = "DELETE_IN_PROGRESS";
/// Deleted.
pub const DELETE_COMPLETE: &str = "DELETE_COMPLETE";
/// A delete could not destroy every machine.
pub const DELETE_FAILED: &str = "DELETE_FAILED";

/// The statuses a new operation may begin from.
pub const SETTLED: &[&str] = &[
    CREATE_COMPLETE,
    CREATE_FAILED,
    ROLLBACK_COMPLETE,
    ROLLBACK_FAILED,
    DELETE_FAILED,
    UPDATE_COMPLETE,
    UPDATE_ROLLBACK_COMPLETE,
    UPDATE_ROLLBACK_FAILED,
];

/// A step creating a machine.
pub const CREATE_MACHINE: &str = "create_machine";
/// A step destroying a machine.
pub const DESTROY_MACHINE: &str = "destroy_machine";

/// Records a status of a stack that changes nothing stored (its log and
/// `stack.changed`): `CREATE_FAILED` on the way to a rollback.
pub async fn record(services: &Services, stack_id: &str, status: &str, reason: &str) {
    let detail = change(stack_id, status, reason);
    log(services, stack_id, STATUS_EVENT, &detail).await;
    publish(services, stack_id, &detail).await;
}

/// A status change's event, as logged (with the change, in its
/// transaction) and published.
pub fn change(stack_id: &str, status: &str, reason: &str) -> serde_json::Value {
    json!({ "stack_id": stack_id, "status": status, "reason": reason })
}

/// Publishes `stack.changed` for a status change stored with its event.
pub async fn publish(services: &Services, stack_id: &str, change: &serde_json::Value) {
    publish_or_log(
        services,
        vec![Change::new(
            EventKind::StackChanged,
            resource::stack(stack_id),
            change,
        )],
    )
    .await;
}

/// Records a step's progress (its log and `stack.step`).
pub async fn step(services: &Services, stack_id: &str, detail: serde_json::Value) {
    log(services, stack_id, "step", &detail).await;
    publish_or_log(
        services,
        vec![Change::new(
            EventKind::StackStep,
            resource::stack(stack_id),
            &detail,
        )],
    )
    .await;
}

async fn log(services: &Services, stack_id: &str, kind: &str, detail: &serde_json::Value) {
    if let Err(e) = services
        .db
        .append_stack_event(stack_id, services.now(), kind, &detail.to_string())
        .await
    {
        tracing::error!(stack = %stack_id, error = %e, "cannot log a stack's event");
    }
}
