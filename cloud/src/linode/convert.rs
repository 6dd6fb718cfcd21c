//! Linode's JSON (API v4) and its mapping onto the neutral types.

use std::net::IpAddr;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::types::{Image, Location, Machine, MachineState, Size};

/// Libcloud's Linode v4 state map, with two choices of ours:
///
/// - `provisioning` is `Pending` (Libcloud says starting): the machine is
///   being created, which is what `Pending` means here;
/// - `deleting` is `Terminated` (Libcloud says pending): our `Terminated`
///   covers "being destroyed; it will leave the list".
///
/// `cloning` and `restoring` (the disk is being written) are `Pending`,
/// `rebuilding` (a new image) is `Updating`, `resizing` `Reconfiguring`;
/// anything else is `Unknown`.
pub fn map_state(status: &str) -> MachineState {
    match status {
        "running" => MachineState::Running,
        "offline" | "stopped" => MachineState::Stopped,
        "booting" => MachineState::Starting,
        "rebooting" => MachineState::Rebooting,
        "shutting_down" => MachineState::Stopping,
        "provisioning" | "cloning" | "restoring" => MachineState::Pending,
        "deleting" => MachineState::Terminated,
        "migrating" => MachineState::Migrating,
        "rebuilding" => MachineState::Updating,
        "resizing" => MachineState::Reconfiguring,
        _ => MachineState::Unknown,
    }
}

/// A Linode as `/v4/linode/instances` returns it (the fields Overcast reads).
#[derive(Debug, Deserialize)]
pub(crate) struct Instance {
    id: u64,
    label: String,
    status: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    image: Option<String>,
    region: Option<String>,
    #[serde(default)]
    ipv4: Vec<String>,
    ipv6: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    group: Option<String>,
    created: Option<String>,
    updated: Option<String>,
    hypervisor: Option<String>,
    specs: Option<Value>,
    watchdog_enabled: Option<bool>,
    backups: Option<Value>,
}

