//! NephoScale's JSON and its mapping onto the neutral types.

use std::net::IpAddr;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::types::{Image, Location, Machine, MachineState, Size};

/// NephoScale reports power, not lifecycle: `power_status` is `on` or
/// `off` (or `unknown`). `on` is `Running`; `off` is `Stopped` where
/// Libcloud said unknown (a server that is off keeps its disk, and
/// `start` powers it on again); anything else is `Unknown`.
pub fn map_state(power_status: &str) -> MachineState {
    match power_status.trim().to_ascii_lowercase().as_str() {
        "on" => MachineState::Running,
        "off" => MachineState::Stopped,
        _ => MachineState::Unknown,
    }
}

/// `{"id": n, "name": ...}` and the like: what a server says of its zone,
/// image and service type.
#[derive(Debug, Deserialize)]
struct Ref {
    id: Option<u64>,
    name: Option<String>,
    friendly_name: Option<String>,
}

/// A server as `/server/cloud/` lists it (the fields Overcast reads).
#[derive(Debug, Deserialize)]
pub(crate) struct Server {
    pub(crate) id: u64,
    pub(crate) name: String,
    hostname: Option<String>,
    power_status: Option<String>,
    /// Comma separated: `"198.120.14.6, 10.132.60.1"`.
    ipaddresses: Option<String>,
    zone: Option<Ref>,
    image: Option<Ref>,
    service_type: Option<Ref>,
    /// MiB.
    memory: Option<u64>,
    create_time: Option<String>,
    podzone: Option<String>,
    postinit_state: Option<i64>,
    is_console_enabled: Option<bool>,
}

/// A service type (size) as `/server/type/cloud/` lists it.
#[derive(Debug, Deserialize)]
pub(crate) struct ServiceType {
    id: u64,
    friendly_name: Option<String>,
    /// MiB.
    ram: Option<u64>,
    /// GB.
    storage: Option<u64>,
    vcpus: Option<u32>,
    sku: Option<Value>,
    billable_type: Option<i64>,
}

/// An image as `/image/server/` lists it.
#[derive(Debug, Deserialize)]
pub(crate) struct ServerImage {
    id: u64,
    friendly_name: Option<String>,
    base_type: Option<String>,
    architecture: Option<String>,
    #[serde(default = "yes")]
    pub(crate) is_active: bool,
    pub(crate) deployable_type: Option<String>,
    is_default: Option<bool>,
    max_cpu: Option<u64>,
    max_memory: Option<u64>,
    create_time: Option<String>,
}

fn yes() -> bool {
    true
}

/// A zone as `/datacenter/zone/` lists it.
#[derive(Debug, Deserialize)]
pub(crate) struct Zone {
    id: u64,
    name: Option<String>,
    datacenter: Option<Datacenter>,
}

#[derive(Debug, Deserialize)]
struct Datacenter {
    id: Option<u64>,
    name: Option<String>,
    airport_code: Option<String>,
}

/// The server as a neutral machine: its addresses split into public and
/// private, its zone, image and service type by id.
pub(crate) fn machine(s: Server) -> Machine {
    let (public_ips, private_ips) = split_ips(s.ipaddresses.as_deref().unwrap_or(""));
    let id_of = |r: &Option<Ref>| r.as_ref().and_then(|r| r.id).map(|id| id.to_string());
    let label = |r: &Option<Ref>| {
        r.as_ref()
            .and_then(|r| r.friendly_name.clone().or_else(|| r.name.clone()))
    };
    Machine {
        id: s.id.to_string(),
        state: map_state(s.power_status.as_deref().unwrap_or("")),
        public_ips,
        private_ips,
        size: id_of(&s.service_type),
        image: id_of(&s.image),
        location: id_of(&s.zone),
        tags: Vec::new(),
        extra: json!({
            "hostname": s.hostname,
            "power_status": s.power_status,
            "zone": label(&s.zone),
            "image": label(&s.image),
            "service_type": label(&s.service_type),
            "memory": s.memory,
            "create_time": s.create_time,
            "podzone": s.podzone,
            "postinit_state": s.postinit_state,
            "is_console_enabled": s.is_console_enabled,
        }),
        name: s.name,
    }
}

