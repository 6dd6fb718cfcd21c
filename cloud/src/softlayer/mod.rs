//! SoftLayer (IBM Cloud classic infrastructure) over its XML-RPC API:
//! virtual guests, their create options, datacenters, SSH keys, tags.
//!
//! Sizes are a fixed table (SoftLayer sells cores, memory and disk as
//! separate items, not plans; see `convert::PLANS`), priced from the
//! account's create options. Images are the operating systems those
//! options offer, by reference code (`DEBIAN_7_64`); an image search
//! filters the same list. A new guest's root password is SoftLayer's own
//! (the API keeps it); the driver neither asks for nor shows it.

mod client;
mod convert;
mod xmlrpc;

use async_trait::async_trait;
use serde_json::Value;

use crate::error::DriverError;
use crate::http::HttpConfig;
use crate::rules::{dedupe_by_id, filter_images};
use crate::secret::Secret;
use crate::types::{
    Action, Capabilities, CreateMachine, Image, Location, Machine, PublicKey, Size,
};
use crate::CloudDriver;
use client::{guest_id, Call};
use convert::text;
use xmlrpc::Rpc;

pub use client::ENDPOINT;
pub use convert::map_state;

/// The provider name in the catalogue.
const PROVIDER: &str = "softlayer";

/// The domain a guest gets when its name has none (SoftLayer requires
/// one), as Libcloud did.
const DEFAULT_DOMAIN: &str = "example.com";

/// Port speed (Mbit/s) of a new guest's public and private interfaces.
const PORT_SPEED: i64 = 100;

const GUEST: &str = "SoftLayer_Virtual_Guest";

/// A SoftLayer account reached with a username and an API key.
#[derive(Clone, Debug)]
pub struct SoftLayer {
    api: client::Api,
}

impl SoftLayer {
    /// A driver for the public endpoint with the default timeout and retries.
    pub fn new(username: &str, api_key: Secret) -> Result<Self, DriverError> {
        Self::with_config(username, api_key, &HttpConfig::default())
    }

    /// A driver with its own endpoint (`apiurl`: the XML-RPC base up to
    /// `/xmlrpc/v3`; service names are appended), timeout or retries.
    pub fn with_config(
        username: &str,
        api_key: Secret,
        config: &HttpConfig,
    ) -> Result<Self, DriverError> {
        Ok(SoftLayer {
            api: client::Api::new(username, api_key, config)?,
        })
    }

    async fn create_options(&self) -> Result<Value, DriverError> {
        let options = self
            .api
            .call(GUEST, "getCreateObjectOptions", Call::read())
            .await?;
        if options.is_object() {
            Ok(options)
        } else {
            Err(DriverError::Protocol(
                "SoftLayer's create options are not a struct".into(),
            ))
        }
    }

    /// The id of the account's SSH key with `key`'s type and material, added
    /// (labelled with the key's name) when there is none.
    async fn ssh_key_id(&self, key: &PublicKey) -> Result<i64, DriverError> {
        let material = |k: &str| k.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
        let wanted = material(&key.openssh);
        let listed = self
            .api
            .call("SoftLayer_Account", "getSshKeys", Call::read())
            .await?;
        let found = list(listed)
            .into_iter()
            .find(|k| text(k, "/key").is_some_and(|k| material(&k) == wanted));
        let key = match found {
            Some(k) => k,
            None => {
                let new = Rpc::fields([
                    ("key", Rpc::str(key.openssh.trim())),
                    ("label", Rpc::str(&key.name)),
                    ("notes", Rpc::str("added by Overcast")),
                ]);
                let call = Call {
                    params: vec![new],
                    ..Call::default()
                };
                self.api
                    .call("SoftLayer_Security_Ssh_Key", "createObject", call)
                    .await?
            }
        };
        key["id"]
            .as_i64()
            .ok_or_else(|| DriverError::Protocol("SoftLayer's SSH key has no id".into()))
    }
}

/// An answer that should be a list: an array's items, a lone struct as
/// one item (Libcloud's recording of `getSshKeys` is so), nothing else.
fn list(v: Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items,
        Value::Object(_) => vec![v],
        _ => Vec::new(),
    }
}

/// `web1.example.org` as hostname `web1` and domain `example.org`; a name
/// without a dot gets [`DEFAULT_DOMAIN`].
fn split_name(name: &str) -> (&str, &str) {
    match name.trim().split_once('.') {
        Some((host, domain)) if !host.is_empty() && !domain.is_empty() => (host, domain),
        _ => (name.trim(), DEFAULT_DOMAIN),
    }
}

/// What this driver can do (also answered without a driver, by
/// [`crate::capabilities_of`]).
pub const CAPABILITIES: Capabilities = Capabilities {
    // (User data is sent as the guest's user metadata, `userData`, which
    // cloud-init's IBM Cloud datasource reads.) The images are the create
    // options' operating systems; a search filters that same list.
    image_search: false,
    ..Capabilities::ALL
};

#[async_trait]
impl CloudDriver for SoftLayer {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn check_credentials(&self) -> Result<(), DriverError> {
        // The account's own object, reduced to its id: the cheapest
        // authenticated call.
        let call = Call::masked("mask[id]");
        self.api
            .call("SoftLayer_Account", "getObject", call)
            .await?;
        Ok(())
    }

    async fn list_machines(&self) -> Result<Vec<Machine>, DriverError> {
        let call = Call::masked(convert::GUEST_MASK);
        let guests = self
            .api
            .call("SoftLayer_Account", "getVirtualGuests", call)
            .await?;
        let machines = list(guests)
            .iter()
            .map(|g| convert::machine(g, false))
            .filter(|m| !m.id.is_empty())
            .collect();
        Ok(dedupe_by_id(machines))
    }

