//! DigitalOcean (API v2): droplets, sizes, images, regions, SSH keys, tags.

mod client;
mod convert;

use async_trait::async_trait;
use reqwest::Method;
use serde_json::{json, Value};

use crate::error::DriverError;
use crate::http::HttpConfig;
use crate::rules::{dedupe_by_id, filter_images, search_term};
use crate::secret::Secret;
use crate::types::{
    Action, Capabilities, CreateMachine, Image, Location, Machine, PublicKey, Size,
};
use crate::CloudDriver;
use client::{check_tag, droplet_id};

pub use client::ENDPOINT;
pub use convert::map_state;

/// The provider name in the catalogue.
const PROVIDER: &str = "digitalocean";

/// A DigitalOcean account reached with a personal access token.
#[derive(Clone, Debug)]
pub struct DigitalOcean {
    api: client::Api,
}

impl DigitalOcean {
    /// A driver for the public endpoint with the default timeout and retries.
    pub fn new(token: Secret) -> Result<Self, DriverError> {
        Self::with_config(token, &HttpConfig::default())
    }

    /// A driver with its own endpoint (`apiurl`), timeout or retries.
    pub fn with_config(token: Secret, config: &HttpConfig) -> Result<Self, DriverError> {
        Ok(DigitalOcean {
            api: client::Api::new(&token, config)?,
        })
    }

    /// The id of the account's SSH key equal to `key`, uploading it under
    /// its name when the account does not have it yet.
    async fn key_id(&self, key: &PublicKey) -> Result<u64, DriverError> {
        let wanted = key_material(&key.openssh)?;
        let find = |keys: Vec<convert::DoKey>| {
            keys.into_iter()
                .find(|k| key_material(&k.public_key).ok() == Some(wanted))
                .map(|k| k.id)
        };
        if let Some(id) = find(self.api.list("/v2/account/keys", "ssh_keys").await?) {
            return Ok(id);
        }
        let body = json!({ "name": key.name, "public_key": key.openssh.trim() });
        match self
            .api
            .post::<convert::DoKey>("/v2/account/keys", &body, "ssh_key")
            .await
        {
            Ok(created) => Ok(created.id),
            // Uploaded meanwhile by someone else ("already in use"): use theirs.
            Err(DriverError::InvalidRequest(reason)) => {
                find(self.api.list("/v2/account/keys", "ssh_keys").await?)
                    .ok_or(DriverError::InvalidRequest(reason))
            }
            Err(e) => Err(e),
        }
    }
}

/// The `<type> <base64>` part of an OpenSSH public key (comments differ).
fn key_material(openssh: &str) -> Result<(&str, &str), DriverError> {
    let mut parts = openssh.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some(kind), Some(data))
            if ["ssh-", "ecdsa-", "sk-"]
                .iter()
                .any(|p| kind.starts_with(p)) =>
        {
            Ok((kind, data))
        }
        _ => Err(DriverError::InvalidRequest(
            "the public key is not in OpenSSH format (\"ssh-ed25519 AAAA...\")".into(),
        )),
    }
}

/// What this driver can do (also answered without a driver, by
/// [`crate::capabilities_of`]).
pub const CAPABILITIES: Capabilities = Capabilities::ALL;

#[async_trait]
impl CloudDriver for DigitalOcean {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn check_credentials(&self) -> Result<(), DriverError> {
        let account: Value = self.api.get("/v2/account", "account").await?;
        if account.get("status").and_then(Value::as_str) == Some("locked") {
            let why = account
                .get("status_message")
                .and_then(Value::as_str)
                .unwrap_or("");
            let why = if why.trim().is_empty() {
                String::new()
            } else {
                format!(": {why}")
            };
            return Err(DriverError::BadCredentials(format!(
                "the account is locked{why}"
            )));
        }
        Ok(())
    }

    async fn list_machines(&self) -> Result<Vec<Machine>, DriverError> {
        let droplets = self.api.list("/v2/droplets", "droplets").await?;
        let machines = droplets.into_iter().map(convert::machine).collect();
        Ok(dedupe_by_id(machines))
    }

