//! NephoScale (API v1, JSON over HTTPS with HTTP Basic): cloud servers,
//! service types, images, zones, SSH keys.
//!
//! NephoScale answers a create with a job, not the server. The driver
//! notes the servers listed before it asks, sends the create, then lists
//! again (a few looks, [`NephoScale::with_create_lookup`]) until a server
//! of that name that was not there before shows up, and returns it as
//! `Pending`. NephoScale has no user data, tags or image search: those
//! capabilities are off, and the capability guard (`crate::guard`) refuses
//! a create with user data before anything is sent. A public key is filed as a server SSH key
//! (`/key/sshrsa/`, key group 1), or the account's key with the same
//! public key is reused; no console (password) key is made.

mod client;
mod convert;

use std::collections::HashSet;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::Method;

use crate::error::DriverError;
use crate::http::HttpConfig;
use crate::rules::filter_images;
use crate::secret::Secret;
use crate::types::{
    Action, Capabilities, CreateMachine, Image, Location, Machine, MachineState, PublicKey, Size,
};
use crate::CloudDriver;
use client::server_id;

pub use client::ENDPOINT;
pub use convert::map_state;

/// The provider name in the catalogue.
const PROVIDER: &str = "nephoscale";

/// NephoScale's key group for server (not console) keys.
const SERVER_KEY_GROUP: &str = "1";

/// A NephoScale account reached with its username and password.
#[derive(Clone, Debug)]
pub struct NephoScale {
    api: client::Api,
    /// Listings after a create before giving up on seeing the server.
    looks: u32,
    /// The wait between two of them.
    interval: Duration,
}

impl NephoScale {
    /// A driver for the public endpoint with the default timeout and retries.
    pub fn new(username: &str, password: Secret) -> Result<Self, DriverError> {
        Self::with_config(username, password, &HttpConfig::default())
    }

    /// A driver with its own endpoint (`apiurl`, default
    /// `https://api.nephoscale.com`), timeout or retries.
    pub fn with_config(
        username: &str,
        password: Secret,
        config: &HttpConfig,
    ) -> Result<Self, DriverError> {
        Ok(NephoScale {
            api: client::Api::new(username, &password, config)?,
            looks: 12,
            interval: Duration::from_secs(5),
        })
    }

    /// How long a create looks for the new server in the list: `looks`
    /// listings (at least one), `interval` apart (default 12, 5 s).
    pub fn with_create_lookup(mut self, looks: u32, interval: Duration) -> Self {
        self.looks = looks.max(1);
        self.interval = interval;
        self
    }

    async fn servers(&self) -> Result<Vec<convert::Server>, DriverError> {
        self.api.list("/server/cloud/").await
    }

    /// The id of the account's server key holding `key`, filed first when
    /// there is none.
    async fn server_key(&self, key: &PublicKey) -> Result<String, DriverError> {
        #[derive(serde::Deserialize)]
        struct Key {
            id: u64,
            public_key: Option<String>,
            key_group: Option<u64>,
        }
        let wanted = key_body(&key.openssh);
        if wanted.is_empty() {
            return Err(DriverError::InvalidRequest(format!(
                "key {:?} is not an OpenSSH public key",
                key.name
            )));
        }
        let keys: Vec<Key> = self.api.list("/key/sshrsa/").await?;
        let same = keys.iter().find(|k| {
            k.key_group.is_none_or(|g| g == 1)
                && k.public_key.as_deref().map(key_body) == Some(wanted.clone())
        });
        if let Some(k) = same {
            return Ok(k.id.to_string());
        }
        let form = [
            ("name", key.name.as_str()),
            ("public_key", key.openssh.trim()),
            ("key_group", SERVER_KEY_GROUP),
        ];
        let created = self.api.create("/key/sshrsa/", &form).await?;
        Ok(created.id.to_string())
    }
}

/// A public key's type and base64 body, without its comment.
fn key_body(openssh: &str) -> String {
    openssh
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A hostname from a machine name: lowercase letters, digits and `-`, at
/// most 63 characters.
fn hostname(name: &str) -> String {
    let mapped: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = mapped.trim_matches('-');
    let host: String = trimmed.chars().take(63).collect();
    let host = host.trim_end_matches('-');
    if host.is_empty() {
        "server".to_owned()
    } else {
        host.to_owned()
    }
}

/// A catalogue id NephoScale takes (an integer).
fn numeric<'a>(what: &str, id: &'a str) -> Result<&'a str, DriverError> {
    let id = id.trim();
    if crate::error::is_numeric_id(id) {
        Ok(id)
    } else {
        Err(DriverError::InvalidRequest(format!(
            "{what} {id:?}: NephoScale {what} ids are numbers"
        )))
    }
}

