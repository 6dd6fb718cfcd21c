//! Provider-neutral values every driver returns and accepts.

use serde::{Deserialize, Serialize};

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

/// A machine's state: Libcloud's `NodeState` list, serialised lowercase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MachineState {
    /// Up and serving.
    Running,
    /// Booting.
    Starting,
    /// Restarting.
    Rebooting,
    /// Destroyed (or being destroyed); it will leave the list.
    Terminated,
    /// Being created.
    Pending,
    /// The provider said something this driver does not map.
    Unknown,
    /// Shutting down.
    Stopping,
    /// Shut down, disk kept.
    Stopped,
    /// Suspended by the provider (billing, abuse).
    Suspended,
    /// The provider reports a failure.
    Error,
    /// Paused (memory kept).
    Paused,
    /// Being resized or reconfigured.
    Reconfiguring,
    /// Moving between hosts.
    Migrating,
    /// Libcloud's catch-all for a healthy non-compute resource.
    Normal,
    /// Being updated.
    Updating,
}

impl MachineState {
    /// The lowercase name (`"running"`), as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            MachineState::Running => "running",
            MachineState::Starting => "starting",
            MachineState::Rebooting => "rebooting",
            MachineState::Terminated => "terminated",
            MachineState::Pending => "pending",
            MachineState::Unknown => "unknown",
            MachineState::Stopping => "stopping",
            MachineState::Stopped => "stopped",
            MachineState::Suspended => "suspended",
            MachineState::Error => "error",
            MachineState::Paused => "paused",
            MachineState::Reconfiguring => "reconfiguring",
            MachineState::Migrating => "migrating",
            MachineState::Normal => "normal",
            MachineState::Updating => "updating",
        }
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
