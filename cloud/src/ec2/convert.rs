//! EC2's XML (API version 2016-11-15) mapped onto the neutral types.

use roxmltree::Node;
use serde_json::{json, Map, Value};

use super::regions::country_of;
use super::xml::{at, flag, items, number, string, text};
use crate::types::{Image, Location, Machine, MachineState, Size};

/// The tag EC2 consoles show as the instance's name.
pub(crate) const NAME_TAG: &str = "Name";

/// Instance states (`instanceState/name`) as neutral states.
///
/// Libcloud's `EC2NodeDriver.NODE_STATE_MAP` (trunk 6e39117) maps pending,
/// running, terminated and stopped alike, `shutting-down` to UNKNOWN, and
/// has no entry for `stopping` (so UNKNOWN too). Overcast departs from it
/// in two places: `stopping` is `Stopping` (a state of Libcloud's own list
/// since), and `shutting-down` (a terminate under way, never reversed) is
/// `Terminated`, which `MachineState` documents as "destroyed or being
/// destroyed", so no action is offered on a machine on its way out.
pub fn map_state(state: &str) -> MachineState {
    match state {
        "pending" => MachineState::Pending,
        "running" => MachineState::Running,
        "stopping" => MachineState::Stopping,
        "stopped" => MachineState::Stopped,
        "shutting-down" | "terminated" => MachineState::Terminated,
        _ => MachineState::Unknown,
    }
}

/// An instance's tags, in EC2's order.
pub(crate) fn tags(instance: Node<'_, '_>) -> Vec<(String, String)> {
    items(instance, "tagSet")
        .filter_map(|t| Some((string(t, "key")?, string(t, "value").unwrap_or_default())))
        .collect()
}

/// A tag as Overcast lists it: `key` when its value is empty, else
/// `key=value`.
pub(crate) fn tag_label(key: &str, value: &str) -> String {
    if value.is_empty() {
        key.to_owned()
    } else {
        format!("{key}={value}")
    }
}

/// The reverse of [`tag_label`]: split at the first `=`.
pub(crate) fn tag_pair(label: &str) -> (&str, &str) {
    label.split_once('=').unwrap_or((label, ""))
}

/// An `instancesSet` item as a neutral machine. Its name is the `Name`
/// tag (else the id); the other tags are its tags.
pub(crate) fn machine(i: Node<'_, '_>, reservation: Option<Node<'_, '_>>) -> Machine {
    let id = string(i, "instanceId").unwrap_or_default();
    let all_tags = tags(i);
    let name = all_tags
        .iter()
        .find(|(k, _)| k == NAME_TAG)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| id.clone());
    let mut public_ips = Vec::new();
    let mut private_ips = Vec::new();
    let add = |list: &mut Vec<String>, ip: Option<&str>| {
        if let Some(ip) = ip {
            if !list.iter().any(|known| known == ip) {
                list.push(ip.to_owned());
            }
        }
    };
    add(&mut public_ips, text(i, "ipAddress"));
    add(&mut private_ips, text(i, "privateIpAddress"));
    for nic in items(i, "networkInterfaceSet") {
        add(&mut public_ips, text(nic, "association/publicIp"));
        add(&mut private_ips, text(nic, "privateIpAddress"));
        for addr in items(nic, "privateIpAddressesSet") {
            add(&mut public_ips, text(addr, "association/publicIp"));
            add(&mut private_ips, text(addr, "privateIpAddress"));
        }
        for v6 in items(nic, "ipv6AddressesSet") {
            add(&mut public_ips, text(v6, "ipv6Address"));
        }
    }
    let state = text(i, "instanceState/name").unwrap_or("");
    let groups: Vec<_> = items(i, "groupSet")
        .filter_map(|g| string(g, "groupName").or_else(|| string(g, "groupId")))
        .collect();
    let tag_object: Map<String, Value> = all_tags
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    let extra = json!({
        "status": state,
        "instance_type": text(i, "instanceType"),
        "availability_zone": text(i, "placement/availabilityZone"),
        "key_name": text(i, "keyName"),
        "launch_time": text(i, "launchTime"),
        "private_dns": text(i, "privateDnsName"),
        "public_dns": text(i, "dnsName"),
        "vpc_id": text(i, "vpcId"),
        "subnet_id": text(i, "subnetId"),
        "architecture": text(i, "architecture"),
        "platform": text(i, "platform"),
        "root_device_type": text(i, "rootDeviceType"),
        "lifecycle": text(i, "instanceLifecycle"),
        "state_reason": text(i, "stateReason/message"),
        "security_groups": groups,
        "reservation_id": reservation.and_then(|r| text(r, "reservationId")),
        "owner_id": reservation.and_then(|r| text(r, "ownerId")),
        "tags": tag_object,
    });
    Machine {
        name,
        state: map_state(state),
        public_ips,
        private_ips,
        size: string(i, "instanceType"),
        image: string(i, "imageId"),
        location: string(i, "placement/availabilityZone"),
        tags: all_tags
            .iter()
            .filter(|(k, _)| k != NAME_TAG)
            .map(|(k, v)| tag_label(k, v))
            .collect(),
        extra,
        id,
    }
}

