//! Nova's JSON (compute API v2/v2.1) and its mapping onto the neutral types.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

use crate::types::{Machine, MachineState};

/// Libcloud's OpenStack `NODE_STATE_MAP`, plus the Nova statuses it leaves
/// out (to `Unknown` there): `PAUSED` paused, `STOPPED` (old Nova) and
/// `SHELVED`/`SHELVED_OFFLOADED` stopped, `MIGRATING` migrating,
/// `REVERT_RESIZE` reconfiguring like `RESIZE`, `SOFT_DELETED` terminated.
/// As in Libcloud, `VERIFY_RESIZE` is running (the server runs on its new
/// flavour awaiting confirmation) and `RESCUE`, `PASSWORD` are pending.
pub fn map_state(status: &str) -> MachineState {
    use MachineState::*;
    match status.to_ascii_uppercase().as_str() {
        "ACTIVE" | "VERIFY_RESIZE" => Running,
        "BUILD" | "REBUILD" | "QUEUE_RESIZE" | "PREP_RESIZE" | "PASSWORD" | "RESCUE"
        | "SHARE_IP" | "SHARE_IP_NO_CONFIG" | "DELETE_IP" => Pending,
        "REBOOT" | "HARD_REBOOT" => Rebooting,
        "RESIZE" | "REVERT_RESIZE" => Reconfiguring,
        "SHUTOFF" | "STOPPED" | "SHELVED" | "SHELVED_OFFLOADED" => Stopped,
        "SUSPENDED" => Suspended,
        "PAUSED" => Paused,
        "MIGRATING" => Migrating,
        "DELETED" | "SOFT_DELETED" => Terminated,
        "ERROR" => Error,
        _ => Unknown,
    }
}

/// An id Nova writes as a string (UUIDs) or, in old clouds, a number.
pub(crate) fn text_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!("not an id: {other}"))),
    }
}

/// The `id` of `{"id": ...}` (image and flavour references); `""` when a
/// server boots from a volume.
pub(crate) fn ref_id(v: &Value) -> Option<String> {
    match v.get("id")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A server as `servers/detail` returns it.
#[derive(Debug, Deserialize)]
pub(crate) struct Server {
    #[serde(deserialize_with = "text_id")]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    addresses: BTreeMap<String, Vec<Address>>,
    #[serde(default)]
    image: Value,
    #[serde(default)]
    flavor: Value,
    #[serde(default)]
    pub(crate) metadata: BTreeMap<String, Value>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

#[derive(Debug, Deserialize)]
struct Address {
    addr: String,
    #[serde(rename = "OS-EXT-IPS:type")]
    kind: Option<String>,
}

/// Whether an address is reachable from outside: a floating IP always; a
/// fixed one (or one the cloud does not type) when it is globally routable.
pub(crate) fn is_public(ip: &IpAddr, kind: Option<&str>) -> bool {
    if kind == Some("floating") {
        return true;
    }
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            let shared = o[0] == 100 && (64..128).contains(&o[1]);
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || shared)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            let local = (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0;
            !(local || v6.is_loopback() || v6.is_unspecified())
        }
    }
}

/// Metadata as tags: `key` for an empty value, else `key=value`.
pub(crate) fn tags(metadata: &BTreeMap<String, Value>) -> Vec<String> {
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    metadata
        .iter()
        .map(|(k, v)| match text(v) {
            v if v.is_empty() => k.clone(),
            v => format!("{k}={v}"),
        })
        .collect()
}

/// The server as a neutral machine; `region` is the endpoint's, used as
/// its location when Nova names no availability zone.
pub(crate) fn machine(s: Server, region: Option<&str>) -> Machine {
    let (mut public, mut private) = (Vec::new(), Vec::new());
    for address in s.addresses.values().flatten() {
        let Ok(ip) = address.addr.parse::<IpAddr>() else {
            continue;
        };
        let list = if is_public(&ip, address.kind.as_deref()) {
            &mut public
        } else {
            &mut private
        };
        if !list.contains(&address.addr) {
            list.push(address.addr.clone());
        }
    }
    public.sort_by_key(|a| a.contains(':'));
    private.sort_by_key(|a| a.contains(':'));
    let field = |k: &str| s.rest.get(k).cloned().unwrap_or(Value::Null);
    let zone = field("OS-EXT-AZ:availability_zone");
    let location = zone
        .as_str()
        .filter(|z| !z.is_empty())
        .or(region)
        .map(str::to_owned);
    let tag_list = tags(&s.metadata);
    let extra = json!({
        "status": s.status,
        "task_state": field("OS-EXT-STS:task_state"),
        "vm_state": field("OS-EXT-STS:vm_state"),
        "progress": field("progress"),
        "created": field("created"),
        "updated": field("updated"),
        "key_name": field("key_name"),
        "host_id": field("hostId"),
        "tenant_id": field("tenant_id"),
        "access_ipv4": field("accessIPv4"),
        "access_ipv6": field("accessIPv6"),
        "availability_zone": zone,
        "fault": s.rest.get("fault").and_then(|f| f.get("message")).cloned(),
        "metadata": s.metadata,
    });
    Machine {
        state: map_state(&s.status),
        tags: tag_list,
        id: s.id,
        name: s.name,
        public_ips: public,
        private_ips: private,
        size: ref_id(&s.flavor),
        image: ref_id(&s.image),
        location,
        extra,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nova_statuses_map_like_libcloud_and_beyond() {
        assert_eq!(map_state("ACTIVE"), MachineState::Running);
        assert_eq!(map_state("BUILD"), MachineState::Pending);
        assert_eq!(map_state("HARD_REBOOT"), MachineState::Rebooting);
        assert_eq!(map_state("SHUTOFF"), MachineState::Stopped);
        assert_eq!(map_state("RESIZE"), MachineState::Reconfiguring);
        assert_eq!(map_state("VERIFY_RESIZE"), MachineState::Running);
        assert_eq!(map_state("PAUSED"), MachineState::Paused);
        assert_eq!(map_state("DELETED"), MachineState::Terminated);
        assert_eq!(map_state("exploded"), MachineState::Unknown);
    }

    #[test]
    fn addresses_are_public_when_floating_or_routable() {
        let p = |s: &str, k| is_public(&s.parse().unwrap(), k);
        assert!(p("50.57.94.35", None) && p("192.168.3.3", Some("floating")));
        assert!(!p("10.3.3.3", Some("fixed")) && !p("100.64.0.1", None));
        assert!(p("2001:4801:7808:52:16:3eff:fe47:788a", None));
        assert!(!p("fec0:4801:7808:52:16:3eff:fe60:187d", None) && !p("fd00::1", None));
    }

    #[test]
    fn metadata_reads_as_tags() {
        let m: BTreeMap<String, Value> =
            serde_json::from_value(json!({"web": "", "env": "prod"})).unwrap();
        assert_eq!(tags(&m), ["env=prod", "web"]);
    }
}
