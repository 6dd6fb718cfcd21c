//! Backends (cloud accounts): the catalogue, adding one (credentials checked
//! before anything is stored, secrets sealed), renaming, enabling and
//! disabling, deleting. Drivers for the cloud providers arrive with the
//! drivers issue; today a bare-metal host reached over SSH is a backend
//! whose one machine is that host.

use domain::{
    compute::BackendState,
    events::EventKind,
    inventory::BackendSummary,
    providers::{Provider, ProviderKind},
    resource, ErrorKind,
};
use serde::{Deserialize, Deserializer};
use store::{
    backends::{StoredBackend, StoredMachine},
    keys::KeyMachine,
};

pub(crate) mod bare_metal;
mod cloud;
mod enabled;
pub mod may;
pub mod settings;
mod with_key;

pub use cloud::cloud_machines;
pub use enabled::{set_enabled, NewState};
pub use with_key::{add_with_key, InlineKey};

use crate::{audit, authz, drivers, internal, Actor, Services};

/// Default poll period, ms.
pub const DEFAULT_POLL_INTERVAL_MS: i64 = 10_000;
/// Longest backend title.
pub const MAX_TITLE: usize = 100;

/// The body of `POST /backends` (mist.io v1): the fields each provider takes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewBackend {
    /// The operator's name for it.
    pub title: String,
    /// Catalogue id.
    pub provider: String,
    /// Access key, user name, ...
    #[serde(deserialize_with = "lenient")]
    pub apikey: Option<String>,
    /// Secret key, password, API token.
    #[serde(deserialize_with = "lenient")]
    pub apisecret: Option<String>,
    /// Endpoint override.
    #[serde(deserialize_with = "lenient")]
    pub apiurl: Option<String>,
    /// OpenStack tenant.
    #[serde(deserialize_with = "lenient")]
    pub tenant_name: Option<String>,
    /// Region.
    #[serde(deserialize_with = "lenient")]
    pub region: Option<String>,
    /// Bare metal: the host's address.
    #[serde(deserialize_with = "lenient")]
    pub machine_ip: Option<String>,
    /// Bare metal: the name of the key that opens it.
    #[serde(deserialize_with = "lenient")]
    pub machine_key: Option<String>,
    /// Bare metal: the user to log in as.
    #[serde(deserialize_with = "lenient")]
    pub machine_user: Option<String>,
    /// Bare metal: the SSH port (22 when absent).
    #[serde(deserialize_with = "lenient")]
    pub machine_port: Option<String>,
    /// Bare metal: what reboots the host (`reboot` when absent; run as root,
    /// or through `sudo -n` for another user).
    #[serde(deserialize_with = "lenient")]
    pub machine_reboot_command: Option<String>,
    /// How often to poll, ms (10 s when absent; 1 s at least).
    #[serde(deserialize_with = "lenient")]
    pub poll_interval: Option<String>,
}

impl NewBackend {
    /// The poll interval asked for, checked.
    pub fn poll_interval_ms(&self) -> Result<i64, ErrorKind> {
        match self.poll_interval.as_deref() {
            None => Ok(DEFAULT_POLL_INTERVAL_MS),
            Some(text) => match text.parse::<i64>() {
                Ok(ms) if (1_000..=86_400_000).contains(&ms) => Ok(ms),
                _ => Err(ErrorKind::invalid(
                    "poll_interval",
                    "must be a whole number of milliseconds from 1000 to 86400000",
                )),
            },
        }
    }
}

/// A string, a number or a boolean, read as text; null and "" as absent.
fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match value {
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
        Some(serde_json::Value::String(s)) => Some(s.trim().to_owned()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(serde_json::Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    })
}

pub(crate) fn summary(b: &StoredBackend) -> BackendSummary {
    BackendSummary {
        id: b.id.clone(),
        title: b.title.clone(),
        provider: b.provider.clone(),
        region: b.region.clone(),
        enabled: b.enabled,
        state: BackendState::parse(&b.state).unwrap_or(BackendState::Error),
        state_reason: b.state_reason.clone(),
        poll_interval: b.poll_interval,
        apikey: b.apikey.clone(),
        apiurl: b.apiurl.clone(),
        can_create: can_create(b),
        default_image: settings::default_image(b),
    }
}

/// Whether machines can be created on `b` at all: it is enabled and its
/// provider's driver creates machines (the caller's right is apart).
pub(crate) fn can_create(b: &StoredBackend) -> bool {
    b.enabled
        && Provider::parse(&b.provider)
            .and_then(::cloud::capabilities_of)
            .is_some_and(|c| c.create)
}

/// The stored backend `id`, or 404 naming it (no rights checked: the
/// caller's operation checks its own).
pub(crate) async fn stored(services: &Services, id: &str) -> Result<StoredBackend, ErrorKind> {
    services
        .db
        .backend(id)
        .await
        .map_err(internal)?
        .ok_or_else(|| not_found(id))
}

pub(crate) fn not_found(id: &str) -> ErrorKind {
    ErrorKind::NotFound {
        what: format!("backend {id:?}"),
    }
}

fn parse_title(field: &str, raw: &str) -> Result<String, ErrorKind> {
    domain::names::check_visible(field, raw)?;
    let title = raw.trim();
    if title.is_empty() {
        return Err(ErrorKind::invalid(field, "a backend needs a title"));
    }
    if title.chars().count() > MAX_TITLE || title.chars().any(char::is_control) {
        return Err(ErrorKind::invalid(
            field,
            format!("must be at most {MAX_TITLE} printable characters"),
        ));
    }
    Ok(title.to_owned())
}

