//! What lists of keys, backends and machines carry, the same for the REST
//! API (mist.io v1 shapes), the server functions and the pages.

use serde::{Deserialize, Serialize};

use crate::compute::{BackendState, MachineState};

/// An SSH key as listed (never the private part). Serialised with the
/// default flag twice: `default_key` (the seed's name) and `isDefault`
/// (mist.io's server and client read this one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "KeyWire", from = "KeyWire")]
pub struct KeySummary {
    /// The key's name: mist.io calls it the key's id.
    pub id: String,
    /// The same name.
    pub name: String,
    /// Used when a machine has no key of its own.
    pub default_key: bool,
    /// `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, ...
    pub algorithm: String,
    /// `SHA256:...` of the public key.
    pub fingerprint: String,
    /// Machines this key opens.
    pub machines: Vec<KeyMachineRef>,
}

/// [`KeySummary`] as it travels: the default flag under both its names.
/// Read back, either name will do.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Deserialize)]
struct KeyWire {
    /// The key's name (mist.io calls it the key's id).
    id: String,
    /// The same name.
    name: String,
    /// Used when a machine has no key of its own.
    #[serde(default)]
    default_key: Option<bool>,
    /// mist.io's name for `default_key` (its server and client read this
    /// one); always the same value.
    #[serde(rename = "isDefault", default)]
    is_default: Option<bool>,
    /// `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, ...
    algorithm: String,
    /// `SHA256:...` of the public key.
    fingerprint: String,
    /// Machines this key opens, as mist.io's five-element arrays.
    machines: Vec<KeyMachineRef>,
}

impl From<KeySummary> for KeyWire {
    fn from(k: KeySummary) -> Self {
        Self {
            id: k.id,
            name: k.name,
            default_key: Some(k.default_key),
            is_default: Some(k.default_key),
            algorithm: k.algorithm,
            fingerprint: k.fingerprint,
            machines: k.machines,
        }
    }
}

impl From<KeyWire> for KeySummary {
    fn from(k: KeyWire) -> Self {
        Self {
            id: k.id,
            name: k.name,
            default_key: k.default_key.or(k.is_default).unwrap_or(false),
            algorithm: k.algorithm,
            fingerprint: k.fingerprint,
            machines: k.machines,
        }
    }
}

/// One machine a key opens. Serialised as mist.io's
/// `[backend_id, machine_id, last_used_timestamp, ssh_user, sudo]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    from = "(String, String, i64, String, bool)",
    into = "(String, String, i64, String, bool)"
)]
pub struct KeyMachineRef {
    /// Backend of the machine.
    pub backend_id: String,
    /// Machine id.
    pub machine_id: String,
    /// Last successful use, Unix ms.
    pub last_used: i64,
    /// The user the key logs in as.
    pub ssh_user: String,
    /// Whether that user has password-less sudo.
    pub sudo: bool,
}

impl From<(String, String, i64, String, bool)> for KeyMachineRef {
    fn from(
        (backend_id, machine_id, last_used, ssh_user, sudo): (String, String, i64, String, bool),
    ) -> Self {
        Self {
            backend_id,
            machine_id,
            last_used,
            ssh_user,
            sudo,
        }
    }
}

impl From<KeyMachineRef> for (String, String, i64, String, bool) {
    fn from(k: KeyMachineRef) -> Self {
        (k.backend_id, k.machine_id, k.last_used, k.ssh_user, k.sudo)
    }
}

/// A cloud account as listed (never its secret).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendSummary {
    /// Id.
    pub id: String,
    /// The operator's name for it.
    pub title: String,
    /// Catalogue id (`bare_metal`, `ec2_eu_west`, ...).
    pub provider: String,
    /// Region, when the provider has them.
    pub region: Option<String>,
    /// Polled and usable.
    pub enabled: bool,
    /// As its last poll found it.
    pub state: BackendState,
    /// Why it is `offline` or in `error`.
    pub state_reason: Option<String>,
    /// Poll period, ms.
    pub poll_interval: i64,
    /// The non-secret half of the credentials.
    pub apikey: Option<String>,
    /// Endpoint override.
    pub apiurl: Option<String>,
    /// Whether machines can be created on it (its provider's driver can,
    /// and it is enabled).
    #[serde(default)]
    pub can_create: bool,
    /// The image a stack template's `"image": "${computed}"` takes here.
    #[serde(default)]
    pub default_image: Option<String>,
}