    async fn list_sizes(&self) -> Result<Vec<Size>, DriverError> {
        Ok(convert::sizes(&self.create_options().await?))
    }

    async fn list_images(&self, search: Option<&str>) -> Result<Vec<Image>, DriverError> {
        let options = self.create_options().await?;
        let systems = options["operatingSystems"].as_array().into_iter().flatten();
        let images = systems.filter_map(convert::image).collect();
        Ok(dedupe_by_id(filter_images(images, search)))
    }

    async fn list_locations(&self) -> Result<Vec<Location>, DriverError> {
        let datacenters = self
            .api
            .call(
                "SoftLayer_Location_Datacenter",
                "getDatacenters",
                Call::read(),
            )
            .await?;
        let orderable = convert::orderable(&self.create_options().await?);
        let locations = list(datacenters)
            .iter()
            .filter_map(|d| convert::location(d, &orderable))
            .collect();
        Ok(dedupe_by_id(locations))
    }

    async fn create_machine(&self, request: &CreateMachine) -> Result<Machine, DriverError> {
        let plan = convert::PLANS
            .iter()
            .find(|p| p.id() == request.size)
            .ok_or_else(|| {
                DriverError::InvalidRequest(format!("no SoftLayer size {:?}", request.size))
            })?;
        let (hostname, domain) = split_name(&request.name);
        let disk = Rpc::fields([
            ("device", Rpc::str("0")),
            (
                "diskImage",
                Rpc::fields([("capacity", Rpc::Int(plan.disk_gb as i64))]),
            ),
        ]);
        let mut template = vec![
            ("hostname".to_owned(), Rpc::str(hostname)),
            ("domain".to_owned(), Rpc::str(domain)),
            ("startCpus".to_owned(), Rpc::Int(i64::from(plan.cpus))),
            ("maxMemory".to_owned(), Rpc::Int(plan.ram_mb as i64)),
            ("hourlyBillingFlag".to_owned(), Rpc::Bool(true)),
            ("localDiskFlag".to_owned(), Rpc::Bool(false)),
            ("blockDevices".to_owned(), Rpc::Array(vec![disk])),
            (
                "operatingSystemReferenceCode".to_owned(),
                Rpc::str(&request.image),
            ),
            (
                "datacenter".to_owned(),
                Rpc::fields([("name", Rpc::str(&request.location))]),
            ),
            (
                "networkComponents".to_owned(),
                Rpc::Array(vec![Rpc::fields([("maxSpeed", Rpc::Int(PORT_SPEED))])]),
            ),
        ];
        if let Some(key) = &request.key {
            let id = self.ssh_key_id(key).await?;
            let keys = Rpc::Array(vec![Rpc::fields([("id", Rpc::Int(id))])]);
            template.push(("sshKeys".to_owned(), keys));
        }
        if let Some(user_data) = &request.user_data {
            let value = Rpc::fields([("value", Rpc::str(user_data))]);
            template.push(("userData".to_owned(), Rpc::Array(vec![value])));
        }
        tracing::debug!(
            hostname,
            datacenter = %request.location,
            "creating a SoftLayer virtual guest"
        );
        let call = Call {
            params: vec![Rpc::Struct(template)],
            ..Call::default()
        };
        let guest = self.api.call(GUEST, "createObject", call).await?;
        let machine = convert::machine(&guest, true);
        if machine.id.is_empty() {
            return Err(DriverError::Protocol(
                "SoftLayer's new guest has no id".into(),
            ));
        }
        Ok(machine)
    }

    async fn machine_action(&self, id: &str, action: Action) -> Result<(), DriverError> {
        let id = guest_id(id)?;
        // Powering on or off twice leaves the same state, so those may be
        // retried; a reboot or a delete that may have landed is not resent.
        let (method, idempotent) = match action {
            Action::Reboot => ("rebootSoft", false),
            Action::Stop => ("powerOff", true),
            Action::Start => ("powerOn", true),
            Action::Destroy => ("deleteObject", false),
        };
        let call = Call {
            id: Some(id),
            idempotent,
            ..Call::default()
        };
        accepted(method, self.api.call(GUEST, method, call).await?)
    }

    async fn set_tags(&self, id: &str, tags: &[String]) -> Result<(), DriverError> {
        let id = guest_id(id)?;
        for tag in tags {
            if tag.trim().is_empty() || tag.contains(',') || tag.chars().any(char::is_control) {
                return Err(DriverError::InvalidRequest(format!(
                    "tag {tag:?}: SoftLayer tags are non-empty, without commas"
                )));
            }
        }
        let call = Call {
            id: Some(id),
            params: vec![Rpc::str(tags.join(","))],
            idempotent: true,
            ..Call::default()
        };
        accepted("setTags", self.api.call(GUEST, "setTags", call).await?)
    }
}

/// SoftLayer answers an accepted action `true`; `false` is a refusal.
fn accepted(method: &str, answer: Value) -> Result<(), DriverError> {
    match answer {
        Value::Bool(false) => Err(DriverError::InvalidRequest(format!(
            "SoftLayer did not accept {method}"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_hostname_and_domain() {
        assert_eq!(split_name("web1.example.org"), ("web1", "example.org"));
        assert_eq!(split_name("web1"), ("web1", DEFAULT_DOMAIN));
        assert_eq!(split_name(".x"), (".x", DEFAULT_DOMAIN));
    }

    #[test]
    fn debug_output_never_shows_the_api_key() {
        let d = SoftLayer::new("sammy", Secret::new("abcdef0123456789")).unwrap();
        let shown = format!("{d:?}");
        assert!(shown.contains("sammy") && !shown.contains("abcdef0123456789"));
        assert!(SoftLayer::new(" ", Secret::new("k")).is_err());
    }
}
