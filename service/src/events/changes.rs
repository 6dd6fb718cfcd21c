//! The events of the changes the operations make: each reads what it
//! announces back from the database, so an event carries the thing as the
//! pages show it.

use domain::{events::EventKind, resource};

use super::{publish_or_log, Change};
use crate::Services;

/// A machine was created or changed (`kind` says which): announced with
/// its summary, as the Machines page shows it.
pub async fn machine(services: &Services, kind: EventKind, backend_id: &str, machine_id: &str) {
    let (machine, backend) = tokio::join!(
        services.db.machine(backend_id, machine_id),
        services.db.backend(backend_id)
    );
    let (Ok(Some(machine)), Ok(Some(backend))) = (machine, backend) else {
        return;
    };
    let summary = crate::machines::summary(&machine, &backend);
    publish_or_log(
        services,
        vec![Change::new(
            kind,
            resource::machine(backend_id, machine_id),
            &summary,
        )],
    )
    .await;
}

/// A backend was added or changed: announced with its summary.
pub async fn backend(services: &Services, backend_id: &str) {
    let Ok(Some(backend)) = services.db.backend(backend_id).await else {
        return;
    };
    publish_or_log(
        services,
        vec![Change::new(
            EventKind::BackendChanged,
            resource::backend(backend_id),
            &crate::backends::summary(&backend),
        )],
    )
    .await;
}

/// A backend was deleted (its machines with it).
pub async fn backend_gone(services: &Services, backend_id: &str) {
    publish_or_log(
        services,
        vec![Change::new(
            EventKind::BackendGone,
            resource::backend(backend_id),
            &serde_json::json!({ "id": backend_id }),
        )],
    )
    .await;
}

/// Something happened to script run `run` of a machine: announced with the
/// run's id and `details`.
pub async fn script(
    services: &Services,
    kind: EventKind,
    backend_id: &str,
    machine_id: &str,
    run: &str,
    details: serde_json::Value,
) {
    let mut data = serde_json::json!({ "run": run, "backend": backend_id, "machine": machine_id });
    if let (Some(data), serde_json::Value::Object(details)) = (data.as_object_mut(), details) {
        data.extend(details);
    }
    publish_or_log(
        services,
        vec![Change::new(
            kind,
            resource::machine(backend_id, machine_id),
            &data,
        )],
    )
    .await;
}
