//! One journalled step against the provider: reconciled first (a machine
//! already bearing the step's name is adopted, one already gone is not
//! destroyed again), then done, then marked.

use std::sync::Arc;

use cloud::{Action, CloudDriver, DriverError};
use domain::{
    compute::{Machine, MachineState},
    events::EventKind,
    stacks::Layer,
    ErrorKind,
};
use store::{
    backends::StoredBackend,
    stacks::{Stack, Step, STEP_DONE, STEP_FAILED},
};

use super::{runner::step_detail, status};
use crate::{drivers, provision, Services};

/// The stack's backend and its driver.
pub async fn driver(
    services: &Services,
    backend_id: &str,
) -> Result<(StoredBackend, Arc<dyn CloudDriver>), ErrorKind> {
    let backend = crate::backends::stored(services, backend_id).await?;
    let driver = drivers::for_backend(services, &backend)
        .await?
        .ok_or_else(|| ErrorKind::Conflict {
            message: format!("backend {:?} has no driver", backend.title),
        })?;
    Ok((backend, driver))
}

/// The live machine named `name`, if the provider lists one.
pub fn named<'a>(listed: &'a [Machine], name: &str) -> Option<&'a Machine> {
    listed
        .iter()
        .find(|m| m.name == name && m.state != MachineState::Terminated)
}

async fn finish(
    services: &Services,
    stack: &Stack,
    s: &Step,
    state: &str,
    machine_id: Option<&str>,
    message: &str,
) {
    if let Err(e) = services
        .db
        .mark_step(
            &stack.id,
            s.seq,
            state,
            machine_id,
            Some(message),
            services.now(),
        )
        .await
    {
        tracing::error!(stack = %stack.id, step = s.seq, error = %e, "cannot mark a step");
    }
    status::step(
        services,
        &stack.id,
        step_detail(stack, s, state, machine_id, message),
    )
    .await;
}

/// What a layer's machines are made with.
#[derive(Clone, Copy)]
pub struct Making<'a> {
    /// The stack's backend.
    pub backend: &'a StoredBackend,
    /// Its driver.
    pub driver: &'a Arc<dyn CloudDriver>,
    /// The layer.
    pub layer: &'a Layer,
    /// The values chosen for the layer's computed fields (`computed`).
    pub chosen: &'a serde_json::Value,
}

/// Creates (or adopts) a step's machine; `true` when it exists after.
pub async fn create(
    services: &Services,
    stack: &Stack,
    making: Making<'_>,
    s: &Step,
    listed: &[Machine],
) -> bool {
    let (backend, driver) = (making.backend, making.driver);
    if let Some(m) = named(listed, &s.machine_name) {
        let stored = drivers::to_stored(&backend.id, m, services.now());
        if let Err(e) = services.db.upsert_machine(&stored).await {
            tracing::warn!(error = %e, "cannot store an adopted machine");
        }
        let mut note = "adopted: the provider has it already".to_owned();
        // Its runner may have stopped between creating and tagging it.
        if driver.capabilities().tag && !m.tags.contains(&stack_tag(stack)) {
            note = format!("{note}; {}", tag(driver, &m.id, stack).await);
        }
        finish(services, stack, s, STEP_DONE, Some(&m.id), &note).await;
        return true;
    }
    status::step(
        services,
        &stack.id,
        step_detail(stack, s, "running", None, "creating the machine"),
    )
    .await;
    match make(services, making, s, stack).await {
        Ok((id, note)) => {
            finish(services, stack, s, STEP_DONE, Some(&id), &note).await;
            true
        }
        Err(e) => {
            finish(services, stack, s, STEP_FAILED, None, &e.to_string()).await;
            false
        }
    }
}

