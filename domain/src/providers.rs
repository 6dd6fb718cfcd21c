//! The provider catalogue: every kind of backend an operator can add, with
//! the ids and titles of the mist.io catalogue (plus today's EC2 regions and
//! libvirt).

use serde::{Deserialize, Serialize};

/// One entry of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    /// What `POST /backends` takes as `provider`.
    pub provider: &'static str,
    /// What people read.
    pub title: &'static str,
}

const fn p(provider: &'static str, title: &'static str) -> Provider {
    Provider { provider, title }
}

/// Every provider, in the order the add-backend form lists them.
pub const CATALOGUE: &[Provider] = &[
    p("bare_metal", "Bare Metal Server"),
    p("ec2_ap_northeast", "EC2 AP NORTHEAST"),
    p("ec2_ap_northeast_2", "EC2 AP Seoul"),
    p("ec2_ap_northeast_3", "EC2 AP Osaka"),
    p("ec2_ap_south", "EC2 AP Mumbai"),
    p("ec2_ap_southeast", "EC2 AP SOUTHEAST"),
    p("ec2_ap_southeast_2", "EC2 AP Sydney"),
    p("ec2_ca_central", "EC2 CA Central"),
    p("ec2_eu_central", "EC2 EU Frankfurt"),
    p("ec2_eu_north", "EC2 EU Stockholm"),
    p("ec2_eu_west", "EC2 EU Ireland"),
    p("ec2_eu_west_2", "EC2 EU London"),
    p("ec2_eu_west_3", "EC2 EU Paris"),
    p("ec2_sa_east", "EC2 SA EAST"),
    p("ec2_us_east", "EC2 US EAST"),
    p("ec2_us_east_2", "EC2 US EAST Ohio"),
    p("ec2_us_west", "EC2 US WEST"),
    p("ec2_us_west_oregon", "EC2 US WEST OREGON"),
    p("nephoscale", "NephoScale"),
    p("digitalocean", "DigitalOcean"),
    p("linode", "Linode"),
    p("openstack", "OpenStack"),
    p("rackspace:dfw", "Rackspace DFW"),
    p("rackspace:ord", "Rackspace ORD"),
    p("rackspace:iad", "Rackspace IAD"),
    p("rackspace:lon", "Rackspace LON"),
    p("rackspace:syd", "Rackspace AU"),
    p("rackspace_first_gen:us", "Rackspace US (OLD)"),
    p("rackspace_first_gen:uk", "Rackspace UK (OLD)"),
    p("softlayer", "SoftLayer"),
    p("openstack:az-1.region-a.geo-1", "HP Cloud US West AZ 1"),
    p("openstack:az-2.region-a.geo-1", "HP Cloud US West AZ 2"),
    p("openstack:az-3.region-a.geo-1", "HP Cloud US West AZ 3"),
    p("openstack:region-b.geo-1", "HP Cloud US East"),
    p("libvirt", "KVM (libvirt)"),
];

/// The catalogue entry for `id`.
pub fn find(id: &str) -> Option<&'static Provider> {
    CATALOGUE.iter().find(|p| p.provider == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_the_mist_io_catalogue_is_there() {
        let mut ids: Vec<_> = CATALOGUE.iter().map(|p| p.provider).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CATALOGUE.len());
        assert_eq!(
            find("ec2_ap_southeast_2").map(|p| p.title),
            Some("EC2 AP Sydney")
        );
        assert_eq!(
            find("rackspace:dfw").map(|p| p.title),
            Some("Rackspace DFW")
        );
        assert_eq!(
            find("openstack:az-1.region-a.geo-1").map(|p| p.title),
            Some("HP Cloud US West AZ 1")
        );
        assert!(find("bare_metal").is_some() && find("libvirt").is_some());
        assert!(find("gopher").is_none());
    }
}
