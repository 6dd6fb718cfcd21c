//! Rackspace first generation Cloud Servers (catalogue ids
//! `rackspace_first_gen:us` and `rackspace_first_gen:uk`): the pre-Nova
//! OpenStack Compute API v1.0, spoken in XML, behind Rackspace's v1.1
//! authentication (`POST /v1.1/auth` with the user name and API key, which
//! answers a token and a service catalogue whose `cloudServers` entry is the
//! account's Cloud Servers URL, `.../v1.0/<account>`).
//!
//! What it offers: listings (servers, flavours, images), create (the key,
//! if any, written to the login user's `~/.ssh/authorized_keys` as a
//! personality file;
//! first generation images had no cloud-init, so user data is refused by the capability guard),
//! soft reboot and destroy. The v1.0 API has no power off, and metadata is
//! set at creation only, so start, stop and tags are `Unsupported`.
//!
//! Locations: a first generation account lives in the one datacenter
//! Rackspace placed it in (DFW or ORD for US accounts, LON for UK ones) and
//! the API neither names it nor lets a create choose. The driver lists one
//! location per account, named after its region (`us` or `uk`).
//!
//! Rackspace has retired first generation servers (moved to next
//! generation, the `rackspace:*` entries of the OpenStack driver): this
//! driver serves accounts and compatible endpoints that still speak v1.0.

mod client;
mod convert;
mod xml;

use async_trait::async_trait;
use reqwest::Method;

use crate::error::DriverError;
use crate::http::HttpConfig;
use crate::rules::filter_images;
use crate::secret::Secret;
use crate::types::{Action, Capabilities, CreateMachine, Image, Location, Machine, Size};
use crate::CloudDriver;
use client::server_id;

pub use convert::{authorized_keys, LOGIN_USER};

/// Which of Rackspace's two identity services the account belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Region {
    /// `https://auth.api.rackspacecloud.com` (`rackspace_first_gen:us`).
    Us,
    /// `https://lon.auth.api.rackspacecloud.com` (`rackspace_first_gen:uk`).
    Uk,
}

impl Region {
    /// The region of a catalogue id (`"rackspace_first_gen:uk"`).
    pub fn from_provider(provider: &str) -> Option<Region> {
        match provider {
            "rackspace_first_gen:us" => Some(Region::Us),
            "rackspace_first_gen:uk" => Some(Region::Uk),
            _ => None,
        }
    }

    /// The catalogue id.
    pub fn provider(self) -> &'static str {
        match self {
            Region::Us => "rackspace_first_gen:us",
            Region::Uk => "rackspace_first_gen:uk",
        }
    }

    /// The public v1.1 authentication endpoint.
    pub fn auth_url(self) -> &'static str {
        match self {
            Region::Us => "https://auth.api.rackspacecloud.com",
            Region::Uk => "https://lon.auth.api.rackspacecloud.com",
        }
    }

    /// The one location's id (`"us"`, `"uk"`).
    pub fn location_id(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Uk => "uk",
        }
    }

    fn location(self) -> Location {
        let (name, country, datacenters) = match self {
            Region::Us => ("Rackspace US (first generation)", "US", "DFW or ORD"),
            Region::Uk => ("Rackspace UK (first generation)", "GB", "LON"),
        };
        Location {
            id: self.location_id().to_owned(),
            name: name.to_owned(),
            country: Some(country.to_owned()),
            available: true,
            extra: serde_json::json!({ "datacenters": datacenters }),
        }
    }
}

/// One first generation Cloud Servers account.
#[derive(Clone, Debug)]
pub struct RackspaceFirstGen {
    api: client::Api,
    region: Region,
}

impl RackspaceFirstGen {
    /// A driver for `username` and `api_key` in `region`. `http.endpoint`,
    /// when set (the account's `apiurl`), replaces the region's
    /// authentication URL; Cloud Servers' URL always comes from the
    /// catalogue the authentication answers.
    pub fn with_config(
        region: Region,
        username: &str,
        api_key: Secret,
        http: &HttpConfig,
    ) -> Result<Self, DriverError> {
        let auth_url = http
            .endpoint
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .unwrap_or(region.auth_url());
        Ok(RackspaceFirstGen {
            api: client::Api::new(auth_url, username, api_key, http)?,
            region,
        })
    }

