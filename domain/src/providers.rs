//! The provider catalogue: every kind of backend an operator can add, with
//! the ids and titles of the mist.io catalogue (plus today's EC2 regions and
//! libvirt), each parsed once into a [`ProviderKind`].
//!
//! A catalogue id (`"ec2_eu_west"`, `"rackspace:lon"`) is a string only at
//! the doors and in the database; everything that decides by provider
//! (which driver is built, what it can do, which fields the add form asks
//! for) matches on the kind, so a new provider is one new variant that the
//! compiler then walks through every such `match`.

use serde::{Deserialize, Serialize};

use crate::compute::BackendState;

/// The family of a catalogue entry: which driver serves it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// A server reached over SSH; its one machine is the host.
    BareMetal,
    /// Amazon EC2, one region per entry.
    Ec2,
    /// DigitalOcean (API v2).
    DigitalOcean,
    /// Linode (API v4).
    Linode,
    /// NephoScale.
    NephoScale,
    /// SoftLayer (XML-RPC).
    SoftLayer,
    /// Any OpenStack cloud: Keystone v2/v3 and Nova at the given URL.
    OpenStack,
    /// Rackspace's next generation cloud (OpenStack), one region per entry.
    Rackspace,
    /// HP Cloud (OpenStack), one zone per entry.
    HpCloud,
    /// Rackspace's first generation cloud, one region per entry.
    RackspaceFirstGen,
    /// KVM through libvirt.
    Libvirt,
}

/// Whether the add form asks for a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// Not asked: the provider does not use it.
    No,
    /// Asked, may be left empty.
    Optional,
    /// Must be given.
    Required,
}

impl Need {
    /// Whether the form shows the field.
    pub fn asked(self) -> bool {
        self != Need::No
    }
}

/// The fields an add-backend form needs for one kind of provider, with what
/// each means for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fields {
    /// The host fields (`machine_ip`, `machine_key`, `machine_user`,
    /// `machine_port`, `machine_reboot_command`): bare metal only.
    pub host: bool,
    /// `apikey` and what it is called for this provider.
    pub apikey: (Need, &'static str),
    /// `apisecret` and what it is called.
    pub apisecret: (Need, &'static str),
    /// `apiurl` and what it is called.
    pub apiurl: (Need, &'static str),
    /// `region`.
    pub region: Need,
    /// `tenant_name`.
    pub tenant: Need,
}

const NOT_ASKED: (Need, &str) = (Need::No, "");

impl ProviderKind {
    /// The fields the add form asks for.
    pub fn fields(self) -> Fields {
        let cloud = |apikey, apisecret| Fields {
            host: false,
            apikey,
            apisecret,
            apiurl: (Need::Optional, "API URL (empty for the usual endpoint)"),
            region: Need::No,
            tenant: Need::No,
        };
        let token = (Need::Required, "API token");
        let user = (Need::Required, "User name");
        match self {
            ProviderKind::BareMetal => Fields {
                host: true,
                apikey: NOT_ASKED,
                apisecret: NOT_ASKED,
                apiurl: NOT_ASKED,
                region: Need::No,
                tenant: Need::No,
            },
            ProviderKind::Ec2 => cloud(
                (Need::Required, "Access key id"),
                (Need::Required, "Secret access key"),
            ),
            ProviderKind::DigitalOcean | ProviderKind::Linode => cloud(NOT_ASKED, token),
            ProviderKind::NephoScale | ProviderKind::SoftLayer => {
                cloud(user, (Need::Required, "API key or password"))
            }
            ProviderKind::RackspaceFirstGen => cloud(user, (Need::Required, "API key")),
            ProviderKind::Rackspace => Fields {
                tenant: Need::Optional,
                ..cloud(user, (Need::Required, "API key"))
            },
            ProviderKind::HpCloud => Fields {
                tenant: Need::Optional,
                ..cloud(user, (Need::Required, "Password"))
            },
            ProviderKind::OpenStack => Fields {
                apiurl: (Need::Required, "Keystone URL (https://host:5000/v3)"),
                region: Need::Optional,
                tenant: Need::Optional,
                ..cloud(user, (Need::Required, "Password"))
            },
            ProviderKind::Libvirt => Fields {
                host: false,
                apikey: NOT_ASKED,
                apisecret: NOT_ASKED,
                apiurl: (Need::Required, "libvirt URI (qemu+ssh://user@host/system)"),
                region: Need::No,
                tenant: Need::No,
            },
        }
    }

    /// The state of a backend whose poll got no useful answer: a bare-metal
    /// host that does not answer is itself down (`offline`); a cloud
    /// provider that fails, or says nothing, is in `error`.
    pub fn unanswered(self) -> BackendState {
        match self {
            ProviderKind::BareMetal => BackendState::Offline,
            _ => BackendState::Error,
        }
    }

    /// Whether a backend of this kind keeps a secret (a libvirt URI carries
    /// its own authentication; bare metal uses one of the installation's keys).
    pub fn needs_secret(self) -> bool {
        self.fields().apisecret.0 == Need::Required
    }
}

/// One entry of the catalogue.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    /// What `POST /backends` takes as `provider`.
    pub provider: &'static str,
    /// What people read.
    pub title: &'static str,
    /// Which driver serves it.
    pub kind: ProviderKind,
}

impl Provider {
    /// The catalogue entry for `id`: the one place a provider id is parsed.
    pub fn parse(id: &str) -> Option<&'static Provider> {
        CATALOGUE.iter().find(|p| p.provider == id)
    }
}