/// The backends the caller may see.
pub async fn list(services: &Services, actor: &Actor) -> Result<Vec<BackendSummary>, ErrorKind> {
    authz::authorize_listing(actor, "view:backend")?;
    Ok(services
        .db
        .backends()
        .await
        .map_err(internal)?
        .iter()
        .filter(|b| authz::decide(actor, "view:backend", &resource::backend(&b.id)).is_allowed())
        .map(summary)
        .collect())
}

/// One backend.
pub async fn get(
    services: &Services,
    actor: &Actor,
    id: &str,
) -> Result<BackendSummary, ErrorKind> {
    authz::authorize(actor, "view:backend", &resource::backend(id))?;
    services
        .db
        .backend(id)
        .await
        .map_err(internal)?
        .map(|b| summary(&b))
        .ok_or_else(|| not_found(id))
}

/// Adds a backend once its credentials work.
pub async fn add(
    services: &Services,
    actor: &Actor,
    new: &NewBackend,
) -> Result<BackendSummary, ErrorKind> {
    authz::authorize(actor, "create:backend", "backend/*")?;
    let title = parse_title("title", &new.title)?;
    let provider = new.provider.trim();
    if provider.is_empty() {
        return Err(ErrorKind::invalid("provider", "choose a provider"));
    }
    let Some(entry) = Provider::parse(provider) else {
        return Err(ErrorKind::invalid(
            "provider",
            format!("{provider:?} is not in the catalogue (GET /providers lists it)"),
        ));
    };
    let (backend, machines, association) = match entry.kind {
        ProviderKind::BareMetal => bare_metal::add(services, &title, new).await?,
        _ if ::cloud::capabilities_of(entry).is_some() => (
            cloud::cloud_backend(services, &title, entry, new).await?,
            Vec::new(),
            None,
        ),
        _ => {
            return Err(ErrorKind::invalid(
                "provider",
                format!(
                    "{} ({}) is in the catalogue, but this build of Overcast has no driver \
                     for it (libvirt needs the `libvirt` feature)",
                    entry.title, entry.provider
                ),
            ))
        }
    };
    let machines = if machines.is_empty() && drivers::is_driven(&backend.provider) {
        // Listed once before storing, so the machine list answers at once.
        cloud_machines(services, &backend).await?
    } else {
        machines
    };
    services
        .db
        .insert_backend(&backend, &machines)
        .await
        .map_err(crate::stored)?;
    crate::events::changes::backend(services, &backend.id).await;
    for m in &machines {
        crate::events::changes::machine(services, EventKind::MachineAppeared, &backend.id, &m.id)
            .await;
    }
    if let Some((association, host_key)) = association {
        services
            .db
            .associate_key(&association)
            .await
            .map_err(internal)?;
        services
            .db
            .pin_host_key(
                &association.backend_id,
                &association.machine_id,
                &host_key.openssh,
                &host_key.fingerprint,
                services.now(),
            )
            .await
            .map_err(internal)?;
    }
    audit::success(
        services,
        actor,
        "create:backend",
        &resource::backend(&backend.id),
        &format!("{} {:?}", backend.provider, backend.title),
    )
    .await?;
    Ok(summary(&backend))
}

type Added = (
    StoredBackend,
    Vec<StoredMachine>,
    Option<(KeyMachine, ssh::HostKey)>,
);

fn short_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_owned()
}

/// Renames a backend.
pub async fn rename(
    services: &Services,
    actor: &Actor,
    id: &str,
    new_name: &str,
) -> Result<(), ErrorKind> {
    authz::authorize(actor, "edit:backend", &resource::backend(id))?;
    let title = parse_title("new_name", new_name)?;
    if !services
        .db
        .rename_backend(id, &title)
        .await
        .map_err(crate::stored)?
    {
        return Err(not_found(id));
    }
    crate::events::changes::backend(services, id).await;
    audit::success(
        services,
        actor,
        "edit:backend",
        &resource::backend(id),
        &format!("renamed to {title:?}"),
    )
    .await
}

/// Deletes a backend (Overcast forgets it; nothing is destroyed at the provider).
pub async fn delete(services: &Services, actor: &Actor, id: &str) -> Result<(), ErrorKind> {
    authz::authorize(actor, "delete:backend", &resource::backend(id))?;
    if !services.db.delete_backend(id).await.map_err(internal)? {
        return Err(not_found(id));
    }
    services.drivers.forget(id);
    crate::events::changes::backend_gone(services, id).await;
    audit::success(
        services,
        actor,
        "delete:backend",
        &resource::backend(id),
        "",
    )
    .await
}

/// A backend just proved, as it is first stored: enabled, `online` (its
/// check has just answered), polled now.
fn proved(
    services: &Services,
    id: String,
    title: &str,
    provider: &str,
    new: &NewBackend,
) -> Result<StoredBackend, ErrorKind> {
    let now = services.now();
    Ok(StoredBackend {
        id,
        title: title.to_owned(),
        provider: provider.to_owned(),
        region: None,
        apikey: None,
        apiurl: None,
        config: "{}".into(),
        secret_sealed: None,
        enabled: true,
        state: BackendState::Online.as_str().into(),
        state_reason: None,
        poll_interval: new.poll_interval_ms()?,
        polled_at: Some(now),
        created_at: now,
    })
}