    async fn list_sizes(&self) -> Result<Vec<Size>, DriverError> {
        let sizes = self.api.list("/v2/sizes", "sizes").await?;
        Ok(dedupe_by_id(sizes.into_iter().map(convert::size).collect()))
    }

    async fn list_images(&self, search: Option<&str>) -> Result<Vec<Image>, DriverError> {
        let found = match search_term(search) {
            // Distributions and the account's own images, as the panel offers.
            None => {
                let mut all = self
                    .api
                    .list("/v2/images?type=distribution", "images")
                    .await?;
                all.extend(self.api.list("/v2/images?private=true", "images").await?);
                all
            }
            // Everything the account can see, applications included.
            Some(_) => self.api.list("/v2/images", "images").await?,
        };
        let images = found.into_iter().map(convert::image).collect();
        Ok(dedupe_by_id(filter_images(images, search)))
    }

    async fn list_locations(&self) -> Result<Vec<Location>, DriverError> {
        let regions = self.api.list("/v2/regions", "regions").await?;
        let locations = regions.into_iter().map(convert::location).collect();
        Ok(dedupe_by_id(locations))
    }

    async fn create_machine(&self, request: &CreateMachine) -> Result<Machine, DriverError> {
        // Numeric image ids go as integers, slugs as strings.
        let image = match request.image.parse::<u64>() {
            Ok(id) => json!(id),
            Err(_) => json!(request.image),
        };
        let mut body = json!({
            "name": request.name,
            "region": request.location,
            "size": request.size,
            "image": image,
        });
        if let Some(key) = &request.key {
            body["ssh_keys"] = json!([self.key_id(key).await?]);
        }
        if let Some(user_data) = &request.user_data {
            body["user_data"] = json!(user_data);
        }
        let droplet = self.api.post("/v2/droplets", &body, "droplet").await?;
        Ok(convert::machine(droplet))
    }

    async fn machine_action(&self, id: &str, action: Action) -> Result<(), DriverError> {
        let id = droplet_id(id)?;
        let kind = match action {
            Action::Destroy => {
                let path = format!("/v2/droplets/{id}");
                self.api.call(Method::DELETE, &path, None).await?;
                return Ok(());
            }
            Action::Reboot => "reboot",
            Action::Start => "power_on",
            Action::Stop => "shutdown",
        };
        let path = format!("/v2/droplets/{id}/actions");
        let body = json!({ "type": kind });
        self.api.call(Method::POST, &path, Some(&body)).await?;
        Ok(())
    }

    async fn set_tags(&self, id: &str, tags: &[String]) -> Result<(), DriverError> {
        let id = droplet_id(id)?;
        for tag in tags {
            check_tag(tag)?;
        }
        let droplet: convert::Droplet = self
            .api
            .get(&format!("/v2/droplets/{id}"), "droplet")
            .await?;
        let resources = json!({ "resources": [{ "resource_id": id, "resource_type": "droplet" }] });
        for tag in tags.iter().filter(|t| !droplet.tags.contains(t)) {
            // Creating a tag that exists is harmless; tagging needs it to exist.
            match self
                .api
                .call(Method::POST, "/v2/tags", Some(&json!({ "name": tag })))
                .await
            {
                Ok(_) => {}
                Err(DriverError::InvalidRequest(m)) if m.contains("already") => {}
                Err(e) => return Err(e),
            }
            let path = format!("/v2/tags/{tag}/resources");
            self.api.call(Method::POST, &path, Some(&resources)).await?;
        }
        for tag in droplet.tags.iter().filter(|t| !tags.contains(t)) {
            let path = format!("/v2/tags/{}/resources", check_tag(tag)?);
            self.api
                .call(Method::DELETE, &path, Some(&resources))
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_keys_compare_without_their_comment() {
        assert_eq!(
            key_material("ssh-ed25519 AAAA c").unwrap(),
            ("ssh-ed25519", "AAAA")
        );
        assert!(key_material("AAAA").is_err());
    }
}