async fn make(
    services: &Services,
    making: Making<'_>,
    s: &Step,
    stack: &Stack,
) -> Result<(String, String), ErrorKind> {
    let Making {
        backend,
        driver,
        layer,
        chosen,
    } = making;
    let title = crate::machine_actions::title(backend);
    let p = &layer.provision;
    let mut notes = Vec::new();
    let image = match p.image.as_ref().and_then(|i| i.known()) {
        Some(image) => image.clone(),
        None => match chosen["image"]
            .as_str()
            .map(str::to_owned)
            // A version stored before images were chosen at plan time.
            .or_else(|| crate::backends::settings::default_image(backend))
        {
            Some(image) => {
                notes.push(format!(
                    "image ${{computed}}: {image}, {title}'s default image"
                ));
                image
            }
            None => {
                return Err(ErrorKind::Conflict {
                    message: format!("image is ${{computed}} and no image was chosen for {title}"),
                })
            }
        },
    };
    let location = match p.availability_zone.as_ref().and_then(|z| z.known()) {
        Some(zone) => zone.clone(),
        None => match chosen["availability_zone"].as_str() {
            Some(zone) => zone.to_owned(),
            // A version stored before zones were chosen at plan time.
            None => {
                let locations = driver.list_locations().await.unwrap_or_default();
                locations.first().map(|l| l.id.clone()).unwrap_or_default()
            }
        },
    };
    let key = if p.keypair() {
        Some(super::key::ensure(services, &stack.nickname).await?)
    } else {
        None
    };
    let spec = provision::MachineSpec {
        name: s.machine_name.clone(),
        size: p.instance_type.clone(),
        image,
        location,
        key,
    };
    let (machine, _) =
        provision::provision(services, backend, driver, &spec, &on_behalf_of(stack)).await?;
    audit_machine(
        services,
        stack,
        "create:machine",
        &backend.id,
        &machine.id,
        &spec.audit_detail(),
    )
    .await;
    // Tagged where the provider has tags (Mobingi found instances so).
    if driver.capabilities().tag {
        notes.push(tag(driver, &machine.id, stack).await);
    }
    notes.insert(0, "created".into());
    Ok((machine.id, notes.join("; ")))
}

/// The tag a stack's machines carry: `Stack_Name=<stack id>`.
fn stack_tag(stack: &Stack) -> String {
    format!("Stack_Name={}", stack.id)
}

/// Tags machine `id` with [`stack_tag`]; what happened, for the step's note.
async fn tag(driver: &Arc<dyn CloudDriver>, id: &str, stack: &Stack) -> String {
    match driver.set_tags(id, &[stack_tag(stack)]).await {
        Ok(()) => "tagged Stack_Name".into(),
        Err(e) => format!("not tagged: {e}"),
    }
}

/// Destroys a step's machine (one already gone counts as destroyed);
/// `true` when it is gone.
pub async fn destroy(
    services: &Services,
    stack: &Stack,
    backend: &StoredBackend,
    driver: &Arc<dyn CloudDriver>,
    s: &Step,
) -> bool {
    let Some(id) = s.machine_id.clone() else {
        finish(services, stack, s, STEP_DONE, None, "no machine to destroy").await;
        return true;
    };
    let outcome = match driver.machine_action(&id, Action::Destroy).await {
        Ok(()) => Ok("destroyed"),
        Err(DriverError::NotFound(_)) => Ok("already gone"),
        Err(e) => Err(drivers::error(e, &crate::machine_actions::title(backend))),
    };
    match outcome {
        Ok(note) => {
            audit_machine(services, stack, "destroy:machine", &backend.id, &id, note).await;
            if let Err(e) = services
                .db
                .set_machine_state(&backend.id, &id, "terminated")
                .await
            {
                tracing::warn!(error = %e, "cannot mark a machine terminated");
            }
            crate::events::changes::machine(services, EventKind::MachineChanged, &backend.id, &id)
                .await;
            finish(services, stack, s, STEP_DONE, Some(&id), note).await;
            true
        }
        Err(e) => {
            finish(services, stack, s, STEP_FAILED, Some(&id), &e.to_string()).await;
            false
        }
    }
}

/// The name a stack acts under, for its machines and the audit log:
/// `stack <nickname>`.
fn on_behalf_of(stack: &Stack) -> String {
    format!("stack {}", stack.nickname)
}

/// Records in the audit log what the stack did to one of its machines,
/// as the stack ([`on_behalf_of`]), so the machine's own activity shows
/// it. A failure to record is logged: the machine is made, or gone, either
/// way.
async fn audit_machine(
    services: &Services,
    stack: &Stack,
    action: &str,
    backend_id: &str,
    machine_id: &str,
    detail: &str,
) {
    let resource = domain::resource::machine(backend_id, machine_id);
    let recorded = crate::audit::record(
        services,
        &on_behalf_of(stack),
        "",
        action,
        &resource,
        crate::audit::outcome::SUCCESS,
        detail,
    )
    .await;
    if let Err(e) = recorded {
        tracing::warn!(error = %e, %resource, "cannot record a stack's machine in the audit log");
    }
}