/// Public and private addresses from NephoScale's comma-separated list;
/// what does not parse is left out.
fn split_ips(list: &str) -> (Vec<String>, Vec<String>) {
    let mut public = Vec::new();
    let mut private = Vec::new();
    for a in list.split(',').map(str::trim).filter(|a| !a.is_empty()) {
        match a.parse::<IpAddr>() {
            Ok(IpAddr::V4(ip)) if ip.is_private() || ip.is_loopback() || ip.is_link_local() => {
                private.push(a.to_owned())
            }
            Ok(_) => public.push(a.to_owned()),
            Err(_) => {}
        }
    }
    (public, private)
}

/// The service type as a neutral size (NephoScale gives no prices in its
/// API; Libcloud kept them in a table of its own).
pub(crate) fn size(t: ServiceType) -> Size {
    Size {
        name: t
            .friendly_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| t.id.to_string()),
        ram_mb: t.ram,
        disk_gb: t.storage,
        cpus: t.vcpus,
        transfer_gb: None,
        price_hourly: None,
        price_monthly: None,
        extra: json!({ "sku": t.sku, "billable_type": t.billable_type }),
        id: t.id.to_string(),
    }
}

/// Whether the image can be deployed on a cloud server (`deployable_type`
/// `cloud` or `both`; dedicated-only images are left out) and is active.
pub(crate) fn deployable(i: &ServerImage) -> bool {
    i.is_active
        && i.deployable_type
            .as_deref()
            .is_none_or(|t| matches!(t, "cloud" | "both"))
}

/// The image as a neutral image; its OS is NephoScale's `base_type`
/// (`linux`, `windows`).
pub(crate) fn image(i: ServerImage) -> Image {
    Image {
        name: i
            .friendly_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| i.id.to_string()),
        os: i.base_type,
        // The catalogue is NephoScale's own; accounts had no private images.
        public: true,
        extra: json!({
            "architecture": i.architecture,
            "deployable_type": i.deployable_type,
            "is_default": i.is_default,
            "max_cpu": i.max_cpu,
            "max_memory": i.max_memory,
            "create_time": i.create_time,
        }),
        id: i.id.to_string(),
    }
}

/// The zone as a neutral location. NephoScale's datacenters were all in
/// the United States (San Jose `SJC`, Richmond `RIC`); the country is given
/// for the airport codes known to be there and left out otherwise.
pub(crate) fn location(z: Zone) -> Location {
    let dc = z.datacenter.as_ref();
    let airport = dc.and_then(|d| d.airport_code.clone());
    let country = airport
        .as_deref()
        .filter(|code| matches!(code.to_ascii_uppercase().as_str(), "SJC" | "RIC"))
        .map(|_| "US".to_owned());
    Location {
        name: z
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| z.id.to_string()),
        country,
        available: true,
        extra: json!({
            "datacenter": dc.and_then(|d| d.name.clone()),
            "datacenter_id": dc.and_then(|d| d.id),
            "airport_code": airport,
        }),
        id: z.id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_statuses_map_to_states() {
        assert_eq!(map_state("on"), MachineState::Running);
        assert_eq!(map_state("off"), MachineState::Stopped);
        assert_eq!(map_state("unknown"), MachineState::Unknown);
        assert_eq!(map_state(""), MachineState::Unknown);
    }

    #[test]
    fn addresses_split_into_public_and_private() {
        let (public, private) = split_ips("198.120.14.6, 10.132.60.1,nonsense, 2001:db8::1");
        assert_eq!(public, ["198.120.14.6", "2001:db8::1"]);
        assert_eq!(private, ["10.132.60.1"]);
        assert_eq!(split_ips(""), (vec![], vec![]));
    }
}
