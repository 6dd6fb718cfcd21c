//! SoftLayer's values (virtual guests, create options, datacenters) and
//! their mapping onto the neutral types.

use std::collections::HashSet;
use std::net::IpAddr;

use serde_json::{json, Map, Value};

use crate::types::{Image, Location, Machine, MachineState, Size};

/// The object mask `list_machines` asks for: the guest's own fields Overcast
/// reads and the relations that name its state, place, image and price.
/// Passwords are left out (nothing here needs them).
pub(crate) const GUEST_MASK: &str = "mask[id,hostname,domain,fullyQualifiedDomainName,\
globalIdentifier,maxCpu,maxMemory,startCpus,createDate,modifyDate,provisionDate,\
hourlyBillingFlag,primaryIpAddress,primaryBackendIpAddress,powerState,\
activeTransaction[transactionStatus],datacenter,\
operatingSystem[softwareLicense[softwareDescription]],billingItem,tagReferences[tag]]";

/// A guest's state from its `powerState.keyName` and the name of its
/// active transaction, if any (SoftLayer reports work in progress as a
/// transaction, not as a power state).
///
/// Libcloud mapped only `RUNNING` (running) and `INITIATING` (pending),
/// leaving `HALTED` and `PAUSED` unknown. Here a halted guest is
/// `Stopped` and a paused one `Paused`, and a transaction says more:
/// reclaiming or deleting is `Terminated`, a reboot `Rebooting`, power
/// off/on `Stopping`/`Starting`, an upgrade `Reconfiguring`, a migration
/// `Migrating`, an OS reload `Updating`; any other transaction on a guest
/// that is not running (provisioning: assigning a host, creating disks) is
/// `Pending`.
pub fn map_state(power: Option<&str>, transaction: Option<&str>) -> MachineState {
    let power = power.map(str::to_ascii_uppercase);
    if let Some(t) = transaction.map(str::to_ascii_uppercase) {
        let has = |w: &str| t.contains(w);
        if has("RECLAIM") || has("DELETE") || has("CANCEL") {
            return MachineState::Terminated;
        } else if has("REBOOT") {
            return MachineState::Rebooting;
        } else if has("POWER_OFF") || has("SHUTDOWN") {
            return MachineState::Stopping;
        } else if has("POWER_ON") || has("BOOT") {
            return MachineState::Starting;
        } else if has("UPGRADE") || has("RESIZE") {
            return MachineState::Reconfiguring;
        } else if has("MIGRAT") {
            return MachineState::Migrating;
        } else if has("RELOAD") {
            return MachineState::Updating;
        } else if power.as_deref() != Some("RUNNING") {
            return MachineState::Pending;
        }
    }
    match power.as_deref() {
        Some("RUNNING") => MachineState::Running,
        Some("HALTED") => MachineState::Stopped,
        Some("PAUSED") => MachineState::Paused,
        Some("INITIATING") => MachineState::Pending,
        _ => MachineState::Unknown,
    }
}

