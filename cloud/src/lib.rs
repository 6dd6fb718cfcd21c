//! Cloud drivers: one small trait ([`CloudDriver`]) with typed
//! [`Capabilities`], provider-neutral values ([`Machine`], [`Size`],
//! [`Image`], [`Location`], [`MachineState`]), one folder per provider, and
//! (feature `conformance`) the suite every driver's tests run.
//!
//! Drivers speak the provider's HTTP API through [`http::HttpClient`]
//! (timeouts, retries with backoff, an endpoint override for private
//! endpoints and test peers) and fail with a [`DriverError`]. What is the
//! same for every provider is written once: image search and
//! de-duplication in [`rules`], and the capability checks in [`guard`],
//! the wrapper every driver is used behind ([`guarded`]).

#![warn(missing_docs)]

use async_trait::async_trait;

pub mod bare_metal;
pub mod digitalocean;
pub mod ec2;
pub mod error;
pub mod guard;
pub mod http;
pub mod linode;
pub mod nephoscale;
pub mod openstack;
pub mod rackspace_first_gen;
pub mod rules;
pub mod secret;
pub mod softlayer;
pub mod types;

#[cfg(feature = "conformance")]
pub mod conformance;
#[cfg(feature = "libvirt")]
pub mod libvirt;

pub use domain::providers::{Provider, ProviderKind};
pub use error::DriverError;
pub use guard::{guarded, Guarded};
pub use secret::Secret;
pub use types::{
    Action, Capabilities, CreateMachine, Image, Location, Machine, MachineState, PublicKey, Size,
};

/// What the driver for the catalogue entry `provider` can do, without
/// building one; `None` when this build has no driver for it (libvirt needs
/// the `libvirt` feature). Bare metal's driver lives in the service (it logs
/// in over SSH with the installation's keys); its capabilities are here.
pub fn capabilities_of(provider: &Provider) -> Option<Capabilities> {
    Some(match provider.kind {
        ProviderKind::DigitalOcean => digitalocean::CAPABILITIES,
        ProviderKind::Linode => linode::CAPABILITIES,
        ProviderKind::NephoScale => nephoscale::CAPABILITIES,
        ProviderKind::SoftLayer => softlayer::CAPABILITIES,
        ProviderKind::RackspaceFirstGen => rackspace_first_gen::CAPABILITIES,
        ProviderKind::Ec2 => ec2::CAPABILITIES,
        ProviderKind::OpenStack | ProviderKind::Rackspace | ProviderKind::HpCloud => {
            openstack::capabilities(openstack::preset(provider.provider)?.power_actions)
        }
        #[cfg(feature = "libvirt")]
        ProviderKind::Libvirt => libvirt::CAPABILITIES,
        #[cfg(not(feature = "libvirt"))]
        ProviderKind::Libvirt => return None,
        ProviderKind::BareMetal => bare_metal::CAPABILITIES,
    })
}

/// One cloud account, reached through its provider's API. Object safe:
/// held as `Arc<dyn CloudDriver>`, behind [`guarded`], which refuses what
/// [`CloudDriver::capabilities`] leave out before the driver is called: a
/// driver need not check its own capabilities.
#[async_trait]
pub trait CloudDriver: Send + Sync + std::fmt::Debug {
    /// The provider's catalogue name (`"digitalocean"`).
    fn provider(&self) -> &'static str;

    /// What this driver can do.
    fn capabilities(&self) -> Capabilities;

    /// Proves the credentials with the cheapest authenticated call; run
    /// before a backend is stored. Refusals are `BadCredentials` quoting the
    /// provider's reason.
    async fn check_credentials(&self) -> Result<(), DriverError>;

    /// Every machine of the account (all pages).
    async fn list_machines(&self) -> Result<Vec<Machine>, DriverError>;

    /// The sizes machines can be created with.
    async fn list_sizes(&self) -> Result<Vec<Size>, DriverError>;

    /// The images offered by default; with `search`, those it finds by
    /// [`rules::image_matches`] (id, name, OS or slug, any case), reaching
    /// beyond the default list where the provider can
    /// (`Capabilities::image_search`).
    async fn list_images(&self, search: Option<&str>) -> Result<Vec<Image>, DriverError>;

    /// The locations machines can be created in.
    async fn list_locations(&self) -> Result<Vec<Location>, DriverError>;

    /// Creates a machine and returns it as the provider first reports it
    /// (usually `Pending`). Behind [`guarded`], a create without the
    /// `create` capability, or with user data without `user_data`, is
    /// `DriverError::Unsupported` without a request.
    async fn create_machine(&self, request: &CreateMachine) -> Result<Machine, DriverError>;

    /// Starts `action` on machine `id`; returns once the provider accepted
    /// it (the state changes later). Behind [`guarded`], an action whose
    /// capability is off is `DriverError::Unsupported` without a request.
    async fn machine_action(&self, id: &str, action: Action) -> Result<(), DriverError>;

    /// Makes `tags` the machine's whole tag set. `Unsupported` unless
    /// `Capabilities::tag` (the guard says so first; this default answers
    /// for a driver without tags called unguarded).
    async fn set_tags(&self, id: &str, tags: &[String]) -> Result<(), DriverError> {
        let _ = (id, tags);
        Err(DriverError::Unsupported {
            provider: self.provider(),
            what: "tags".to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn drivers_are_usable_as_shared_trait_objects() {
        let driver = digitalocean::DigitalOcean::new(Secret::new("dop_v1_abc")).unwrap();
        let shared: Arc<dyn CloudDriver> = Arc::new(driver);
        assert_eq!(shared.provider(), "digitalocean");
        assert!(!format!("{shared:?}").contains("dop_v1_abc"));
    }
}