/// What this driver can do (also answered without a driver, by
/// [`crate::capabilities_of`]).
pub const CAPABILITIES: Capabilities = Capabilities {
    tag: false,
    user_data: false,
    image_search: false,
    ..Capabilities::ALL
};

#[async_trait]
impl CloudDriver for NephoScale {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn check_credentials(&self) -> Result<(), DriverError> {
        // The smallest authenticated list: the account's zones.
        let _: Vec<serde::de::IgnoredAny> = self.api.list("/datacenter/zone/").await?;
        Ok(())
    }

    async fn list_machines(&self) -> Result<Vec<Machine>, DriverError> {
        let servers = self.servers().await?;
        Ok(servers.into_iter().map(convert::machine).collect())
    }

    async fn list_sizes(&self) -> Result<Vec<Size>, DriverError> {
        let types: Vec<convert::ServiceType> = self.api.list("/server/type/cloud/").await?;
        Ok(types.into_iter().map(convert::size).collect())
    }

    async fn list_images(&self, search: Option<&str>) -> Result<Vec<Image>, DriverError> {
        let found: Vec<convert::ServerImage> = self.api.list("/image/server/").await?;
        let images = found
            .into_iter()
            .filter(convert::deployable)
            .map(convert::image)
            .collect();
        Ok(filter_images(images, search))
    }

    async fn list_locations(&self) -> Result<Vec<Location>, DriverError> {
        let zones: Vec<convert::Zone> = self.api.list("/datacenter/zone/").await?;
        Ok(zones.into_iter().map(convert::location).collect())
    }

    async fn create_machine(&self, request: &CreateMachine) -> Result<Machine, DriverError> {
        let size = numeric("size", &request.size)?;
        let image = numeric("image", &request.image)?;
        let zone = match request.location.trim() {
            "" => None,
            location => Some(numeric("location", location)?),
        };
        let before: HashSet<u64> = self.servers().await?.iter().map(|s| s.id).collect();
        let key = match &request.key {
            Some(key) => Some(self.server_key(key).await?),
            None => None,
        };
        let host = hostname(&request.name);
        let mut form = vec![
            ("name", request.name.as_str()),
            ("hostname", host.as_str()),
            ("service_type", size),
            ("image", image),
        ];
        form.extend(zone.map(|z| ("zone", z)));
        form.extend(key.as_deref().map(|k| ("server_key", k)));
        tracing::debug!(name = %request.name, zone = ?zone, "creating a NephoScale server");
        let job = self.api.create("/server/cloud/", &form).await?;
        for look in 0..self.looks {
            if look > 0 {
                tokio::time::sleep(self.interval).await;
            }
            let new = self
                .servers()
                .await?
                .into_iter()
                .filter(|s| s.name == request.name && !before.contains(&s.id))
                .max_by_key(|s| s.id);
            if let Some(server) = new {
                let mut m = convert::machine(server);
                if m.state != MachineState::Running {
                    m.state = MachineState::Pending;
                }
                m.extra["job"] = job.id.into();
                return Ok(m);
            }
        }
        Err(DriverError::Unavailable(format!(
            "NephoScale accepted the create of {:?} ({} {}) but does not list the server yet; \
             it should appear in the machine list",
            request.name,
            job.resource_type.as_deref().unwrap_or("job"),
            job.id
        )))
    }

    async fn machine_action(&self, id: &str, action: Action) -> Result<(), DriverError> {
        let id = server_id(id)?;
        let (method, path) = match action {
            Action::Destroy => (Method::DELETE, format!("/server/cloud/{id}/")),
            Action::Reboot => (
                Method::POST,
                format!("/server/cloud/{id}/initiator/restart/"),
            ),
            Action::Stop => (Method::POST, format!("/server/cloud/{id}/initiator/stop/")),
            Action::Start => (Method::POST, format!("/server/cloud/{id}/initiator/start/")),
        };
        self.api.act(method, &path).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames_are_made_from_names() {
        assert_eq!(hostname("Web Server #1"), "web-server--1");
        assert_eq!(hostname("db"), "db");
        assert_eq!(hostname("--"), "server");
        assert_eq!(hostname(&"a".repeat(80)).len(), 63);
    }

    #[test]
    fn keys_compare_without_their_comment() {
        assert_eq!(key_body("ssh-rsa AAAA me@x\n"), "ssh-rsa AAAA");
        assert!(numeric("size", "27").is_ok());
        assert!(numeric("size", "CS05").is_err());
    }
}