/// A type (plan) as `/v4/linode/types` returns it.
#[derive(Debug, Deserialize)]
pub(crate) struct LinodeType {
    id: String,
    label: Option<String>,
    class: Option<String>,
    /// MiB.
    memory: Option<u64>,
    /// MiB.
    disk: Option<u64>,
    vcpus: Option<u32>,
    gpus: Option<u32>,
    /// GB a month.
    transfer: Option<f64>,
    /// Mbit/s.
    network_out: Option<u64>,
    price: Option<Price>,
    addons: Option<Value>,
    successor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Price {
    hourly: Option<f64>,
    monthly: Option<f64>,
}

/// An image as `/v4/images` returns it.
#[derive(Debug, Deserialize)]
pub(crate) struct LinodeImage {
    id: String,
    label: Option<String>,
    vendor: Option<String>,
    is_public: Option<bool>,
    #[serde(default)]
    pub(crate) deprecated: bool,
    #[serde(rename = "type")]
    kind: Option<String>,
    size: Option<u64>,
    created: Option<String>,
    created_by: Option<String>,
    description: Option<String>,
    eol: Option<String>,
}

/// A region as `/v4/regions` returns it.
#[derive(Debug, Deserialize)]
pub(crate) struct Region {
    id: String,
    label: Option<String>,
    country: Option<String>,
    status: Option<String>,
    #[serde(default)]
    capabilities: Vec<String>,
}

/// The Linode as a neutral machine: its IPv4 addresses split into public
/// and private (RFC 1918 and the like, Linode's private `192.168.128.0/17`
/// among them), then its SLAAC IPv6 address (prefix length dropped).
pub(crate) fn machine(i: Instance) -> Machine {
    let (mut public_ips, private_ips) = split_ipv4(&i.ipv4);
    let ipv6 = i
        .ipv6
        .as_deref()
        .map(|a| a.split('/').next().unwrap_or(a))
        .filter(|a| a.parse::<IpAddr>().is_ok());
    public_ips.extend(ipv6.map(str::to_owned));
    Machine {
        id: i.id.to_string(),
        state: map_state(&i.status),
        public_ips,
        private_ips,
        size: i.kind,
        image: i.image,
        location: i.region,
        extra: json!({
            "status": i.status,
            "group": i.group.filter(|g| !g.is_empty()),
            "created": i.created,
            "updated": i.updated,
            "hypervisor": i.hypervisor,
            "specs": i.specs,
            "ipv6": i.ipv6,
            "watchdog_enabled": i.watchdog_enabled,
            "backups_enabled": i.backups.as_ref().and_then(|b| b.get("enabled")).and_then(Value::as_bool),
        }),
        name: i.label,
        tags: i.tags,
    }
}

/// Public and private IPv4 addresses; what does not parse is left out.
fn split_ipv4(addresses: &[String]) -> (Vec<String>, Vec<String>) {
    let mut public = Vec::new();
    let mut private = Vec::new();
    for a in addresses {
        match a.parse::<std::net::Ipv4Addr>() {
            Ok(ip) if ip.is_private() || ip.is_loopback() || ip.is_link_local() => {
                private.push(a.clone())
            }
            Ok(_) => public.push(a.clone()),
            Err(_) => {}
        }
    }
    (public, private)
}

/// The type as a neutral size (disk in GB from Linode's MiB).
pub(crate) fn size(t: LinodeType) -> Size {
    let price = t.price.as_ref();
    Size {
        name: t.label.clone().unwrap_or_else(|| t.id.clone()),
        ram_mb: t.memory,
        disk_gb: t.disk.map(|mb| mb / 1024),
        cpus: t.vcpus,
        transfer_gb: t.transfer,
        price_hourly: price.and_then(|p| p.hourly),
        price_monthly: price.and_then(|p| p.monthly),
        extra: json!({
            "class": t.class,
            "gpus": t.gpus,
            "network_out": t.network_out,
            "successor": t.successor,
            "addons": t.addons,
        }),
        id: t.id,
    }
}

/// The image as a neutral image (`linode/debian12`, named by its label).
pub(crate) fn image(i: LinodeImage) -> Image {
    Image {
        name: i
            .label
            .clone()
            .filter(|l| !l.trim().is_empty())
            .unwrap_or_else(|| i.id.clone()),
        os: i.vendor,
        public: i.is_public.unwrap_or(false),
        extra: json!({
            "type": i.kind,
            "deprecated": i.deprecated,
            "size": i.size,
            "created": i.created,
            "created_by": i.created_by,
            "description": i.description,
            "eol": i.eol,
        }),
        id: i.id,
    }
}

/// The region as a neutral location; available unless Linode says its
/// status is other than `ok`.
pub(crate) fn location(r: Region) -> Location {
    Location {
        name: r
            .label
            .clone()
            .filter(|l| !l.trim().is_empty())
            .unwrap_or_else(|| r.id.clone()),
        country: r.country.as_deref().and_then(country),
        available: r.status.as_deref().is_none_or(|s| s == "ok"),
        extra: json!({ "status": r.status, "capabilities": r.capabilities }),
        id: r.id,
    }
}

/// ISO 3166 alpha-2 from Linode's lowercase code (`uk` is `GB`).
fn country(code: &str) -> Option<String> {
    let code = code.trim();
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    Some(match code.to_ascii_uppercase().as_str() {
        "UK" => "GB".to_owned(),
        other => other.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linode_statuses_map_like_libcloud_with_our_two_choices() {
        assert_eq!(map_state("running"), MachineState::Running);
        assert_eq!(map_state("offline"), MachineState::Stopped);
        assert_eq!(map_state("booting"), MachineState::Starting);
        assert_eq!(map_state("shutting_down"), MachineState::Stopping);
        assert_eq!(map_state("provisioning"), MachineState::Pending);
        assert_eq!(map_state("deleting"), MachineState::Terminated);
        assert_eq!(map_state("rebuilding"), MachineState::Updating);
        assert_eq!(map_state("restoring"), MachineState::Pending);
        assert_eq!(map_state("exploded"), MachineState::Unknown);
    }

    #[test]
    fn addresses_split_into_public_and_private() {
        let (public, private) = split_ipv4(&[
            "138.89.34.81".into(),
            "192.168.1.230".into(),
            "10.0.0.1".into(),
            "nonsense".into(),
        ]);
        assert_eq!(public, ["138.89.34.81"]);
        assert_eq!(private, ["192.168.1.230", "10.0.0.1"]);
    }

    #[test]
    fn countries_are_iso_codes() {
        assert_eq!(country("uk").as_deref(), Some("GB"));
        assert_eq!(country("us").as_deref(), Some("US"));
        assert_eq!(country(""), None);
    }
}
