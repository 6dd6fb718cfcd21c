//! The stateful group of the suite: properties only a peer that keeps
//! machines between calls can prove.

use crate::types::{Action, CreateMachine, Machine, MachineState};
use crate::{CloudDriver, DriverError};

use super::{
    catalogue_is_well_formed, create_is_accepted, credentials_are_accepted,
    machines_are_well_formed, unsupported_actions_are_refused, Wait,
};

/// The machine `id` as listed now, if it is.
async fn find(d: &dyn CloudDriver, id: &str) -> Option<Machine> {
    let list = d.list_machines().await;
    let list = list.unwrap_or_else(|e| panic!("{}: list_machines: {e}", d.provider()));
    list.into_iter().find(|m| m.id == id)
}

/// Lists until `done` holds for the machine `id` (or its absence), else
/// panics after `wait.timeout` naming `what` and the last state seen.
pub async fn wait_until(
    d: &dyn CloudDriver,
    id: &str,
    wait: Wait,
    what: &str,
    done: impl Fn(Option<&Machine>) -> bool,
) -> Option<Machine> {
    let deadline = tokio::time::Instant::now() + wait.timeout;
    loop {
        let found = find(d, id).await;
        if done(found.as_ref()) {
            return found;
        }
        if tokio::time::Instant::now() >= deadline {
            let last = found.map(|m| m.state.as_str()).unwrap_or("absent");
            panic!(
                "{}: machine {id} not {what} after {:?} (last: {last})",
                d.provider(),
                wait.timeout
            );
        }
        tokio::time::sleep(wait.interval).await;
    }
}

/// The machine a create returned is in the list.
pub async fn created_machine_is_listed(d: &dyn CloudDriver, created: &Machine) {
    let listed = find(d, &created.id).await;
    assert!(
        listed.is_some(),
        "{}: created machine {} is not listed",
        d.provider(),
        created.id
    );
}

/// Stop leads to `Stopped`, start to `Running`, reboot back to `Running`,
/// for each action the capabilities allow.
pub async fn actions_change_state(d: &dyn CloudDriver, id: &str, wait: Wait) {
    let caps = d.capabilities();
    let is = |state: MachineState| move |m: Option<&Machine>| m.map(|m| m.state) == Some(state);
    wait_until(d, id, wait, "running", is(MachineState::Running)).await;
    if caps.stop {
        act(d, id, Action::Stop).await;
        wait_until(d, id, wait, "stopped", is(MachineState::Stopped)).await;
        if caps.start {
            act(d, id, Action::Start).await;
            wait_until(d, id, wait, "running again", is(MachineState::Running)).await;
        }
    }
    if caps.reboot {
        act(d, id, Action::Reboot).await;
        wait_until(
            d,
            id,
            wait,
            "running after reboot",
            is(MachineState::Running),
        )
        .await;
    }
}

async fn act(d: &dyn CloudDriver, id: &str, action: Action) {
    if let Err(e) = d.machine_action(id, action).await {
        panic!("{}: {} of {id}: {e}", d.provider(), action.as_str());
    }
}

/// After `set_tags`, the listed machine carries exactly those tags.
pub async fn tags_are_listed(d: &dyn CloudDriver, id: &str, tags: &[String], wait: Wait) {
    if !d.capabilities().tag {
        return;
    }
    if let Err(e) = d.set_tags(id, tags).await {
        panic!("{}: set_tags on {id}: {e}", d.provider());
    }
    let mut wanted = tags.to_vec();
    wanted.sort();
    wait_until(d, id, wait, "tagged", |m| {
        let mut have = m.map(|m| m.tags.clone()).unwrap_or_default();
        have.sort();
        have == wanted
    })
    .await;
}

/// Destroy makes the machine leave the list (or show as terminated).
pub async fn destroy_removes_it(d: &dyn CloudDriver, id: &str, wait: Wait) {
    if !d.capabilities().destroy {
        return;
    }
    act(d, id, Action::Destroy).await;
    wait_until(d, id, wait, "gone", |m| {
        m.is_none_or(|m| m.state == MachineState::Terminated)
    })
    .await;
}

/// An action on an id the provider never issued is `NotFound`.
pub async fn unknown_machine_is_not_found(d: &dyn CloudDriver, unknown_id: &str) {
    let caps = d.capabilities();
    let Some(action) = Action::ALL.into_iter().find(|a| caps.supports(*a)) else {
        return;
    };
    let result = d.machine_action(unknown_id, action).await;
    assert!(
        matches!(result, Err(DriverError::NotFound(_))),
        "{}: {} of unknown machine {unknown_id:?} gave {result:?}",
        d.provider(),
        action.as_str()
    );
}

/// Both groups, for a peer that keeps state: create, find, act, tag,
/// destroy, and an unknown id.
pub async fn lifecycle(d: &dyn CloudDriver, request: &CreateMachine, unknown_id: &str, wait: Wait) {
    credentials_are_accepted(d).await;
    catalogue_is_well_formed(d).await;
    machines_are_well_formed(d).await;
    unknown_machine_is_not_found(d, unknown_id).await;
    let Some(created) = create_is_accepted(d, request).await else {
        return;
    };
    created_machine_is_listed(d, &created).await;
    unsupported_actions_are_refused(d, &created.id).await;
    actions_change_state(d, &created.id, wait).await;
    let tags = ["overcast".to_owned(), "conformance".to_owned()];
    tags_are_listed(d, &created.id, &tags, wait).await;
    destroy_removes_it(d, &created.id, wait).await;
}
