//! Linode (API v4): Linodes, types, images, regions, tags.
//!
//! A new Linode needs a root password: the driver makes a random one for
//! each create, sends it once and forgets it (it is neither returned,
//! stored nor logged). The administrator gets in with the request's public
//! key (`authorized_keys`); Linode's Lish console can reset the password.

mod client;
mod convert;

use std::io::Read;

use async_trait::async_trait;
use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};

use crate::error::DriverError;
use crate::http::HttpConfig;
use crate::rules::{dedupe_by_id, filter_images, search_term};
use crate::secret::Secret;
use crate::types::{Action, Capabilities, CreateMachine, Image, Location, Machine, Size};
use crate::CloudDriver;
use client::{check_tag, linode_id};

pub use client::ENDPOINT;
pub use convert::map_state;

/// The provider name in the catalogue.
const PROVIDER: &str = "linode";

/// Length of the generated root password (64 symbols: 6 bits each).
const ROOT_PASS_LEN: usize = 40;

/// A Linode account reached with a personal access token.
#[derive(Clone, Debug)]
pub struct Linode {
    api: client::Api,
}

impl Linode {
    /// A driver for the public endpoint with the default timeout and retries.
    pub fn new(token: Secret) -> Result<Self, DriverError> {
        Self::with_config(token, &HttpConfig::default())
    }

    /// A driver with its own endpoint (`apiurl`: a host such as
    /// `https://api.linode.com`, paths add `/v4`), timeout or retries.
    pub fn with_config(token: Secret, config: &HttpConfig) -> Result<Self, DriverError> {
        Ok(Linode {
            api: client::Api::new(&token, config)?,
        })
    }
}

/// A random root password of letters, digits, `-` and `_`, with at least
/// one lowercase letter, one uppercase letter and one digit (Linode refuses
/// weak passwords). Wrapped in a `Secret` so it cannot reach a log.
fn root_pass() -> Result<Secret, DriverError> {
    const SYMBOLS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    loop {
        let bytes = random_bytes::<ROOT_PASS_LEN>()?;
        let pass: String = bytes
            .iter()
            .map(|b| char::from(SYMBOLS[usize::from(b & 63)]))
            .collect();
        let has = |f: fn(&char) -> bool| pass.chars().any(|c| f(&c));
        if has(char::is_ascii_lowercase)
            && has(char::is_ascii_uppercase)
            && has(char::is_ascii_digit)
        {
            return Ok(Secret::new(pass));
        }
    }
}

/// `N` bytes from the operating system's random source.
fn random_bytes<const N: usize>() -> Result<[u8; N], DriverError> {
    let mut buf = [0u8; N];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| {
            DriverError::Protocol(format!(
                "cannot read random bytes for the root password: {e}"
            ))
        })?;
    Ok(buf)
}

/// What this driver can do (also answered without a driver, by
/// [`crate::capabilities_of`]).
// (Image search: the default list leaves out deprecated images; a search
// finds them too.)
pub const CAPABILITIES: Capabilities = Capabilities::ALL;

#[async_trait]
impl CloudDriver for Linode {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn check_credentials(&self) -> Result<(), DriverError> {
        // The cheapest authenticated call; any token scope may read it.
        let _: Value = self.api.json(Method::GET, "/v4/profile", None).await?;
        Ok(())
    }

    async fn list_machines(&self) -> Result<Vec<Machine>, DriverError> {
        let instances = self.api.list("/v4/linode/instances").await?;
        let machines = instances.into_iter().map(convert::machine).collect();
        Ok(dedupe_by_id(machines))
    }

    async fn list_sizes(&self) -> Result<Vec<Size>, DriverError> {
        let types = self.api.list("/v4/linode/types").await?;
        let sizes = types.into_iter().map(convert::size).collect();
        Ok(dedupe_by_id(sizes))
    }

    async fn list_images(&self, search: Option<&str>) -> Result<Vec<Image>, DriverError> {
        let found: Vec<convert::LinodeImage> = self.api.list("/v4/images").await?;
        // The default list leaves deprecated images out; a search finds them.
        let searching = search_term(search).is_some();
        let images = found
            .into_iter()
            .filter(|i| searching || !i.deprecated)
            .map(convert::image)
            .collect();
        Ok(dedupe_by_id(filter_images(images, search)))
    }

    async fn list_locations(&self) -> Result<Vec<Location>, DriverError> {
        let regions = self.api.list("/v4/regions").await?;
        let locations = regions.into_iter().map(convert::location).collect();
        Ok(dedupe_by_id(locations))
    }

    async fn create_machine(&self, request: &CreateMachine) -> Result<Machine, DriverError> {
        let root_pass = root_pass()?;
        let mut body = json!({
            "label": request.name,
            "type": request.size,
            "region": request.location,
            "image": request.image,
            "root_pass": root_pass.expose(),
        });
        if let Some(key) = &request.key {
            body["authorized_keys"] = json!([key.openssh.trim()]);
        }
        if let Some(user_data) = &request.user_data {
            let encoded = base64::engine::general_purpose::STANDARD.encode(user_data);
            body["metadata"] = json!({ "user_data": encoded });
        }
        tracing::debug!(
            label = %request.name,
            region = %request.location,
            "creating a Linode"
        );
        let result = self
            .api
            .json(Method::POST, "/v4/linode/instances", Some(&body))
            .await;
        Ok(convert::machine(result?))
    }

    async fn machine_action(&self, id: &str, action: Action) -> Result<(), DriverError> {
        let id = linode_id(id)?;
        let verb = match action {
            Action::Destroy => {
                let path = format!("/v4/linode/instances/{id}");
                self.api.call(Method::DELETE, &path, None).await?;
                return Ok(());
            }
            Action::Reboot => "reboot",
            Action::Start => "boot",
            Action::Stop => "shutdown",
        };
        let path = format!("/v4/linode/instances/{id}/{verb}");
        self.api.call(Method::POST, &path, Some(&json!({}))).await?;
        Ok(())
    }

    async fn set_tags(&self, id: &str, tags: &[String]) -> Result<(), DriverError> {
        let id = linode_id(id)?;
        for tag in tags {
            check_tag(tag)?;
        }
        let path = format!("/v4/linode/instances/{id}");
        let body = json!({ "tags": tags });
        self.api.call(Method::PUT, &path, Some(&body)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_passwords_are_long_mixed_and_different() {
        let a = root_pass().unwrap();
        let b = root_pass().unwrap();
        assert_eq!(a.expose().len(), ROOT_PASS_LEN);
        assert_ne!(a, b);
        assert!(a
            .expose()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(format!("{a:?}"), "Secret(\"***\")");
    }
}
