//! libvirt / KVM (feature `libvirt`): the domains of one libvirt host,
//! reached by a libvirt URI (`qemu+ssh://ops@kvm1/system`, `qemu:///system`;
//! the tests use the built-in `test:///default`).
//!
//! - A machine is a domain, defined or running; its id is the domain's UUID.
//! - A size is one of a few built-in shapes (`1cpu-512mb`, ...): libvirt
//!   has no catalogue.
//! - An image is a base volume of an active storage pool (`<pool>/<volume>`):
//!   a create clones it into `overcast-<machine uuid>` in the same pool and
//!   boots from the copy; destroy deletes that copy. `none` creates a machine
//!   without a disk (all the test driver's default pool can offer).
//! - The one location is the host (its hostname).
//! - No key installation and no user data (`Capabilities` says so): a key
//!   in the request is not installed, a script is refused by the
//!   capability guard (`crate::guard`).
//!
//! libvirt's calls block: they run on tokio's blocking pool against one
//! connection kept for the driver's life (see `client`).

mod client;
mod convert;
mod ops;
mod xml;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use crate::error::DriverError;
use crate::rules::filter_images;
use crate::types::{Action, Capabilities, CreateMachine, Image, Location, Machine, Size};
use crate::CloudDriver;
use client::Lv;

pub use convert::{map_state, NO_IMAGE};

/// The provider name in the catalogue.
const PROVIDER: &str = "libvirt";

/// How long one libvirt call may take unless [`Libvirt::connect_with_timeout`]
/// says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// One libvirt host. Clones share the connection.
#[derive(Clone)]
pub struct Libvirt {
    conn: client::Conn,
}

impl fmt::Debug for Libvirt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Libvirt")
            .field("uri", &self.conn.redacted_uri())
            .finish()
    }
}

impl Libvirt {
    /// Opens `uri` with [`DEFAULT_TIMEOUT`]. A URI no driver handles, a host
    /// that does not answer or an SSH failure is `Unavailable`, a refused
    /// login `BadCredentials`, each with libvirt's reason.
    pub async fn connect(uri: &str) -> Result<Self, DriverError> {
        Self::connect_with_timeout(uri, DEFAULT_TIMEOUT).await
    }

    /// Opens `uri`; every call (this open included) that takes longer than
    /// `timeout` is `Unavailable`.
    pub async fn connect_with_timeout(uri: &str, timeout: Duration) -> Result<Self, DriverError> {
        Ok(Libvirt {
            conn: client::Conn::open(uri, timeout).await?,
        })
    }

    /// The definition of machine `id` as libvirt holds it (the domain XML),
    /// for support and display.
    pub async fn domain_xml(&self, id: &str) -> Result<String, DriverError> {
        let id = id.to_owned();
        self.conn
            .call("domain xml", move |c| {
                c.lookup_domain_by_uuid_string(&id).lv()?.xml_desc(0).lv()
            })
            .await
    }

    /// Every volume of the host's active pools as `<pool>/<volume>`, the
    /// disks cloned for machines (`overcast-<uuid>`) included, unlike
    /// [`CloudDriver::list_images`].
    pub async fn volumes(&self) -> Result<Vec<String>, DriverError> {
        self.conn.call("list volumes", ops::volumes).await
    }
}

/// What this driver can do (also answered without a driver, by
/// [`crate::capabilities_of`]).
pub const CAPABILITIES: Capabilities = Capabilities {
    tag: false,
    key_pairs: false,
    user_data: false,
    image_search: false,
    ..Capabilities::ALL
};

#[async_trait]
impl CloudDriver for Libvirt {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn check_credentials(&self) -> Result<(), DriverError> {
        self.conn
            .call("check", |c| {
                c.lib_version().lv()?;
                if !c.is_alive().lv()? {
                    return Err(DriverError::Unavailable("the connection is closed".into()));
                }
                // An RPC, so a remote host must answer with our rights.
                c.num_of_domains().lv()?;
                Ok(())
            })
            .await
    }

    async fn list_machines(&self) -> Result<Vec<Machine>, DriverError> {
        self.conn.call("list machines", ops::machines).await
    }

    async fn list_sizes(&self) -> Result<Vec<Size>, DriverError> {
        Ok(convert::sizes())
    }

    async fn list_images(&self, search: Option<&str>) -> Result<Vec<Image>, DriverError> {
        let images = self.conn.call("list images", ops::images).await?;
        Ok(filter_images(images, search))
    }

    async fn list_locations(&self) -> Result<Vec<Location>, DriverError> {
        self.conn
            .call("list locations", |c| {
                let driver = c.driver_type().lv()?;
                Ok(vec![convert::location(&ops::hostname(c)?, &driver)])
            })
            .await
    }

    async fn create_machine(&self, request: &CreateMachine) -> Result<Machine, DriverError> {
        xml::check_name(&request.name)?;
        // The key is not installed (`key_pairs` is off): a disk cloned from
        // an image carries the keys baked into it. A script would be lost:
        // the capability guard refuses it (`user_data` is off).
        let (cpus, memory_mib) = convert::shape(&request.size).ok_or_else(|| {
            DriverError::InvalidRequest(format!("unknown size {:?}", request.size))
        })?;
        let plan = ops::Plan {
            name: request.name.clone(),
            cpus,
            memory_mib,
            image: ops::parse_image(&request.image)?,
            location: request.location.clone(),
        };
        self.conn
            .call("create", move |c| ops::create(c, plan))
            .await
    }

    async fn machine_action(&self, id: &str, action: Action) -> Result<(), DriverError> {
        let id = id.to_owned();
        self.conn
            .call(action.as_str(), move |c| ops::act(c, &id, action))
            .await
    }
}
