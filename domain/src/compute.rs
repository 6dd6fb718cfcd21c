//! Provider-neutral values every cloud driver returns and accepts, and the
//! states Overcast's own records move through. They live here, not in the
//! `cloud` crate (which re-exports them), so that the pages and stack
//! templates (WebAssembly) speak the same types as the drivers.

use serde::{Deserialize, Serialize};

/// Declares a state enum stored and answered as its lowercase name.
macro_rules! named_states {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every state.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The lowercase name, as stored and answered.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The state named `text`, if it is one.
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

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

/// A power or lifecycle action on one machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Restart the machine.
    Reboot,
    /// Power on a stopped machine.
    Start,
    /// Shut the machine down (it keeps its disk).
    Stop,
    /// Delete the machine for good.
    Destroy,
}

impl Action {
    /// Every action, in the order the conformance suite tries them.
    pub const ALL: [Action; 4] = [Action::Reboot, Action::Stop, Action::Start, Action::Destroy];

    /// The lowercase name (`"reboot"`), as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Reboot => "reboot",
            Action::Start => "start",
            Action::Stop => "stop",
            Action::Destroy => "destroy",
        }
    }
}

named_states! {
    /// A machine's state: Libcloud's `NodeState` list, stored and answered
    /// lowercase; `unknown` by default.
    #[derive(Default)]
    MachineState {
        /// Up and serving.
        Running => "running",
        /// Booting.
        Starting => "starting",
        /// Restarting.
        Rebooting => "rebooting",
        /// Destroyed (or being destroyed); it will leave the list.
        Terminated => "terminated",
        /// Being created.
        Pending => "pending",
        /// The provider said something this driver does not map.
        #[default]
        Unknown => "unknown",
        /// Shutting down.
        Stopping => "stopping",
        /// Shut down, disk kept.
        Stopped => "stopped",
        /// Suspended by the provider (billing, abuse).
        Suspended => "suspended",
        /// The provider reports a failure.
        Error => "error",
        /// Paused (memory kept).
        Paused => "paused",
        /// Being resized or reconfigured.
        Reconfiguring => "reconfiguring",
        /// Moving between hosts.
        Migrating => "migrating",
        /// Libcloud's catch-all for a healthy non-compute resource.
        Normal => "normal",
        /// Being updated.
        Updating => "updating",
    }
}

/// One machine as every provider's list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// The provider's id, as text.
    pub id: String,
    /// The machine's name.
    pub name: String,
    /// Its state, mapped by the driver's `map_state`.
    pub state: MachineState,
    /// Public addresses (IPv4 first, then IPv6).
    pub public_ips: Vec<String>,
    /// Private addresses.
    pub private_ips: Vec<String>,
    /// The id of its size, when known.
    pub size: Option<String>,
    /// The id of its image, when known.
    pub image: Option<String>,
    /// The id of its location, when known.
    pub location: Option<String>,
    /// The provider's tags.
    pub tags: Vec<String>,
    /// Provider details that have no neutral field (a JSON object).
    pub extra: serde_json::Value,
}

/// A machine size (flavour, instance type, plan).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Size {
    /// The id `CreateMachine::size` takes.
    pub id: String,
    /// A name for people.
    pub name: String,
    /// Memory in MiB.
    pub ram_mb: Option<u64>,
    /// Disk in GB.
    pub disk_gb: Option<u64>,
    /// Virtual CPUs.
    pub cpus: Option<u32>,
    /// Monthly transfer allowance in GB.
    pub transfer_gb: Option<f64>,
    /// Price per hour in the provider's currency (USD for most).
    pub price_hourly: Option<f64>,
    /// Price per month.
    pub price_monthly: Option<f64>,
    /// Provider details (a JSON object).
    pub extra: serde_json::Value,
}

/// A machine image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Image {
    /// The id `CreateMachine::image` takes.
    pub id: String,
    /// A name for people.
    pub name: String,
    /// The operating system family, when the provider says (`"Ubuntu"`).
    pub os: Option<String>,
    /// Whether it is a public image (not the account's own).
    pub public: bool,
    /// Provider details (a JSON object).
    pub extra: serde_json::Value,
}

/// A place machines can be created in (region, zone, datacenter).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// The id `CreateMachine::location` takes.
    pub id: String,
    /// A name for people.
    pub name: String,
    /// ISO 3166 alpha-2 country code, when known.
    pub country: Option<String>,
    /// Whether new machines can be created there now.
    pub available: bool,
    /// Provider details (a JSON object).
    pub extra: serde_json::Value,
}

/// An SSH public key to install on a new machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKey {
    /// The name the provider files it under (Overcast's key name).
    pub name: String,
    /// The key in OpenSSH format (`ssh-ed25519 AAAA... comment`).
    pub openssh: String,
}

/// What `create_machine` is asked to create.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateMachine {
    /// The new machine's name.
    pub name: String,
    /// A `Size::id`.
    pub size: String,
    /// An `Image::id`.
    pub image: String,
    /// A `Location::id`.
    pub location: String,
    /// A key for the machine's administrator, when one is wanted.
    pub key: Option<PublicKey>,
    /// User data (a cloud-config file or script) run at first boot.
    pub user_data: Option<String>,
}

named_states! {
    /// Where a script run is.
    RunState {
        /// Waiting for its machine to answer over SSH.
        Waiting => "waiting",
        /// Running on the machine.
        Running => "running",
        /// Ended with exit status 0.
        Succeeded => "succeeded",
        /// Ended with another exit status.
        Failed => "failed",
        /// Never ran to an exit status (no machine, no connection, stopped).
        Error => "error",
    }
}

impl RunState {
    /// Whether a run in this state has ended.
    pub fn finished(self) -> bool {
        !matches!(self, RunState::Waiting | RunState::Running)
    }
}

named_states! {
    /// A backend's state, as its poll last found it.
    BackendState {
        /// Not polled yet.
        Wait => "wait",
        /// The provider answered (or the host's SSH port did).
        Online => "online",
        /// The host did not answer (bare metal).
        Offline => "offline",
        /// The provider failed: an error status, garbage, no answer.
        Error => "error",
        /// Turned off by an operator; not polled.
        Disabled => "disabled",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_their_names() {
        for s in RunState::ALL {
            assert_eq!(RunState::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for s in BackendState::ALL {
            assert_eq!(BackendState::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(MachineState::parse("stopped"), Some(MachineState::Stopped));
        assert_eq!(MachineState::parse("Stopped"), None);
        assert!(RunState::Failed.finished() && !RunState::Waiting.finished());
    }

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
