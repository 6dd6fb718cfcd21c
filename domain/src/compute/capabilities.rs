//! What a driver can do, and what a machine offers given its state.

use serde::{Deserialize, Serialize};

use super::{Action, MachineState};

/// What a driver can do, checked before an operation is offered or sent.
///
/// Typed where Libcloud kept an untyped `features` dict. Build one with
/// `Capabilities { reboot: true, ..Capabilities::default() }` so that fields
/// added later default to "unsupported".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// `machine_action(Action::Reboot)` works.
    pub reboot: bool,
    /// `machine_action(Action::Start)` works.
    pub start: bool,
    /// `machine_action(Action::Stop)` works.
    pub stop: bool,
    /// `machine_action(Action::Destroy)` works.
    pub destroy: bool,
    /// `create_machine` works.
    pub create: bool,
    /// `set_tags` works.
    pub tag: bool,
    /// `CreateMachine::key` is installed through the provider's key mechanism.
    pub key_pairs: bool,
    /// `CreateMachine::user_data` reaches the machine (cloud-init or similar).
    pub user_data: bool,
    /// `list_images(Some(term))` searches the provider beyond the default list.
    pub image_search: bool,
}

impl Capabilities {
    /// Everything: what a driver says it cannot do is written against this
    /// (`Capabilities { tag: false, ..Capabilities::ALL }`), so each
    /// driver's constant names only its gaps.
    pub const ALL: Capabilities = Capabilities {
        reboot: true,
        start: true,
        stop: true,
        destroy: true,
        create: true,
        tag: true,
        key_pairs: true,
        user_data: true,
        image_search: true,
    };

    /// Whether `action` is supported.
    pub fn supports(&self, action: Action) -> bool {
        match action {
            Action::Reboot => self.reboot,
            Action::Start => self.start,
            Action::Stop => self.stop,
            Action::Destroy => self.destroy,
        }
    }
}

/// What a machine offers now: its provider's [`Capabilities`] narrowed by
/// its state, as mist.io's `can_*` flags were.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offered {
    /// `can_reboot`.
    pub reboot: bool,
    /// `can_stop`.
    pub stop: bool,
    /// `can_start`.
    pub start: bool,
    /// `can_destroy`.
    pub destroy: bool,
    /// `can_tag`.
    pub tag: bool,
}

impl Offered {
    /// Whether `action` is offered.
    pub fn allows(&self, action: Action) -> bool {
        match action {
            Action::Reboot => self.reboot,
            Action::Start => self.start,
            Action::Stop => self.stop,
            Action::Destroy => self.destroy,
        }
    }
}

impl Capabilities {
    /// What a machine in `state` offers with these capabilities: a running
    /// machine reboots and stops, a stopped (suspended, paused) one starts,
    /// one on its way somewhere can only be destroyed (or tagged), a
    /// terminated one nothing; a state nobody knows (`unknown`, `error`,
    /// `normal`) leaves every action the provider has to try.
    pub fn offered(&self, state: MachineState) -> Offered {
        use MachineState::*;
        let (reboot, stop, start, destroy, tag) = match state {
            Running => (true, true, false, true, true),
            Stopped | Suspended | Paused => (false, false, true, true, true),
            Terminated => (false, false, false, false, false),
            Pending | Starting | Stopping | Rebooting | Reconfiguring | Migrating | Updating => {
                (false, false, false, true, true)
            }
            Unknown | Error | Normal => (true, true, true, true, true),
        };
        Offered {
            reboot: self.reboot && reboot,
            stop: self.stop && stop,
            start: self.start && start,
            destroy: self.destroy && destroy,
            tag: self.tag && tag,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_machine_offers_what_its_provider_can_do_and_its_state_allows() {
        let all = Capabilities::ALL;
        let running = all.offered(MachineState::Running);
        assert!(running.reboot && running.stop && !running.start && running.destroy);
        let stopped = all.offered(MachineState::Stopped);
        assert!(stopped.start && !stopped.stop && !stopped.reboot);
        assert_eq!(all.offered(MachineState::Terminated), Offered::default());
        let no_power = Capabilities {
            start: false,
            stop: false,
            tag: false,
            ..Capabilities::ALL
        };
        let offered = no_power.offered(MachineState::Running);
        assert!(offered.reboot && !offered.stop && !offered.tag && offered.destroy);
        assert!(!no_power.offered(MachineState::Stopped).start);
        for action in Action::ALL {
            assert_eq!(
                all.offered(MachineState::Unknown).allows(action),
                all.supports(action)
            );
        }
    }
}
