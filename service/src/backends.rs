//! Backends (cloud accounts): the catalogue, adding one (credentials checked
//! before anything is stored, secrets sealed), renaming, enabling and
//! disabling, deleting. Drivers for the cloud providers arrive with the
//! drivers issue; today a bare-metal host reached over SSH is a backend
//! whose one machine is that host.

use domain::{inventory::BackendSummary, providers, resource, ErrorKind};
use serde::{Deserialize, Deserializer};
use ssh::Target;
use store::{
    backends::{StoredBackend, StoredMachine},
    keys::KeyMachine,
};

use crate::{audit, authz, drivers, internal, shell, Actor, Services};

/// Default poll period, ms.
pub const DEFAULT_POLL_INTERVAL_MS: i64 = 10_000;
/// Longest backend title.
pub const MAX_TITLE: usize = 100;

/// The body of `POST /backends` (mist.io v1): the fields each provider takes.
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

fn summary(b: &StoredBackend) -> BackendSummary {
    BackendSummary {
        id: b.id.clone(),
        title: b.title.clone(),
        provider: b.provider.clone(),
        region: b.region.clone(),
        enabled: b.enabled,
        state: b.state.clone(),
        state_reason: b.state_reason.clone(),
        poll_interval: b.poll_interval,
        apikey: b.apikey.clone(),
        apiurl: b.apiurl.clone(),
    }
}

fn not_found(id: &str) -> ErrorKind {
    ErrorKind::NotFound {
        what: format!("backend {id:?}"),
    }
}

fn conflict(e: store::StoreError) -> ErrorKind {
    match e {
        store::StoreError::Conflict(message) => ErrorKind::Conflict { message },
        e => internal(e),
    }
}

