//! OpenStack: Keystone (v2 and v3) for the token and the catalogue, Nova
//! (compute API v2/v2.1) for servers, flavours, images, key pairs and
//! metadata. One driver for plain OpenStack clouds, Rackspace next
//! generation (all regions) and HP Cloud, set up by [`preset`].

mod catalogue;
mod client;
mod config;
mod convert;
mod errors;
mod identity;
mod keys;
mod offer;
pub(crate) mod time;

use std::collections::BTreeMap;

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use crate::error::DriverError;
use crate::http::HttpConfig;
use crate::rules::filter_images;
use crate::secret::Secret;
use crate::types::{
    Action, Capabilities, CreateMachine, Image, Location, Machine, MachineState, Size,
};
use crate::CloudDriver;
use client::server_id;

pub use config::{preset, KeystoneVersion, OpenStackConfig, Preset, SecretKind};
pub use convert::map_state;

/// One OpenStack account (a project in one region).
#[derive(Clone, Debug)]
pub struct OpenStack {
    api: client::Api,
    provider: &'static str,
    power_actions: bool,
}

#[derive(Deserialize)]
struct Created {
    #[serde(deserialize_with = "convert::text_id")]
    id: String,
}

impl OpenStack {
    /// A plain OpenStack driver (`"openstack"`, `os-start`/`os-stop`
    /// offered). `http.endpoint`, when set, replaces `config.auth_url`;
    /// Nova's URL always comes from the catalogue.
    pub fn with_config(config: OpenStackConfig, http: &HttpConfig) -> Result<Self, DriverError> {
        Ok(OpenStack {
            api: client::Api::new(config, http)?,
            provider: "openstack",
            power_actions: true,
        })
    }

    /// The driver for a catalogue id ([`preset`]): `http.endpoint` is the
    /// account's `apiurl` (required for plain `openstack`), `region` is used
    /// where the preset fixes none. Retired entries are `Unsupported`.
    pub fn from_preset(
        provider: &str,
        username: &str,
        secret: Secret,
        tenant: Option<String>,
        region: Option<String>,
        http: &HttpConfig,
    ) -> Result<Self, DriverError> {
        let p = preset(provider).ok_or_else(|| {
            DriverError::InvalidRequest(format!("{provider:?} is not an OpenStack provider"))
        })?;
        let config = p.config(username, secret, tenant, region, http.endpoint.as_deref())?;
        Ok(OpenStack {
            api: client::Api::new(config, http)?,
            provider: p.provider,
            power_actions: p.power_actions,
        })
    }
}

/// A tag as a metadata entry: `key=value`, or `key` with an empty value.
fn metadata_entry(tag: &str) -> Result<(String, String), DriverError> {
    let (key, value) = tag.split_once('=').unwrap_or((tag, ""));
    if key.trim().is_empty() || key.len() > 255 || value.len() > 255 {
        return Err(DriverError::InvalidRequest(format!(
            "tag {tag:?}: OpenStack metadata keys are 1 to 255 characters, values at most 255"
        )));
    }
    Ok((key.to_owned(), value.to_owned()))
}

/// What an OpenStack driver can do: start and stop only where the
/// deployment has power actions (a preset says).
pub const fn capabilities(power_actions: bool) -> Capabilities {
    Capabilities {
        start: power_actions,
        stop: power_actions,
        // Searches filter the same list Nova returns by default.
        image_search: false,
        ..Capabilities::ALL
    }
}

