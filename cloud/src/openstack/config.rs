//! How an OpenStack account is reached: the driver's configuration and the
//! catalogue presets (plain OpenStack, Rackspace, HP Cloud).

use crate::error::DriverError;
use crate::secret::Secret;

/// Which Keystone API issues the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeystoneVersion {
    /// `POST <auth_url>/v2.0/tokens` (Rackspace, HP Cloud, older clouds).
    V2,
    /// `POST <auth_url>/v3/auth/tokens`, the token in `X-Subject-Token`.
    V3,
}

/// What [`OpenStackConfig::secret`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretKind {
    /// The user's password (`passwordCredentials`, or v3's `password` method).
    Password,
    /// A Rackspace API key (`RAX-KSKEY:apiKeyCredentials`, Keystone v2 only).
    RackspaceApiKey,
}

/// One OpenStack account: where Keystone is, who logs in, and which compute
/// endpoint of the catalogue to use.
#[derive(Clone, Debug)]
pub struct OpenStackConfig {
    /// Keystone's URL, with or without the version (`https://keystone:5000`,
    /// `.../v2.0`, `.../v3`); `HttpConfig::endpoint` replaces it when set.
    pub auth_url: String,
    /// The Keystone API to speak.
    pub version: KeystoneVersion,
    /// The user name.
    pub username: String,
    /// The password or API key.
    pub secret: Secret,
    /// Which of the two `secret` is.
    pub secret_kind: SecretKind,
    /// The tenant (v2) or project (v3) name to scope the token to.
    pub tenant: Option<String>,
    /// The catalogue region (`RegionOne`, `ORD`); `None` takes the only one.
    pub region: Option<String>,
    /// The compute service's catalogue name (`cloudServersOpenStack`);
    /// `None` takes any service of type `compute`.
    pub service_name: Option<String>,
}

/// A catalogue entry's fixed settings, completed by the account's
/// credentials with [`Preset::config`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// The catalogue id (`"rackspace:ord"`), the driver's provider name.
    pub provider: &'static str,
    /// The public Keystone; `None` when the account must give one (`apiurl`).
    pub auth_url: Option<&'static str>,
    /// The Keystone API to speak (plain `openstack`: V3 when the URL says so).
    pub version: KeystoneVersion,
    /// What the secret is.
    pub secret_kind: SecretKind,
    /// The catalogue region; `None` for the account's own.
    pub region: Option<&'static str>,
    /// The compute service's catalogue name.
    pub service_name: Option<&'static str>,
    /// Whether Nova's `os-start`/`os-stop` actions exist there.
    pub power_actions: bool,
}

const RACKSPACE_US: &str = "https://identity.api.rackspacecloud.com/v2.0";
const RACKSPACE_UK: &str = "https://lon.identity.api.rackspacecloud.com/v2.0";
const HP_REGION_A: &str = "https://region-a.geo-1.identity.hpcloudsvc.com:35357/v2.0";
const HP_REGION_B: &str = "https://region-b.geo-1.identity.hpcloudsvc.com:35357/v2.0";

const fn rackspace(provider: &'static str, region: &'static str, uk: bool) -> Preset {
    Preset {
        provider,
        auth_url: Some(if uk { RACKSPACE_UK } else { RACKSPACE_US }),
        version: KeystoneVersion::V2,
        secret_kind: SecretKind::RackspaceApiKey,
        region: Some(region),
        service_name: Some("cloudServersOpenStack"),
        // Rackspace's Nova has no os-start/os-stop (mimic, modelled on it,
        // answers 400 "There is no such action currently supported").
        power_actions: false,
    }
}

/// HP Cloud (HP Helion Public Cloud): Keystone v2 with password and tenant,
/// one compute service per region. HP closed it in 2016; the presets stay
/// for the catalogue and for an `apiurl` that points elsewhere.
const fn hp(provider: &'static str, region: &'static str, auth_url: &'static str) -> Preset {
    Preset {
        provider,
        auth_url: Some(auth_url),
        version: KeystoneVersion::V2,
        secret_kind: SecretKind::Password,
        region: Some(region),
        service_name: None,
        power_actions: true,
    }
}

