//! libvirt's answers as provider-neutral values: states, the built-in sizes,
//! machines, images and the one location.

use std::net::IpAddr;

use serde_json::json;
use virt::domain::DomainState;

use crate::types::{Image, Location, Machine, MachineState, Size};

/// The image id meaning "no disk": a machine with no image (network boot,
/// or the test driver, whose default pool holds no volumes).
pub const NO_IMAGE: &str = "none";

/// A domain's state as a machine state.
///
/// Libcloud's libvirt driver maps blocked to pending, paused, shutdown and
/// shutoff to terminated, crashed and pmsuspended to unknown (its NodeState
/// once had no stopped or paused). Here: blocked (waiting on I/O, shown as
/// "idle" by virsh) is running; shutoff is stopped, since a defined domain
/// keeps its disk and starts again (terminated would mean "leaving the
/// list"); shutdown (going down) is stopping; paused, crashed and
/// pmsuspended have their own states.
pub fn map_state(state: Option<DomainState>) -> MachineState {
    match state {
        Some(DomainState::Running | DomainState::Blocked) => MachineState::Running,
        Some(DomainState::Paused) => MachineState::Paused,
        Some(DomainState::Shutdown) => MachineState::Stopping,
        Some(DomainState::Shutoff) => MachineState::Stopped,
        Some(DomainState::Crashed) => MachineState::Error,
        Some(DomainState::PMSuspended) => MachineState::Suspended,
        Some(DomainState::NoState) | None => MachineState::Unknown,
    }
}

/// The built-in shapes: (vCPUs, MiB of memory).
const SHAPES: [(u32, u64); 5] = [(1, 512), (1, 1024), (2, 2048), (2, 4096), (4, 4096)];

/// The size id of a shape: `1cpu-512mb`.
pub fn size_id(cpus: u32, memory_mib: u64) -> String {
    format!("{cpus}cpu-{memory_mib}mb")
}

/// The shape a size id names, if it is one of [`sizes`].
pub fn shape(id: &str) -> Option<(u32, u64)> {
    SHAPES.into_iter().find(|(c, m)| size_id(*c, *m) == id)
}

/// The sizes offered: libvirt has no catalogue, so a few common shapes (the
/// disk is the image's).
pub fn sizes() -> Vec<Size> {
    SHAPES
        .into_iter()
        .map(|(cpus, ram)| Size {
            id: size_id(cpus, ram),
            name: format!("{cpus} vCPU, {ram} MiB"),
            ram_mb: Some(ram),
            disk_gb: None,
            cpus: Some(cpus),
            transfer_gb: None,
            price_hourly: None,
            price_monthly: None,
            extra: json!({}),
        })
        .collect()
}

/// What the driver read about one domain.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The domain's UUID: the machine id.
    pub uuid: String,
    /// The domain's name.
    pub name: String,
    /// Its state, when libvirt's number is one this crate knows.
    pub state: Option<DomainState>,
    /// The running domain's numeric id (`None` when shut off).
    pub domain_id: Option<u32>,
    /// Virtual CPUs.
    pub vcpus: u32,
    /// Memory in use and the maximum, in KiB.
    pub memory_kib: (u64, u64),
    /// CPU time used, in nanoseconds.
    pub cpu_time_ns: u64,
    /// Whether it is defined (survives a stop) rather than transient.
    pub persistent: bool,
    /// Addresses its interfaces report, as text.
    pub addresses: Vec<String>,
}

/// A machine from a domain's facts, on the host `location`.
pub fn machine(facts: Facts, location: &str) -> Machine {
    let (public_ips, private_ips) = split_addresses(&facts.addresses);
    let memory_mib = facts.memory_kib.1 / 1024;
    let size = size_id(facts.vcpus, memory_mib);
    Machine {
        state: map_state(facts.state),
        size: shape(&size).map(|_| size),
        image: None,
        location: Some(location.to_owned()),
        tags: Vec::new(),
        extra: json!({
            "domain_id": facts.domain_id,
            "libvirt_state": facts.state.map(|s| s.to_string()),
            "vcpus": facts.vcpus,
            "memory_mb": facts.memory_kib.0 / 1024,
            "max_memory_mb": memory_mib,
            "cpu_time_ns": facts.cpu_time_ns,
            "persistent": facts.persistent,
        }),
        id: facts.uuid,
        name: facts.name,
        public_ips,
        private_ips,
    }
}

/// Parses addresses and splits them into public and private (RFC 1918,
/// loopback, link-local, shared, unique-local); IPv4 first in each.
pub fn split_addresses(addresses: &[String]) -> (Vec<String>, Vec<String>) {
    let mut parsed: Vec<IpAddr> = addresses.iter().filter_map(|a| a.parse().ok()).collect();
    parsed.sort_by_key(|ip| ip.is_ipv6());
    let (private, public): (Vec<IpAddr>, Vec<IpAddr>) = parsed.into_iter().partition(is_private);
    let text = |ips: Vec<IpAddr>| ips.iter().map(IpAddr::to_string).collect();
    (text(public), text(private))
}

fn is_private(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let shared = v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64;
            v4.is_private() || v4.is_loopback() || v4.is_link_local() || shared
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

/// The image that creates a machine without a disk.
pub fn no_image() -> Image {
    Image {
        id: NO_IMAGE.to_owned(),
        name: "No disk (empty machine)".to_owned(),
        os: None,
        public: true,
        extra: json!({}),
    }
}

/// A volume offered as an image (a base to clone): id `<pool>/<volume>`.
pub fn image(pool: &str, volume: &str, path: &str, capacity_bytes: u64) -> Image {
    Image {
        id: format!("{pool}/{volume}"),
        name: volume.to_owned(),
        os: None,
        public: false,
        extra: json!({ "pool": pool, "path": path, "capacity_bytes": capacity_bytes }),
    }
}

/// The one location: the host libvirt runs on.
pub fn location(hostname: &str, driver: &str) -> Location {
    Location {
        id: hostname.to_owned(),
        name: hostname.to_owned(),
        country: None,
        available: true,
        extra: json!({ "hypervisor": driver }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shut_off_domains_are_stopped_and_blocked_ones_running() {
        assert_eq!(map_state(Some(DomainState::Shutoff)), MachineState::Stopped);
        assert_eq!(map_state(Some(DomainState::Blocked)), MachineState::Running);
        assert_eq!(map_state(Some(DomainState::Crashed)), MachineState::Error);
        assert_eq!(map_state(None), MachineState::Unknown);
    }

    #[test]
    fn size_ids_name_their_shape() {
        assert_eq!(shape("1cpu-512mb"), Some((1, 512)));
        assert_eq!(shape("3cpu-1mb"), None);
        assert_eq!(sizes().len(), SHAPES.len());
    }

    #[test]
    fn addresses_split_into_public_and_private() {
        let all = [
            "fd00::1",
            "192.168.122.3",
            "203.0.113.9",
            "100.64.0.1",
            "junk",
        ];
        let all: Vec<String> = all.iter().map(|s| s.to_string()).collect();
        let (public, private) = split_addresses(&all);
        assert_eq!(public, ["203.0.113.9"]);
        assert_eq!(private, ["192.168.122.3", "100.64.0.1", "fd00::1"]);
    }
}