#[async_trait]
impl CloudDriver for OpenStack {
    fn provider(&self) -> &'static str {
        self.provider
    }

    fn capabilities(&self) -> Capabilities {
        capabilities(self.power_actions)
    }

    async fn check_credentials(&self) -> Result<(), DriverError> {
        self.api.renew().await
    }

    async fn list_machines(&self) -> Result<Vec<Machine>, DriverError> {
        let servers: Vec<convert::Server> = self.api.list("/servers/detail", "servers").await?;
        let region = self.api.region().await?;
        let machines = servers
            .into_iter()
            .map(|s| convert::machine(s, region.as_deref()));
        Ok(machines.collect())
    }

    async fn list_sizes(&self) -> Result<Vec<Size>, DriverError> {
        let flavors: Vec<offer::Flavor> = self.api.list("/flavors/detail", "flavors").await?;
        Ok(flavors.into_iter().map(offer::size).collect())
    }

    async fn list_images(&self, search: Option<&str>) -> Result<Vec<Image>, DriverError> {
        let found: Vec<offer::NovaImage> = self.api.list("/images/detail", "images").await?;
        let images = found.into_iter().filter_map(offer::image).collect();
        Ok(filter_images(images, search))
    }

    async fn list_locations(&self) -> Result<Vec<Location>, DriverError> {
        let path = "/os-availability-zone";
        let zones = match self.api.get(path, "availabilityZoneInfo").await {
            Ok(zones) => zones,
            // Rackspace (and mimic) have no zone API: the region is the place.
            Err(DriverError::NotFound(_) | DriverError::InvalidRequest(_)) => Vec::new(),
            Err(e) => return Err(e),
        };
        let region = self.api.region().await?;
        Ok(offer::locations(zones, region.as_deref()))
    }

    async fn create_machine(&self, request: &CreateMachine) -> Result<Machine, DriverError> {
        let mut server = json!({
            "name": request.name,
            "imageRef": request.image,
            "flavorRef": request.size,
        });
        if let Some(key) = &request.key {
            server["key_name"] = json!(keys::key_name(&self.api, key).await?);
        }
        if let Some(user_data) = &request.user_data {
            server["user_data"] = json!(keys::base64(user_data.as_bytes()));
        }
        let region = self.api.region().await?;
        let zone = request.location.trim();
        if !zone.is_empty() && zone != "default" && Some(zone) != region.as_deref() {
            server["availability_zone"] = json!(zone);
        }
        let resp = self
            .api
            .call(Method::POST, "/servers", Some(&json!({ "server": server })))
            .await?;
        let created: Created = client::take(&mut resp.json()?, "server")?;
        Ok(Machine {
            id: created.id,
            name: request.name.clone(),
            state: MachineState::Pending,
            public_ips: Vec::new(),
            private_ips: Vec::new(),
            size: Some(request.size.clone()),
            image: Some(request.image.clone()),
            location: Some(zone)
                .filter(|z| !z.is_empty())
                .map(str::to_owned)
                .or(region),
            tags: Vec::new(),
            extra: json!({ "status": "BUILD" }),
        })
    }

    async fn machine_action(&self, id: &str, action: Action) -> Result<(), DriverError> {
        let id = server_id(id)?;
        let body = match action {
            Action::Destroy => {
                self.api
                    .call(Method::DELETE, &format!("/servers/{id}"), None)
                    .await?;
                return Ok(());
            }
            Action::Reboot => json!({ "reboot": { "type": "SOFT" } }),
            Action::Start => json!({ "os-start": null }),
            Action::Stop => json!({ "os-stop": null }),
        };
        let path = format!("/servers/{id}/action");
        self.api.call(Method::POST, &path, Some(&body)).await?;
        Ok(())
    }

    /// Tags are the server's metadata (`key` or `key=value`), replaced whole.
    async fn set_tags(&self, id: &str, tags: &[String]) -> Result<(), DriverError> {
        let id = server_id(id)?;
        let metadata = tags
            .iter()
            .map(|t| metadata_entry(t))
            .collect::<Result<BTreeMap<_, _>, _>>()?;
        let path = format!("/servers/{id}/metadata");
        let body = json!({ "metadata": metadata });
        self.api.call(Method::PUT, &path, Some(&body)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_become_metadata_entries() {
        assert_eq!(
            metadata_entry("env=prod").unwrap(),
            ("env".into(), "prod".into())
        );
        assert_eq!(
            metadata_entry("web").unwrap(),
            ("web".into(), String::new())
        );
        assert!(metadata_entry("=x").is_err());
    }

    #[test]
    fn drivers_come_from_presets_and_keep_secrets_out_of_debug() {
        let http = HttpConfig::default();
        let d = OpenStack::from_preset(
            "rackspace:iad",
            "ops",
            Secret::new("k-123"),
            None,
            None,
            &http,
        )
        .unwrap();
        assert_eq!(d.provider(), "rackspace:iad");
        assert!(!d.capabilities().stop && d.capabilities().reboot);
        assert!(!format!("{d:?}").contains("k-123"));
        let err =
            OpenStack::from_preset("openstack", "u", "p".into(), None, None, &http).unwrap_err();
        assert!(matches!(err, DriverError::InvalidRequest(_)));
    }
}