/// The text at `pointer` (`/datacenter/name`): strings trimmed and
/// non-empty, numbers as written.
pub(crate) fn text(v: &Value, pointer: &str) -> Option<String> {
    match v.pointer(pointer)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(v: &Value, pointer: &str) -> Option<f64> {
    match v.pointer(pointer)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn ip(v: &Value, pointer: &str) -> Option<String> {
    text(v, pointer).filter(|a| a.parse::<IpAddr>().is_ok())
}

/// A guest as a neutral machine. `fresh` is a create's answer: the guest
/// is halted until provisioned, which is `Pending`, not `Stopped`.
pub(crate) fn machine(g: &Value, fresh: bool) -> Machine {
    let power = text(g, "/powerState/keyName");
    let transaction = text(g, "/activeTransaction/transactionStatus/name");
    let mut state = map_state(power.as_deref(), transaction.as_deref());
    if fresh && state != MachineState::Running {
        state = MachineState::Pending;
    }
    let tags = g["tagReferences"].as_array().into_iter().flatten();
    let tags = tags.filter_map(|r| text(r, "/tag/name")).collect();
    let mut extra = Map::new();
    for (key, pointer) in [
        ("hostname", "/hostname"),
        ("domain", "/domain"),
        ("fqdn", "/fullyQualifiedDomainName"),
        ("global_identifier", "/globalIdentifier"),
        ("created", "/createDate"),
        ("modified", "/modifyDate"),
        ("provisioned", "/provisionDate"),
        ("power_state", "/powerState/keyName"),
        (
            "active_transaction",
            "/activeTransaction/transactionStatus/name",
        ),
        ("datacenter", "/datacenter/longName"),
        (
            "image",
            "/operatingSystem/softwareLicense/softwareDescription/longDescription",
        ),
    ] {
        extra.insert(key.to_owned(), json!(text(g, pointer)));
    }
    for (key, pointer) in [
        ("cpus", "/maxCpu"),
        ("memory_mb", "/maxMemory"),
        ("price_hourly", "/billingItem/hourlyRecurringFee"),
        ("price_monthly", "/billingItem/recurringFee"),
        ("recurring_months", "/billingItem/recurringMonths"),
    ] {
        extra.insert(key.to_owned(), json!(number(g, pointer)));
    }
    extra.insert("hourly".into(), json!(g["hourlyBillingFlag"].as_bool()));
    Machine {
        id: text(g, "/id").unwrap_or_default(),
        name: text(g, "/hostname").unwrap_or_default(),
        state,
        public_ips: ip(g, "/primaryIpAddress").into_iter().collect(),
        private_ips: ip(g, "/primaryBackendIpAddress").into_iter().collect(),
        size: None,
        image: text(
            g,
            "/operatingSystem/softwareLicense/softwareDescription/referenceCode",
        ),
        location: text(g, "/datacenter/name"),
        tags,
        extra: Value::Object(extra),
    }
}

/// One size of the fixed table (CPUs, MiB, GB).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) cpus: u32,
    pub(crate) ram_mb: u64,
    pub(crate) disk_gb: u64,
}

impl Plan {
    /// `2cpu-4gb-100gb`.
    pub(crate) fn id(&self) -> String {
        format!(
            "{}cpu-{}gb-{}gb",
            self.cpus,
            self.ram_mb / 1024,
            self.disk_gb
        )
    }
}

/// SoftLayer sells virtual guests by the item (cores, memory, first disk),
/// not by plan, so there is no size list to read. As Libcloud did, the
/// driver offers a fixed table of common combinations (ours, on SAN disks);
/// `list_sizes` keeps those the account's create options offer and prices
/// them from those options.
pub(crate) const PLANS: [Plan; 12] = [
    plan(1, 1, 25),
    plan(1, 2, 25),
    plan(1, 2, 100),
    plan(1, 4, 100),
    plan(2, 2, 100),
    plan(2, 4, 100),
    plan(2, 8, 100),
    plan(4, 4, 100),
    plan(4, 8, 100),
    plan(4, 16, 100),
    plan(8, 16, 100),
    plan(8, 32, 100),
];

const fn plan(cpus: u32, ram_gb: u64, disk_gb: u64) -> Plan {
    Plan {
        cpus,
        ram_mb: ram_gb * 1024,
        disk_gb,
    }
}

/// The option in `options[list]` whose template satisfies `matches`.
fn option<'a>(
    options: &'a Value,
    list: &str,
    matches: impl Fn(&Value) -> bool,
) -> Option<&'a Value> {
    options[list]
        .as_array()?
        .iter()
        .find(|o| matches(&o["template"]))
}

fn fee(option: &Value, which: &str) -> f64 {
    number(option, &format!("/itemPrice/{which}")).unwrap_or(0.0)
}

/// The table's plans the create options offer (shared cores, the memory,
/// a SAN first disk of that capacity), priced as the sum of their items.
pub(crate) fn sizes(options: &Value) -> Vec<Size> {
    let round = |x: f64| (x * 10_000.0).round() / 10_000.0;
    PLANS
        .iter()
        .filter_map(|p| {
            let cpu = option(options, "processors", |t| {
                t["startCpus"] == json!(p.cpus) && t["dedicatedAccountHostOnlyFlag"] != json!(true)
            })?;
            let ram = option(options, "memory", |t| t["maxMemory"] == json!(p.ram_mb))?;
            let disk = option(options, "blockDevices", |t| {
                t["localDiskFlag"] != json!(true)
                    && t.pointer("/blockDevices/0/device") == Some(&json!("0"))
                    && t.pointer("/blockDevices/0/diskImage/capacity") == Some(&json!(p.disk_gb))
            })?;
            let items = [cpu, ram, disk];
            let describe = |o: &Value| text(o, "/itemPrice/item/description");
            Some(Size {
                id: p.id(),
                name: format!(
                    "{} CPU, {} GB RAM, {} GB disk",
                    p.cpus,
                    p.ram_mb / 1024,
                    p.disk_gb
                ),
                ram_mb: Some(p.ram_mb),
                disk_gb: Some(p.disk_gb),
                cpus: Some(p.cpus),
                transfer_gb: None,
                price_hourly: Some(round(
                    items.iter().map(|o| fee(o, "hourlyRecurringFee")).sum(),
                )),
                price_monthly: Some(round(items.iter().map(|o| fee(o, "recurringFee")).sum())),
                extra: json!({
                    "items": items.iter().map(|o| describe(o)).collect::<Vec<_>>(),
                    "local_disk": false,
                }),
            })
        })
        .collect()
}