const fn p(provider: &'static str, title: &'static str, kind: ProviderKind) -> Provider {
    Provider {
        provider,
        title,
        kind,
    }
}

use ProviderKind::*;

/// Every provider, in the order the add-backend form lists them.
pub const CATALOGUE: &[Provider] = &[
    p("bare_metal", "Bare Metal Server", BareMetal),
    p("ec2_ap_northeast", "EC2 AP NORTHEAST", Ec2),
    p("ec2_ap_northeast_2", "EC2 AP Seoul", Ec2),
    p("ec2_ap_northeast_3", "EC2 AP Osaka", Ec2),
    p("ec2_ap_south", "EC2 AP Mumbai", Ec2),
    p("ec2_ap_southeast", "EC2 AP SOUTHEAST", Ec2),
    p("ec2_ap_southeast_2", "EC2 AP Sydney", Ec2),
    p("ec2_ca_central", "EC2 CA Central", Ec2),
    p("ec2_eu_central", "EC2 EU Frankfurt", Ec2),
    p("ec2_eu_north", "EC2 EU Stockholm", Ec2),
    p("ec2_eu_west", "EC2 EU Ireland", Ec2),
    p("ec2_eu_west_2", "EC2 EU London", Ec2),
    p("ec2_eu_west_3", "EC2 EU Paris", Ec2),
    p("ec2_sa_east", "EC2 SA EAST", Ec2),
    p("ec2_us_east", "EC2 US EAST", Ec2),
    p("ec2_us_east_2", "EC2 US EAST Ohio", Ec2),
    p("ec2_us_west", "EC2 US WEST", Ec2),
    p("ec2_us_west_oregon", "EC2 US WEST OREGON", Ec2),
    p("nephoscale", "NephoScale", NephoScale),
    p("digitalocean", "DigitalOcean", DigitalOcean),
    p("linode", "Linode", Linode),
    p("openstack", "OpenStack", OpenStack),
    p("rackspace:dfw", "Rackspace DFW", Rackspace),
    p("rackspace:ord", "Rackspace ORD", Rackspace),
    p("rackspace:iad", "Rackspace IAD", Rackspace),
    p("rackspace:lon", "Rackspace LON", Rackspace),
    p("rackspace:syd", "Rackspace AU", Rackspace),
    p(
        "rackspace_first_gen:us",
        "Rackspace US (OLD)",
        RackspaceFirstGen,
    ),
    p(
        "rackspace_first_gen:uk",
        "Rackspace UK (OLD)",
        RackspaceFirstGen,
    ),
    p("softlayer", "SoftLayer", SoftLayer),
    p(
        "openstack:az-1.region-a.geo-1",
        "HP Cloud US West AZ 1",
        HpCloud,
    ),
    p(
        "openstack:az-2.region-a.geo-1",
        "HP Cloud US West AZ 2",
        HpCloud,
    ),
    p(
        "openstack:az-3.region-a.geo-1",
        "HP Cloud US West AZ 3",
        HpCloud,
    ),
    p("openstack:region-b.geo-1", "HP Cloud US East", HpCloud),
    p("libvirt", "KVM (libvirt)", Libvirt),
];

/// The catalogue entry for `id` ([`Provider::parse`]).
pub fn find(id: &str) -> Option<&'static Provider> {
    Provider::parse(id)
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