const PRESETS: [Preset; 10] = [
    Preset {
        provider: "openstack",
        auth_url: None,
        version: KeystoneVersion::V2,
        secret_kind: SecretKind::Password,
        region: None,
        service_name: None,
        power_actions: true,
    },
    rackspace("rackspace:dfw", "DFW", false),
    rackspace("rackspace:ord", "ORD", false),
    rackspace("rackspace:iad", "IAD", false),
    rackspace("rackspace:lon", "LON", true),
    rackspace("rackspace:syd", "SYD", false),
    hp(
        "openstack:az-1.region-a.geo-1",
        "az-1.region-a.geo-1",
        HP_REGION_A,
    ),
    hp(
        "openstack:az-2.region-a.geo-1",
        "az-2.region-a.geo-1",
        HP_REGION_A,
    ),
    hp(
        "openstack:az-3.region-a.geo-1",
        "az-3.region-a.geo-1",
        HP_REGION_A,
    ),
    hp("openstack:region-b.geo-1", "region-b.geo-1", HP_REGION_B),
];

/// The preset of a catalogue id this driver serves (`"openstack"`,
/// `"rackspace:lon"`, `"openstack:region-b.geo-1"`, ...).
pub fn preset(provider: &str) -> Option<Preset> {
    PRESETS.iter().find(|p| p.provider == provider).copied()
}

impl Preset {
    /// The configuration for one account: `apiurl` replaces the preset's
    /// Keystone (and is required for plain `openstack`), `region` is used
    /// only where the preset has none.
    pub fn config(
        &self,
        username: &str,
        secret: Secret,
        tenant: Option<String>,
        region: Option<String>,
        apiurl: Option<&str>,
    ) -> Result<OpenStackConfig, DriverError> {
        let auth_url = apiurl
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .or(self.auth_url)
            .ok_or_else(|| {
                DriverError::InvalidRequest(
                    "OpenStack needs the Keystone URL (apiurl), e.g. https://keystone:5000/v3"
                        .into(),
                )
            })?;
        let version = if self.auth_url.is_none() && names_v3(auth_url) {
            KeystoneVersion::V3
        } else {
            self.version
        };
        let blank = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        Ok(OpenStackConfig {
            auth_url: auth_url.to_owned(),
            version,
            username: username.to_owned(),
            secret,
            secret_kind: self.secret_kind,
            tenant: blank(tenant),
            region: self.region.map(str::to_owned).or(blank(region)),
            service_name: self.service_name.map(str::to_owned),
        })
    }
}

/// Whether a Keystone URL names API v3 (`.../v3`, `.../v3/auth/tokens`).
fn names_v3(url: &str) -> bool {
    let path = url.trim_end_matches('/');
    path.ends_with("/v3") || path.contains("/v3/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_entry_has_a_preset() {
        let lon = preset("rackspace:lon").unwrap();
        assert_eq!(lon.auth_url, Some(RACKSPACE_UK));
        assert_eq!(lon.region, Some("LON"));
        assert_eq!(
            preset("rackspace:syd").unwrap().auth_url,
            Some(RACKSPACE_US)
        );
        let hp = preset("openstack:az-2.region-a.geo-1").unwrap();
        assert_eq!(hp.region, Some("az-2.region-a.geo-1"));
        assert!(preset("openstack:region-b.geo-1").is_some());
        assert!(preset("rackspace:hkg").is_none());
    }

    #[test]
    fn plain_openstack_needs_a_url_and_reads_its_version_from_it() {
        let p = preset("openstack").unwrap();
        let none = p.config("u", "p".into(), None, None, None);
        assert!(matches!(none, Err(DriverError::InvalidRequest(_))));
        let v3 = p.config(
            "u",
            "p".into(),
            Some("demo".into()),
            None,
            Some("http://k:5000/v3/"),
        );
        assert_eq!(v3.unwrap().version, KeystoneVersion::V3);
        let v2 = p.config(
            "u",
            "p".into(),
            Some(" ".into()),
            Some("RegionOne".into()),
            Some("http://k:5000/v2.0"),
        );
        let v2 = v2.unwrap();
        assert_eq!(
            (v2.version, v2.tenant, v2.region.as_deref()),
            (KeystoneVersion::V2, None, Some("RegionOne"))
        );
    }
}
