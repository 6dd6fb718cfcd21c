//! What Nova offers to create with: flavours (sizes), images, and the
//! places (availability zones, else the region).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use super::convert::text_id;
use crate::types::{Image, Location, Size};

/// A flavour as `flavors/detail` returns it.
#[derive(Debug, Deserialize)]
pub(crate) struct Flavor {
    #[serde(deserialize_with = "text_id")]
    id: String,
    #[serde(default)]
    name: String,
    ram: Option<u64>,
    disk: Option<u64>,
    vcpus: Option<u32>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

/// An image as `images/detail` (Nova's image proxy) returns it.
#[derive(Debug, Deserialize)]
pub(crate) struct NovaImage {
    #[serde(deserialize_with = "text_id")]
    id: String,
    #[serde(default)]
    name: String,
    status: Option<String>,
    #[serde(default)]
    metadata: BTreeMap<String, Value>,
    server: Option<Value>,
    #[serde(rename = "minDisk")]
    min_disk: Option<u64>,
    #[serde(rename = "minRam")]
    min_ram: Option<u64>,
    created: Option<String>,
}

/// An availability zone of `os-availability-zone`.
#[derive(Debug, Deserialize)]
pub(crate) struct Zone {
    #[serde(rename = "zoneName")]
    name: String,
    #[serde(rename = "zoneState")]
    state: Option<Value>,
}

/// The flavour as a neutral size (Nova knows no prices or transfer).
pub(crate) fn size(f: Flavor) -> Size {
    let field = |k: &str| f.rest.get(k).cloned().unwrap_or(Value::Null);
    Size {
        name: if f.name.is_empty() {
            f.id.clone()
        } else {
            f.name
        },
        ram_mb: f.ram,
        disk_gb: f.disk,
        cpus: f.vcpus,
        transfer_gb: None,
        price_hourly: None,
        price_monthly: None,
        extra: json!({
            "swap": field("swap"),
            "ephemeral": field("OS-FLV-EXT-DATA:ephemeral"),
            "rxtx_factor": field("rxtx_factor"),
            "public": field("os-flavor-access:is_public"),
            "extra_specs": field("OS-FLV-WITH-EXT-SPECS:extra_specs"),
        }),
        id: f.id,
    }
}

/// The image as a neutral image, or `None` while it is not usable
/// (`SAVING`, `ERROR`, ...). Snapshots (taken from a server) are private.
pub(crate) fn image(i: NovaImage) -> Option<Image> {
    if i.status
        .as_deref()
        .is_some_and(|s| !s.eq_ignore_ascii_case("ACTIVE"))
    {
        return None;
    }
    let meta = |k: &str| {
        i.metadata
            .get(k)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let os = ["org.openstack__1__os_distro", "os_distro", "os_type"]
        .into_iter()
        .find_map(meta)
        .map(str::to_owned);
    let snapshot = meta("image_type") == Some("snapshot") || i.server.is_some();
    Some(Image {
        name: if i.name.is_empty() {
            i.id.clone()
        } else {
            i.name
        },
        os,
        public: !snapshot,
        extra: json!({
            "min_disk": i.min_disk,
            "min_ram": i.min_ram,
            "created": i.created,
            "metadata": i.metadata,
        }),
        id: i.id,
    })
}

/// The country of a Rackspace or HP Cloud region, when known.
pub(crate) fn country(region: &str) -> Option<&'static str> {
    Some(match region.to_ascii_uppercase().as_str() {
        "DFW" | "ORD" | "IAD" => "US",
        "LON" => "GB",
        "SYD" => "AU",
        "HKG" => "HK",
        r if r.ends_with("REGION-A.GEO-1") || r.ends_with("REGION-B.GEO-1") => "US",
        _ => return None,
    })
}

/// The zones as locations; with none, the region is the one location
/// (`"default"` when the catalogue names no region).
pub(crate) fn locations(zones: Vec<Zone>, region: Option<&str>) -> Vec<Location> {
    let country = region.and_then(country).map(str::to_owned);
    if zones.is_empty() {
        let id = region.unwrap_or("default").to_owned();
        return vec![Location {
            name: id.clone(),
            country: country.or_else(|| self::country(&id).map(str::to_owned)),
            available: true,
            extra: json!({ "region": region }),
            id,
        }];
    }
    let available = |z: &Zone| {
        let state = z.state.as_ref().and_then(|s| s.get("available"));
        state.and_then(Value::as_bool).unwrap_or(true)
    };
    let zones = zones.into_iter().map(|z| Location {
        available: available(&z),
        id: z.name.clone(),
        name: z.name,
        country: country.clone(),
        extra: json!({ "region": region }),
    });
    zones.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_know_their_country_and_stand_in_for_zones() {
        assert_eq!(country("lon"), Some("GB"));
        assert_eq!(country("az-1.region-a.geo-1"), Some("US"));
        let [one] = locations(Vec::new(), Some("SYD")).try_into().unwrap();
        assert_eq!(
            (one.id.as_str(), one.country.as_deref()),
            ("SYD", Some("AU"))
        );
        assert_eq!(locations(Vec::new(), None)[0].id, "default");
    }
}