/// An operating system of the create options as an image; its id is the
/// `operatingSystemReferenceCode` a create sends.
pub(crate) fn image(o: &Value) -> Option<Image> {
    let id = text(o, "/template/operatingSystemReferenceCode")?;
    let name = text(o, "/itemPrice/item/description").unwrap_or_else(|| id.clone());
    let family = id.split('_').next().unwrap_or("");
    let os = match family {
        "CENTOS" => Some("CentOS".to_owned()),
        "DEBIAN" => Some("Debian".to_owned()),
        "UBUNTU" => Some("Ubuntu".to_owned()),
        "REDHAT" => Some("Red Hat".to_owned()),
        "WIN" => Some("Windows".to_owned()),
        "CLOUDLINUX" => Some("CloudLinux".to_owned()),
        "VYATTACE" => Some("Vyatta".to_owned()),
        _ => name.split_whitespace().next().map(str::to_owned),
    };
    Some(Image {
        extra: json!({
            "price_hourly": number(o, "/itemPrice/hourlyRecurringFee"),
            "price_monthly": number(o, "/itemPrice/recurringFee"),
        }),
        id,
        name,
        os,
        public: true,
    })
}

/// The datacenter names a create may name (`datacenters` of the options).
pub(crate) fn orderable(options: &Value) -> HashSet<String> {
    let listed = options["datacenters"].as_array().into_iter().flatten();
    listed
        .filter_map(|d| text(d, "/template/datacenter/name"))
        .collect()
}

/// A datacenter as a location; its id is the short name a create sends
/// (`dal05`). Available when the create options list it.
pub(crate) fn location(dc: &Value, orderable: &HashSet<String>) -> Option<Location> {
    let id = text(dc, "/name")?;
    Some(Location {
        name: text(dc, "/longName").unwrap_or_else(|| id.clone()),
        country: country(&id).map(str::to_owned),
        available: orderable.contains(&id),
        extra: json!({ "datacenter_id": text(dc, "/id") }),
        id,
    })
}

/// The country of a datacenter, from the city code SoftLayer names it by
/// (`dal05` is Dallas); `None` for a code not listed.
fn country(name: &str) -> Option<&'static str> {
    let city = name.trim_end_matches(|c: char| c.is_ascii_digit());
    Some(match city {
        "dal" | "hou" | "sjc" | "sea" | "wdc" | "chi" | "atl" | "lax" | "nyc" | "mia" => "US",
        "ams" => "NL",
        "sng" => "SG",
        "tok" => "JP",
        "lon" => "GB",
        "fra" => "DE",
        "par" => "FR",
        "mil" => "IT",
        "osl" => "NO",
        "tor" | "mon" => "CA",
        "syd" | "mel" => "AU",
        "hkg" => "HK",
        "che" => "IN",
        "mex" => "MX",
        "sao" => "BR",
        "seo" => "KR",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_states_and_transactions_map_to_states() {
        use MachineState::*;
        let cases = [
            (Some("RUNNING"), None, Running),
            (Some("HALTED"), None, Stopped),
            (Some("PAUSED"), None, Paused),
            (Some("INITIATING"), None, Pending),
            (Some("HALTED"), Some("ASSIGN_HOST"), Pending),
            (Some("RUNNING"), Some("CLOUD_ATTACH_NETWORK"), Running),
            (Some("RUNNING"), Some("RECLAIM_WAIT"), Terminated),
            (Some("RUNNING"), Some("CLOUD_INSTANCE_REBOOT"), Rebooting),
            (Some("RUNNING"), Some("CLOUD_INSTANCE_POWER_OFF"), Stopping),
            (Some("HALTED"), Some("CLOUD_INSTANCE_POWER_ON"), Starting),
            (None, None, Unknown),
        ];
        for (power, transaction, state) in cases {
            assert_eq!(
                map_state(power, transaction),
                state,
                "{power:?} {transaction:?}"
            );
        }
    }

    #[test]
    fn plan_ids_are_unique_and_countries_come_from_the_city() {
        let ids: HashSet<_> = PLANS.iter().map(Plan::id).collect();
        assert_eq!(ids.len(), PLANS.len());
        assert_eq!(PLANS[0].id(), "1cpu-1gb-25gb");
        assert_eq!(country("ams01"), Some("NL"));
        assert_eq!(country("newcity01"), None);
    }
}
