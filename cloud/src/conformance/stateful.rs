//! The stateful group of the suite: properties only a peer that keeps
//! machines between calls can prove.

use crate::types::{Action, Machine, MachineState, Offered};
use crate::CloudDriver;

use super::Wait;

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
pub(super) async fn created_machine_is_listed(d: &dyn CloudDriver, created: &Machine) {
    let listed = find(d, &created.id).await;
    assert!(
        listed.is_some(),
        "{}: created machine {} is not listed",
        d.provider(),
        created.id
    );
}

/// Stop leads to `Stopped`, start to `Running`, reboot back to `Running`,
/// for each action the capabilities allow; and at each step the machine
/// offers (`Capabilities::offered`, the `can_*` of every answer) exactly
/// the actions its capabilities and its listed state allow, and each action
/// it offers is accepted.
pub(super) async fn actions_change_state(d: &dyn CloudDriver, id: &str, wait: Wait) {
    let caps = d.capabilities();
    let is = |state: MachineState| move |m: Option<&Machine>| m.map(|m| m.state) == Some(state);
    wait_until(d, id, wait, "running", is(MachineState::Running)).await;
    let running = offered_now(d, id).await;
    assert!(
        !running.start && running.stop == caps.stop && running.reboot == caps.reboot,
        "{}: a running machine offers {running:?} with {caps:?}",
        d.provider()
    );
    if running.stop {
        act(d, id, Action::Stop).await;
        wait_until(d, id, wait, "stopped", is(MachineState::Stopped)).await;
        let stopped = offered_now(d, id).await;
        assert!(
            stopped.start == caps.start && !stopped.stop && !stopped.reboot,
            "{}: a stopped machine offers {stopped:?} with {caps:?}",
            d.provider()
        );
        if stopped.start {
            act(d, id, Action::Start).await;
            wait_until(d, id, wait, "running again", is(MachineState::Running)).await;
        }
    }
    if offered_now(d, id).await.reboot {
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

/// What the machine offers in the state it is listed in now.
async fn offered_now(d: &dyn CloudDriver, id: &str) -> Offered {
    let Some(m) = find(d, id).await else {
        panic!("{}: machine {id} is no longer listed", d.provider());
    };
    d.capabilities().offered(m.state)
}

/// After `set_tags`, the listed machine carries exactly those tags.
pub(super) async fn tags_are_listed(d: &dyn CloudDriver, id: &str, tags: &[String], wait: Wait) {
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
pub(super) async fn destroy_removes_it(d: &dyn CloudDriver, id: &str, wait: Wait) {
    if !d.capabilities().destroy {
        return;
    }
    act(d, id, Action::Destroy).await;
    wait_until(d, id, wait, "gone", |m| {
        m.is_none_or(|m| m.state == MachineState::Terminated)
    })
    .await;
}