    /// The driver for a catalogue id (`"rackspace_first_gen:us"`); other
    /// ids are `InvalidRequest`.
    pub fn from_provider(
        provider: &str,
        username: &str,
        api_key: Secret,
        http: &HttpConfig,
    ) -> Result<Self, DriverError> {
        let region = Region::from_provider(provider).ok_or_else(|| {
            DriverError::InvalidRequest(format!(
                "{provider:?} is not a Rackspace first generation provider"
            ))
        })?;
        Self::with_config(region, username, api_key, http)
    }

    /// The account's region.
    pub fn region(&self) -> Region {
        self.region
    }
}

/// What this driver can do (also answered without a driver, by
/// [`crate::capabilities_of`]).
pub const CAPABILITIES: Capabilities = Capabilities {
    start: false,
    stop: false,
    tag: false,
    // (The key is written as a personality file.)
    user_data: false,
    // Searches filter the one list the API returns.
    image_search: false,
    ..Capabilities::ALL
};

#[async_trait]
impl CloudDriver for RackspaceFirstGen {
    fn provider(&self) -> &'static str {
        self.region.provider()
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn check_credentials(&self) -> Result<(), DriverError> {
        self.api.renew().await
    }

    async fn list_machines(&self) -> Result<Vec<Machine>, DriverError> {
        let resp = self.api.call(Method::GET, "/servers/detail", None).await?;
        convert::machines(&resp.body, self.region.location_id())
    }

    async fn list_sizes(&self) -> Result<Vec<Size>, DriverError> {
        let resp = self.api.call(Method::GET, "/flavors/detail", None).await?;
        convert::sizes(&resp.body)
    }

    async fn list_images(&self, search: Option<&str>) -> Result<Vec<Image>, DriverError> {
        let resp = self.api.call(Method::GET, "/images/detail", None).await?;
        Ok(filter_images(convert::images(&resp.body)?, search))
    }

    async fn list_locations(&self) -> Result<Vec<Location>, DriverError> {
        Ok(vec![self.region.location()])
    }

    async fn create_machine(&self, request: &CreateMachine) -> Result<Machine, DriverError> {
        let place = request.location.trim();
        let ours = self.region.location_id();
        if !place.is_empty() && place != "default" && !place.eq_ignore_ascii_case(ours) {
            return Err(DriverError::InvalidRequest(format!(
                "unknown location {place:?}: a first generation account has one, {ours:?}"
            )));
        }
        let body = convert::create_body(request)?;
        let resp = self.api.call(Method::POST, "/servers", Some(&body)).await?;
        convert::created(&resp.body, ours)
    }

    async fn machine_action(&self, id: &str, action: Action) -> Result<(), DriverError> {
        let id = server_id(id)?;
        match action {
            Action::Destroy => {
                let path = format!("/servers/{id}");
                self.api.call(Method::DELETE, &path, None).await?;
            }
            Action::Reboot => {
                let path = format!("/servers/{id}/action");
                let body = convert::reboot_body();
                self.api.call(Method::POST, &path, Some(&body)).await?;
            }
            Action::Start | Action::Stop => {
                return Err(DriverError::unsupported_action(self.provider(), action))
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drivers_come_from_catalogue_ids_and_keep_the_key_out_of_debug() {
        let http = HttpConfig::default();
        let d = RackspaceFirstGen::from_provider(
            "rackspace_first_gen:uk",
            "ops",
            Secret::new("k-123"),
            &http,
        )
        .unwrap();
        assert_eq!(d.provider(), "rackspace_first_gen:uk");
        assert_eq!(d.region(), Region::Uk);
        assert!(!d.capabilities().stop && d.capabilities().reboot);
        assert!(!format!("{d:?}").contains("k-123"));
        assert!(RackspaceFirstGen::from_provider("rackspace:ord", "u", "k".into(), &http).is_err());
        assert!(RackspaceFirstGen::with_config(Region::Us, "", "k".into(), &http).is_err());
    }
}
