//! DigitalOcean's JSON (API v2) and its mapping onto the neutral types.

use serde::Deserialize;
use serde_json::json;

use crate::types::{Image, Location, Machine, MachineState, Size};

/// Libcloud's `NODE_STATE_MAP` for droplets: `new` is pending, `active`
/// running, `off` stopped, `archive` terminated; anything else unknown.
pub fn map_state(status: &str) -> MachineState {
    match status {
        "new" => MachineState::Pending,
        "active" => MachineState::Running,
        "off" => MachineState::Stopped,
        "archive" => MachineState::Terminated,
        _ => MachineState::Unknown,
    }
}

/// A droplet as `/v2/droplets` returns it (the fields Overcast reads).
#[derive(Debug, Deserialize)]
pub(crate) struct Droplet {
    id: u64,
    name: String,
    status: String,
    memory: Option<u64>,
    vcpus: Option<u32>,
    disk: Option<u64>,
    locked: Option<bool>,
    created_at: Option<String>,
    #[serde(default)]
    features: Vec<String>,
    image: Option<DoImage>,
    size_slug: Option<String>,
    #[serde(default)]
    networks: Networks,
    region: Option<DoRegion>,
    #[serde(default)]
    pub(crate) tags: Vec<String>,
    vpc_uuid: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Networks {
    #[serde(default)]
    v4: Vec<Network>,
    #[serde(default)]
    v6: Vec<Network>,
}

#[derive(Debug, Deserialize)]
struct Network {
    ip_address: String,
    #[serde(rename = "type")]
    kind: String,
}

/// An image as `/v2/images` returns it.
#[derive(Debug, Deserialize)]
pub(crate) struct DoImage {
    id: u64,
    name: Option<String>,
    distribution: Option<String>,
    slug: Option<String>,
    public: Option<bool>,
    #[serde(default)]
    regions: Vec<String>,
    created_at: Option<String>,
    min_disk_size: Option<u64>,
    #[serde(rename = "type")]
    kind: Option<String>,
    size_gigabytes: Option<f64>,
    status: Option<String>,
}

/// A size as `/v2/sizes` returns it.
#[derive(Debug, Deserialize)]
pub(crate) struct DoSize {
    slug: String,
    memory: Option<u64>,
    vcpus: Option<u32>,
    disk: Option<u64>,
    /// Terabytes a month.
    transfer: Option<f64>,
    price_monthly: Option<f64>,
    price_hourly: Option<f64>,
    #[serde(default)]
    regions: Vec<String>,
    available: Option<bool>,
    description: Option<String>,
}

/// A region as `/v2/regions` returns it (and as droplets embed it).
#[derive(Debug, Deserialize)]
pub(crate) struct DoRegion {
    slug: String,
    name: Option<String>,
    #[serde(default)]
    sizes: Vec<String>,
    available: Option<bool>,
    #[serde(default)]
    features: Vec<String>,
}

/// An SSH key of the account (`/v2/account/keys`).
#[derive(Debug, Deserialize)]
pub(crate) struct DoKey {
    pub(crate) id: u64,
    #[serde(default)]
    pub(crate) public_key: String,
}

/// The droplet as a neutral machine.
pub(crate) fn machine(d: Droplet) -> Machine {
    let ips = |v4: bool, kind: &str| {
        let list = if v4 { &d.networks.v4 } else { &d.networks.v6 };
        list.iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.ip_address.clone())
            .collect::<Vec<_>>()
    };
    let public_ips = [ips(true, "public"), ips(false, "public")].concat();
    let private_ips = [ips(true, "private"), ips(false, "private")].concat();
    let extra = json!({
        "status": d.status,
        "created_at": d.created_at,
        "memory": d.memory,
        "vcpus": d.vcpus,
        "disk": d.disk,
        "locked": d.locked,
        "features": d.features,
        "image_name": d.image.as_ref().and_then(|i| i.name.clone()),
        "image_slug": d.image.as_ref().and_then(|i| i.slug.clone()),
        "region_name": d.region.as_ref().and_then(|r| r.name.clone()),
        "vpc_uuid": d.vpc_uuid,
    });
    Machine {
        id: d.id.to_string(),
        name: d.name,
        state: map_state(&d.status),
        public_ips,
        private_ips,
        size: d.size_slug,
        image: d.image.map(|i| i.id.to_string()),
        location: d.region.map(|r| r.slug),
        tags: d.tags,
        extra,
    }
}

/// The size as a neutral size (the slug is its id and name).
pub(crate) fn size(s: DoSize) -> Size {
    Size {
        name: s.slug.clone(),
        ram_mb: s.memory,
        disk_gb: s.disk,
        cpus: s.vcpus,
        transfer_gb: s.transfer.map(|tb| tb * 1000.0),
        price_hourly: s.price_hourly,
        price_monthly: s.price_monthly,
        extra: json!({
            "regions": s.regions,
            "available": s.available,
            "description": s.description,
        }),
        id: s.slug,
    }
}

/// The image as a neutral image: its numeric id (which `create_machine`
/// also takes), named `"<distribution> <name>"` as DigitalOcean's panel does.
pub(crate) fn image(i: DoImage) -> Image {
    let name = i.name.clone().unwrap_or_default();
    let name = match &i.distribution {
        Some(os) if !name.is_empty() && !name.starts_with(os.as_str()) => format!("{os} {name}"),
        _ => name,
    };
    Image {
        id: i.id.to_string(),
        name,
        os: i.distribution,
        public: i.public.unwrap_or(false),
        extra: json!({
            "slug": i.slug.filter(|s| !s.is_empty()),
            "type": i.kind,
            "regions": i.regions,
            "min_disk_size": i.min_disk_size,
            "size_gigabytes": i.size_gigabytes,
            "created_at": i.created_at,
            "status": i.status,
        }),
    }
}

/// The region as a neutral location.
pub(crate) fn location(r: DoRegion) -> Location {
    Location {
        name: r.name.unwrap_or_else(|| r.slug.clone()),
        country: country(&r.slug).map(str::to_owned),
        available: r.available.unwrap_or(false),
        extra: json!({ "sizes": r.sizes, "features": r.features }),
        id: r.slug,
    }
}

/// The country of a region, from its slug's city code.
fn country(slug: &str) -> Option<&'static str> {
    let city = slug.trim_end_matches(|c: char| c.is_ascii_digit());
    Some(match city {
        "nyc" | "sfo" | "atl" | "ric" => "US",
        "ams" => "NL",
        "sgp" => "SG",
        "lon" => "GB",
        "fra" => "DE",
        "tor" => "CA",
        "blr" => "IN",
        "syd" => "AU",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn droplet_statuses_map_like_libcloud() {
        assert_eq!(map_state("new"), MachineState::Pending);
        assert_eq!(map_state("active"), MachineState::Running);
        assert_eq!(map_state("off"), MachineState::Stopped);
        assert_eq!(map_state("archive"), MachineState::Terminated);
        assert_eq!(map_state("exploded"), MachineState::Unknown);
    }

    #[test]
    fn regions_know_their_country() {
        assert_eq!(country("ams3"), Some("NL"));
        assert_eq!(country("nyc1"), Some("US"));
        assert_eq!(country("mars1"), None);
    }
}