fn parse_title(field: &str, raw: &str) -> Result<String, ErrorKind> {
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
    address: &str,
) -> Result<BackendSummary, ErrorKind> {
    authz::authorize(actor, "create:backend", "backend/*")?;
    let title = parse_title("title", &new.title)?;
    let provider = new.provider.trim();
    if provider.is_empty() {
        return Err(ErrorKind::invalid("provider", "choose a provider"));
    }
    let Some(entry) = providers::find(provider) else {
        return Err(ErrorKind::invalid(
            "provider",
            format!("{provider:?} is not in the catalogue (GET /providers lists it)"),
        ));
    };
    let (backend, machines, association) = match entry.provider {
        "bare_metal" => bare_metal(services, &title, new).await?,
        driven if drivers::is_driven(driven) => (
            cloud_backend(services, &title, entry, new).await?,
            Vec::new(),
            None,
        ),
        other => {
            return Err(ErrorKind::invalid(
                "provider",
                format!(
                    "{} ({other}) is in the catalogue, but this version of Overcast has no \
                     driver for it yet; bare metal, DigitalOcean, Linode, EC2, OpenStack, Rackspace and libvirt work today",
                    entry.title
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
        .map_err(conflict)?;
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
        address,
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

/// A host reached over SSH: checked by logging in with the named key.
async fn bare_metal(
    services: &Services,
    title: &str,
    new: &NewBackend,
) -> Result<Added, ErrorKind> {
    let host = new
        .machine_ip
        .clone()
        .ok_or_else(|| ErrorKind::invalid("machine_ip", "give the host's address"))?;
    if host.len() > 253 || host.contains(|c: char| c.is_whitespace() || c == '/' || c == '@') {
        return Err(ErrorKind::invalid(
            "machine_ip",
            "must be a host name or an IP address",
        ));
    }
    let key_name = new
        .machine_key
        .clone()
        .ok_or_else(|| ErrorKind::invalid("machine_key", "choose the key that opens this host"))?;
    let user = new
        .machine_user
        .clone()
        .unwrap_or_else(|| "root".to_owned());
    if user.len() > 32 || user.contains(char::is_whitespace) {
        return Err(ErrorKind::invalid(
            "machine_user",
            "must be a user name without spaces",
        ));
    }
    let port = match &new.machine_port {
        None => 22,
        Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
            ErrorKind::invalid("machine_port", "must be a port number from 1 to 65535")
        })?,
    };
    let key = services
        .db
        .key_by_name(&key_name)
        .await
        .map_err(internal)?
        .ok_or_else(|| {
            ErrorKind::invalid("machine_key", format!("no key is named {key_name:?}"))
        })?;
    let target = Target {
        host: host.clone(),
        port,
        user: user.clone(),
    };
    let probed = shell::probe(services, &target, &key)
        .await
        .map_err(|e| match e {
            ErrorKind::Upstream { message } | ErrorKind::Conflict { message } => {
                ErrorKind::invalid("machine_ip", format!("could not log in: {message}"))
            }
            other => other,
        })?;
    let now = services.now();
    let id = short_id();
    let machine_id = short_id();
    let backend = StoredBackend {
        id: id.clone(),
        title: title.to_owned(),
        provider: "bare_metal".into(),
        region: None,
        apikey: None,
        apiurl: None,
        config: serde_json::json!({
            "machine_ip": host,
            "machine_user": user,
            "machine_port": port,
            "machine_key": key_name,
        })
        .to_string(),
        secret_sealed: None,
        enabled: true,
        state: "online".into(),
        state_reason: None,
        poll_interval: DEFAULT_POLL_INTERVAL_MS,
        polled_at: Some(now),
        created_at: now,
    };
    let machine = StoredMachine {
        backend_id: id.clone(),
        id: machine_id.clone(),
        name: probed.hostname.clone().unwrap_or_else(|| host.clone()),
        state: "running".into(),
        public_ips: serde_json::json!([host]).to_string(),
        private_ips: "[]".into(),
        ssh_port: i64::from(port),
        extra: "{}".into(),
        seen_at: now,
    };
    let association = KeyMachine {
        key_id: key.id,
        backend_id: id,
        machine_id,
        ssh_user: user,
        sudo: probed.sudo,
        last_used_at: now,
    };
    Ok((backend, vec![machine], Some((association, probed.host_key))))
}

/// A backend with a cloud driver: the credentials are proved with the
/// provider before anything is stored, then sealed.
async fn cloud_backend(
    services: &Services,
    title: &str,
    entry: &domain::providers::Provider,
    new: &NewBackend,
) -> Result<StoredBackend, ErrorKind> {
    // A token given as `apikey` alone (as some mist.io clients send a
    // DigitalOcean token) is a secret too.
    let (apikey, apisecret) = match (&new.apikey, &new.apisecret) {
        (key, Some(secret)) => (key.clone(), Some(secret.clone())),
        (Some(token), None) if matches!(entry.provider, "digitalocean" | "linode") => {
            (None, Some(token.clone()))
        }
        (key, None) if !drivers::needs_secret(entry.provider) => (key.clone(), None),
        (_, None) => {
            return Err(ErrorKind::invalid(
                "apisecret",
                format!(
                    "give the {} secret (API token, secret key or password)",
                    entry.title
                ),
            ))
        }
    };
    if let Some(url) = &new.apiurl {
        let scheme_ok = if entry.provider == "libvirt" {
            url.contains("://")
        } else {
            url.starts_with("https://") || url.starts_with("http://")
        };
        if !scheme_ok {
            return Err(ErrorKind::invalid(
                "apiurl",
                "must be an http:// or https:// URL (a libvirt URI for libvirt)",
            ));
        }
    }
    let access = drivers::Access {
        provider: entry.provider,
        apikey: apikey.as_deref(),
        tenant: new.tenant_name.as_deref(),
        region: new.region.as_deref(),
        apiurl: new.apiurl.as_deref(),
        apisecret: apisecret.as_deref(),
    };
    let driver = drivers::build(&access)
        .await?
        .ok_or_else(|| internal(format!("no driver for {}", entry.provider)))?;
    driver
        .check_credentials()
        .await
        .map_err(|e| drivers::error(e, entry.title))?;
    let id = short_id();
    let sealed = match apisecret {
        Some(apisecret) => Some(
            services.vault.seal_str(
                &drivers::sealing_context(&id),
                &serde_json::to_string(&drivers::Secrets {
                    apisecret: Some(apisecret),
                })
                .map_err(internal)?,
            )?,
        ),
        None => None,
    };
    let now = services.now();
    Ok(StoredBackend {
        id,
        title: title.to_owned(),
        provider: entry.provider.to_owned(),
        region: new.region.clone(),
        apikey,
        apiurl: new.apiurl.clone(),
        config: serde_json::json!({ "tenant_name": new.tenant_name }).to_string(),
        secret_sealed: sealed,
        enabled: true,
        state: "online".into(),
        state_reason: None,
        poll_interval: DEFAULT_POLL_INTERVAL_MS,
        polled_at: Some(now),
        created_at: now,
    })
}

/// The machines a cloud backend has now.
pub async fn cloud_machines(
    services: &Services,
    backend: &StoredBackend,
) -> Result<Vec<StoredMachine>, ErrorKind> {
    let driver = drivers::for_backend(services, backend)
        .await?
        .ok_or_else(|| internal(format!("no driver for {}", backend.provider)))?;
    let title =
        domain::providers::find(&backend.provider).map_or(backend.provider.as_str(), |p| p.title);
    let now = services.now();
    Ok(driver
        .list_machines()
        .await
        .map_err(|e| drivers::error(e, title))?
        .iter()
        .map(|m| drivers::to_stored(&backend.id, m, now))
        .collect())
}

fn short_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_owned()
}

/// Renames a backend.
pub async fn rename(
    services: &Services,
    actor: &Actor,
    id: &str,
    new_name: &str,
    address: &str,
) -> Result<(), ErrorKind> {
    authz::authorize(actor, "edit:backend", &resource::backend(id))?;
    let title = parse_title("new_name", new_name)?;
    if !services
        .db
        .rename_backend(id, &title)
        .await
        .map_err(conflict)?
    {
        return Err(not_found(id));
    }
    audit::success(
        services,
        actor,
        address,
        "edit:backend",
        &resource::backend(id),
        &format!("renamed to {title:?}"),
    )
    .await
}

/// Enables or disables a backend.
pub async fn set_enabled(
    services: &Services,
    actor: &Actor,
    id: &str,
    enabled: bool,
    address: &str,
) -> Result<(), ErrorKind> {
    authz::authorize(actor, "edit:backend", &resource::backend(id))?;
    if !services
        .db
        .set_backend_enabled(id, enabled)
        .await
        .map_err(internal)?
    {
        return Err(not_found(id));
    }
    audit::success(
        services,
        actor,
        address,
        "edit:backend",
        &resource::backend(id),
        if enabled { "enabled" } else { "disabled" },
    )
    .await
}

/// Deletes a backend (Overcast forgets it; nothing is destroyed at the provider).
pub async fn delete(
    services: &Services,
    actor: &Actor,
    id: &str,
    address: &str,
) -> Result<(), ErrorKind> {
    authz::authorize(actor, "delete:backend", &resource::backend(id))?;
    if !services.db.delete_backend(id).await.map_err(internal)? {
        return Err(not_found(id));
    }
    services.drivers.forget(id);
    audit::success(
        services,
        actor,
        address,
        "delete:backend",
        &resource::backend(id),
        "",
    )
    .await
}