/// A machine as listed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineSummary {
    /// The provider's id for it.
    pub id: String,
    /// Its backend's id.
    pub backend: String,
    /// Its backend's title.
    pub backend_title: String,
    /// Name.
    pub name: String,
    /// Its state as last seen (Libcloud's node states).
    pub state: MachineState,
    /// Public addresses.
    pub public_ips: Vec<String>,
    /// Private addresses.
    pub private_ips: Vec<String>,
    /// Whether the provider can reboot it.
    pub can_reboot: bool,
    /// Whether it can be stopped.
    pub can_stop: bool,
    /// Whether it can be started.
    pub can_start: bool,
    /// Whether it can be destroyed.
    pub can_destroy: bool,
    /// Whether it takes tags.
    pub can_tag: bool,
    /// Port SSH listens on.
    pub ssh_port: u16,
    /// Tags (`key` or `key=value`), where the provider has them.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// What a machine's page shows besides its summary.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineDetail {
    /// The summary.
    pub machine: MachineSummary,
    /// Keys that open it.
    pub keys: Vec<MachineKey>,
    /// The pinned host key's fingerprint, once it has been connected to.
    pub host_key: Option<String>,
    /// A different host key presented since, awaiting acceptance.
    pub changed_host_key: Option<String>,
    /// What the caller may do on it besides its power actions
    /// (`service::rights::machine`).
    #[serde(default)]
    pub may: crate::rights::MachineRights,
}

/// A key that opens a machine, from the machine's side.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineKey {
    /// Key name.
    pub key: String,
    /// User it logs in as.
    pub ssh_user: String,
    /// Password-less sudo.
    pub sudo: bool,
    /// Last successful use, Unix ms.
    pub last_used: i64,
}

/// What a probe found (mist.io's `POST .../probe` answer): whether the
/// machine's SSH port answers, and, logged in, how it is doing.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MachineProbe {
    /// Seconds since boot (`/proc/uptime`).
    pub uptime: Option<f64>,
    /// Load over 1, 5 and 15 minutes (`/proc/loadavg`).
    pub loadavg: Option<[f64; 3]>,
    /// Processors (`nproc`).
    pub cores: Option<u32>,
    /// Sessions logged in (`who`).
    pub users: Option<u32>,
    /// Connections tried to the SSH port.
    pub packets_tx: u32,
    /// Connections the port accepted.
    pub packets_rx: u32,
    /// Percentage of tries without an answer.
    pub packets_loss: f64,
    /// Fastest connection, ms.
    pub rtt_min: Option<f64>,
    /// Mean connection time, ms.
    pub rtt_avg: Option<f64>,
    /// Slowest connection, ms.
    pub rtt_max: Option<f64>,
    /// The address and port probed (`host:port`).
    pub host: String,
    /// Why the numbers from the machine are missing, when they are (not
    /// reachable, no right to log in, a refused key).
    pub detail: Option<String>,
}

/// An image as offered for new machines: the provider's, and whether an
/// operator starred it (mist.io's `star`; starred images come first).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferedImage {
    /// The provider's image.
    #[serde(flatten)]
    pub image: crate::compute::Image,
    /// Starred on this backend.
    pub star: bool,
}

/// The OpenAPI schemas of the types that travel in another shape than
/// their fields: [`KeySummary`] as [`KeyWire`], [`KeyMachineRef`] as
/// mist.io's five-element array.
#[cfg(feature = "openapi")]
mod schemas {
    use std::borrow::Cow;

    use utoipa::{
        openapi::{
            schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type},
            RefOr,
        },
        PartialSchema, ToSchema,
    };

    use super::{KeyMachineRef, KeySummary, KeyWire};

    impl PartialSchema for KeySummary {
        fn schema() -> RefOr<Schema> {
            KeyWire::schema()
        }
    }

    impl ToSchema for KeySummary {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("KeySummary")
        }

        fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
            <KeyWire as ToSchema>::schemas(schemas);
        }
    }

    impl PartialSchema for KeyMachineRef {
        fn schema() -> RefOr<Schema> {
            let item = OneOfBuilder::new()
                .item(ObjectBuilder::new().schema_type(Type::String))
                .item(ObjectBuilder::new().schema_type(Type::Integer))
                .item(ObjectBuilder::new().schema_type(Type::Boolean));
            ArrayBuilder::new()
                .items(item)
                .min_items(Some(5))
                .max_items(Some(5))
                .description(Some(
                    "`[backend_id, machine_id, last_used (Unix ms), ssh_user, sudo]` (mist.io's shape)",
                ))
                .into()
        }
    }

    impl ToSchema for KeyMachineRef {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("KeyMachineRef")
        }
    }
}
