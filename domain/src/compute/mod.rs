//! Provider-neutral values every cloud driver returns and accepts, and the
//! states Overcast's own records move through. They live here, not in the
//! `cloud` crate (which re-exports them), so that the pages and stack
//! templates (WebAssembly) speak the same types as the drivers.

use serde::{Deserialize, Serialize};

/// Declares a state enum stored and answered as its lowercase name.
macro_rules! named_states {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

// After the macro: they declare their states with it.
mod capabilities;
mod states;

pub use capabilities::{Capabilities, Offered};
pub use states::{BackendState, RunState};

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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
