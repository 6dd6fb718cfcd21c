//! `vendor`: which cloud a stack's machines go to, and which backend.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::providers::ProviderKind;

/// The clouds a template may name as its `vendor`'s one key: `aws`
/// (Mobingi's name for EC2) and Overcast's provider families. Bare-metal
/// hosts are not offered: a stack creates machines, and a host cannot be
/// created.
pub const VENDORS: &[(&str, ProviderKind)] = &[
    ("aws", ProviderKind::Ec2),
    ("ec2", ProviderKind::Ec2),
    ("digitalocean", ProviderKind::DigitalOcean),
    ("linode", ProviderKind::Linode),
    ("openstack", ProviderKind::OpenStack),
    ("rackspace", ProviderKind::Rackspace),
    ("rackspace_first_gen", ProviderKind::RackspaceFirstGen),
    ("hpcloud", ProviderKind::HpCloud),
    ("softlayer", ProviderKind::SoftLayer),
    ("nephoscale", ProviderKind::NephoScale),
    ("libvirt", ProviderKind::Libvirt),
];

/// The provider family a vendor key names.
pub fn vendor_kind(key: &str) -> Option<ProviderKind> {
    VENDORS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, kind)| *kind)
}

/// `{"<cloud>": {"cred": ..., "region": ...}}`. Templates carry no cloud
/// secrets: `cred` names the Overcast backend (its id, its title, or its
/// `apikey`, as Mobingi's `cred` was the AWS access key id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vendor {
    /// The key as written (`aws`, `linode`, ...), one of [`VENDORS`].
    pub cloud: String,
    /// The provider family it names.
    pub kind: ProviderKind,
    /// The backend the machines go to.
    pub cred: String,
    /// The region, where the provider has regions.
    pub region: Option<String>,
}

impl Serialize for Vendor {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Inner<'a> {
            cred: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            region: Option<&'a str>,
        }
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(
            &self.cloud,
            &Inner {
                cred: &self.cred,
                region: self.region.as_deref(),
            },
        )?;
        map.end()
    }
}