/// An instance type as a neutral size: AWS's `instanceTypeSet` item, or a
/// Eucalyptus `instanceTypeDetails` item (`name`, `cpu`, `memory`, `disk`).
pub(crate) fn size(t: Node<'_, '_>) -> Option<Size> {
    if let Some(id) = string(t, "instanceType") {
        let architectures: Vec<_> = items(t, "processorInfo/supportedArchitectures")
            .filter_map(|a| a.text().map(str::to_owned))
            .collect();
        return Some(Size {
            name: id.clone(),
            ram_mb: number(t, "memoryInfo/sizeInMiB"),
            disk_gb: number(t, "instanceStorageInfo/totalSizeInGB"),
            cpus: number(t, "vCpuInfo/defaultVCpus"),
            transfer_gb: None,
            price_hourly: None,
            price_monthly: None,
            extra: json!({
                "architectures": architectures,
                "current_generation": flag(t, "currentGeneration"),
                "free_tier_eligible": flag(t, "freeTierEligible"),
                "bare_metal": flag(t, "bareMetal"),
                "hypervisor": text(t, "hypervisor"),
                "network_performance": text(t, "networkInfo/networkPerformance"),
                "ebs_only": at(t, "instanceStorageInfo").is_none(),
            }),
            id,
        });
    }
    let id = string(t, "name")?;
    Some(Size {
        name: id.clone(),
        ram_mb: number(t, "memory"),
        disk_gb: number(t, "disk"),
        cpus: number(t, "cpu"),
        transfer_gb: None,
        price_hourly: None,
        price_monthly: None,
        extra: json!({}),
        id,
    })
}

/// An `imagesSet` item as a neutral image (named by its name, else its
/// location, else its id).
pub(crate) fn image(i: Node<'_, '_>) -> Option<Image> {
    let id = string(i, "imageId")?;
    let name = string(i, "name")
        .or_else(|| string(i, "imageLocation"))
        .unwrap_or_else(|| id.clone());
    Some(Image {
        name,
        os: string(i, "platformDetails").or_else(|| string(i, "platform")),
        public: flag(i, "isPublic").unwrap_or(false),
        extra: json!({
            "description": text(i, "description"),
            "owner_id": text(i, "imageOwnerId"),
            "owner_alias": text(i, "imageOwnerAlias"),
            "state": text(i, "imageState"),
            "architecture": text(i, "architecture"),
            "image_type": text(i, "imageType"),
            "root_device_type": text(i, "rootDeviceType"),
            "virtualization_type": text(i, "virtualizationType"),
            "hypervisor": text(i, "hypervisor"),
            "creation_date": text(i, "creationDate"),
            "location": text(i, "imageLocation"),
        }),
        id,
    })
}

/// An `availabilityZoneInfo` item as a neutral location: machines are
/// created in a zone (`Placement.AvailabilityZone`).
pub(crate) fn location(z: Node<'_, '_>) -> Option<Location> {
    let id = string(z, "zoneName")?;
    let region = text(z, "regionName");
    Some(Location {
        name: id.clone(),
        country: region.and_then(country_of).map(str::to_owned),
        available: text(z, "zoneState") == Some("available"),
        extra: json!({
            "region": region,
            "zone_id": text(z, "zoneId"),
            "zone_type": text(z, "zoneType"),
        }),
        id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_states_map_as_documented() {
        assert_eq!(map_state("pending"), MachineState::Pending);
        assert_eq!(map_state("running"), MachineState::Running);
        assert_eq!(map_state("stopping"), MachineState::Stopping);
        assert_eq!(map_state("stopped"), MachineState::Stopped);
        assert_eq!(map_state("shutting-down"), MachineState::Terminated);
        assert_eq!(map_state("terminated"), MachineState::Terminated);
        assert_eq!(map_state("hibernating"), MachineState::Unknown);
    }

    #[test]
    fn tags_read_as_key_or_key_equals_value() {
        assert_eq!(tag_label("env", "prod"), "env=prod");
        assert_eq!(tag_label("overcast", ""), "overcast");
        assert_eq!(tag_pair("a=b=c"), ("a", "b=c"));
        assert_eq!(tag_pair("solo"), ("solo", ""));
    }
}
