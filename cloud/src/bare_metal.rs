//! Bare metal: a server Overcast reaches over SSH; its one machine is the
//! host. The driver itself (`service::backends::bare_metal::BareMetal`)
//! lives with the service, because it logs in with the installation's keys
//! and pinned host keys; what it can do is declared here with the others.

use crate::types::Capabilities;

/// The catalogue name.
pub const PROVIDER: &str = "bare_metal";

/// A host reboots (its reboot command, over SSH) and nothing else: it is
/// not created, stopped, started, destroyed or tagged from here.
pub const CAPABILITIES: Capabilities = Capabilities {
    reboot: true,
    start: false,
    stop: false,
    destroy: false,
    create: false,
    tag: false,
    key_pairs: false,
    user_data: false,
    image_search: false,
};
