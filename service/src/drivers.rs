//! From a stored backend to a working cloud driver: its secrets opened from
//! the vault, its endpoint override applied; and the driver's errors and
//! machines in the service's terms.

use std::sync::Arc;

use cloud::{digitalocean::DigitalOcean, http::HttpConfig, CloudDriver, DriverError, Secret};
use domain::{
    providers::{Provider, ProviderKind},
    ErrorKind,
};
use store::backends::{StoredBackend, StoredMachine};

use crate::{internal, Services};

/// Whether `provider` has a driver in this build (libvirt needs the
/// `libvirt` feature).
pub fn is_driven(provider: &str) -> bool {
    Provider::parse(provider)
        .and_then(cloud::capabilities_of)
        .is_some()
}

/// The secrets a backend was added with, as sealed.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Secrets {
    /// The provider's secret: API token, secret key, password.
    pub apisecret: Option<String>,
}

/// What the driver is built from.
#[derive(Debug)]
pub struct Access<'a> {
    /// Catalogue id.
    pub provider: &'a str,
    /// The non-secret half of the credentials (EC2 access key id).
    pub apikey: Option<&'a str>,
    /// OpenStack tenant (project).
    pub tenant: Option<&'a str>,
    /// Region, where the provider is not tied to one.
    pub region: Option<&'a str>,
    /// Endpoint override.
    pub apiurl: Option<&'a str>,
    /// The secret.
    pub apisecret: Option<&'a str>,
    /// How long one request to the provider may take.
    pub timeout: std::time::Duration,
}

/// A driver for `access`; `None` for a provider without one (and for bare
/// metal, whose driver needs the service: see [`for_backend`]).
pub async fn build(access: &Access<'_>) -> Result<Option<Arc<dyn CloudDriver>>, ErrorKind> {
    let config = HttpConfig {
        endpoint: access.apiurl.map(str::to_owned),
        timeout: access.timeout,
        ..HttpConfig::default()
    };
    let secret = || {
        access
            .apisecret
            .filter(|s| !s.is_empty())
            .map(|s| Secret::new(s.to_owned()))
            .ok_or_else(|| ErrorKind::invalid("apisecret", "give the API token"))
    };
    let user = |what: &str| {
        access
            .apikey
            .filter(|k| !k.is_empty())
            .ok_or_else(|| ErrorKind::invalid("apikey", format!("give the {what}")))
    };
    let Some(entry) = Provider::parse(access.provider) else {
        return Ok(None);
    };
    let id = entry.provider;
    let built: Arc<dyn CloudDriver> = match entry.kind {
        ProviderKind::DigitalOcean => Arc::new(
            DigitalOcean::with_config(secret()?, &config).map_err(|e| setup_error(e, "apiurl"))?,
        ),
        ProviderKind::Linode => Arc::new(
            cloud::linode::Linode::with_config(secret()?, &config)
                .map_err(|e| setup_error(e, "apiurl"))?,
        ),
        ProviderKind::NephoScale => Arc::new(
            cloud::nephoscale::NephoScale::with_config(user("user name")?, secret()?, &config)
                .map_err(|e| setup_error(e, "apiurl"))?,
        ),
        ProviderKind::SoftLayer => Arc::new(
            cloud::softlayer::SoftLayer::with_config(user("user name")?, secret()?, &config)
                .map_err(|e| setup_error(e, "apiurl"))?,
        ),
        ProviderKind::RackspaceFirstGen => Arc::new(
            cloud::rackspace_first_gen::RackspaceFirstGen::from_provider(
                id,
                user("user name")?,
                secret()?,
                &config,
            )
            .map_err(|e| setup_error(e, "apiurl"))?,
        ),
        #[cfg(feature = "libvirt")]
        ProviderKind::Libvirt => {
            let uri = access.apiurl.filter(|u| !u.is_empty()).ok_or_else(|| {
                ErrorKind::invalid(
                    "apiurl",
                    "give the libvirt URI (qemu+ssh://user@host/system)",
                )
            })?;
            Arc::new(
                cloud::libvirt::Libvirt::connect(uri)
                    .await
                    .map_err(|e| error(e, "libvirt"))?,
            )
        }
        #[cfg(not(feature = "libvirt"))]
        ProviderKind::Libvirt => return Ok(None),
        ProviderKind::OpenStack | ProviderKind::Rackspace | ProviderKind::HpCloud => Arc::new(
            cloud::openstack::OpenStack::from_preset(
                id,
                user("user name")?,
                secret()?,
                access.tenant.map(str::to_owned),
                access.region.map(str::to_owned),
                &config,
            )
            .map_err(|e| setup_error(e, "provider"))?,
        ),
        ProviderKind::Ec2 => match cloud::ec2::region_of(id) {
            Some(region) => Arc::new(
                cloud::ec2::Ec2::with_config(
                    user("access key id")?.to_owned(),
                    secret()?,
                    region,
                    &config,
                )
                .map_err(|e| setup_error(e, "apikey"))?,
            ),
            None => return Ok(None),
        },
        ProviderKind::BareMetal => return Ok(None),
    };
    // Every driver behind the capability guard: what it cannot do is
    // refused before the provider is asked.
    Ok(Some(cloud::guarded(built)))
}

fn setup_error(e: DriverError, field: &str) -> ErrorKind {
    ErrorKind::invalid(field, e.to_string())
}

/// Drivers already built, per backend: they keep their HTTP connections,
/// tokens (OpenStack) and hypervisor connections (libvirt) between calls.
/// An entry is used only while the backend's settings are unchanged.
#[derive(Debug, Default)]
pub struct DriverCache {
    built: std::sync::Mutex<Built>,
}

/// Backend id → (the settings it was built from, the driver).
type Built = std::collections::HashMap<String, (String, Arc<dyn CloudDriver>)>;

impl DriverCache {
    fn get(&self, id: &str, settings: &str) -> Option<Arc<dyn CloudDriver>> {
        let built = self.built.lock().ok()?;
        built
            .get(id)
            .filter(|(s, _)| s == settings)
            .map(|(_, d)| Arc::clone(d))
    }

    fn put(&self, id: &str, settings: String, driver: Arc<dyn CloudDriver>) {
        if let Ok(mut built) = self.built.lock() {
            built.insert(id.to_owned(), (settings, driver));
        }
    }

    /// Forgets a backend's driver (deleted or disabled).
    pub fn forget(&self, id: &str) {
        if let Ok(mut built) = self.built.lock() {
            built.remove(id);
        }
    }
}

/// What a cached driver was built from.
fn settings_of(backend: &StoredBackend) -> String {
    serde_json::json!([
        backend.provider,
        backend.apikey,
        backend.apiurl,
        backend.region,
        backend.config,
        backend.secret_sealed,
    ])
    .to_string()
}

/// The driver of a stored backend (built once, then reused).
pub async fn for_backend(
    services: &Services,
    backend: &StoredBackend,
) -> Result<Option<Arc<dyn CloudDriver>>, ErrorKind> {
    if Provider::parse(&backend.provider).is_some_and(|p| p.kind == ProviderKind::BareMetal) {
        // Built each time: it holds the service's handles, and keeping it
        // in the service's own cache would keep the service alive for good.
        let driver = crate::backends::bare_metal::BareMetal::new(services, backend);
        return Ok(Some(cloud::guarded(Arc::new(driver))));
    }
    let settings = settings_of(backend);
    if let Some(driver) = services.drivers.get(&backend.id, &settings) {
        return Ok(Some(driver));
    }
    let driver = build_for(services, backend).await?;
    if let Some(driver) = &driver {
        services
            .drivers
            .put(&backend.id, settings, Arc::clone(driver));
    }
    Ok(driver)
}

async fn build_for(
    services: &Services,
    backend: &StoredBackend,
) -> Result<Option<Arc<dyn CloudDriver>>, ErrorKind> {
    let secrets: Secrets = match &backend.secret_sealed {
        Some(sealed) => serde_json::from_str(
            &services
                .vault
                .open_str(&sealing_context(&backend.id), sealed)?,
        )
        .map_err(internal)?,
        None => Secrets::default(),
    };
    let config: serde_json::Value = serde_json::from_str(&backend.config).unwrap_or_default();
    build(&Access {
        provider: &backend.provider,
        apikey: backend.apikey.as_deref(),
        tenant: config["tenant_name"].as_str(),
        region: backend.region.as_deref(),
        apiurl: backend.apiurl.as_deref(),
        apisecret: secrets.apisecret.as_deref(),
        timeout: services.settings.provider_timeout,
    })
    .await
}

/// What a backend's sealed secrets are bound to.
pub fn sealing_context(backend_id: &str) -> String {
    format!("backend:{backend_id}")
}

/// A driver's failure, as the operator reads it.
pub fn error(e: DriverError, title: &str) -> ErrorKind {
    match e {
        DriverError::BadCredentials(reason) => ErrorKind::invalid(
            "apisecret",
            format!("{title} refused the credentials: {reason}"),
        ),
        DriverError::NotFound(what) => ErrorKind::NotFound { what },
        DriverError::Quota(reason) => ErrorKind::Conflict {
            message: format!("{title}: quota reached: {reason}"),
        },
        DriverError::InvalidRequest(reason) => {
            ErrorKind::invalid("request", format!("{title} refused: {reason}"))
        }
        DriverError::Unsupported { what, .. } => ErrorKind::Conflict {
            message: format!("{title} cannot do that: {what}"),
        },
        DriverError::Refused(reason) => ErrorKind::Conflict {
            message: format!("{title}: {reason}"),
        },
        DriverError::Unavailable(reason) | DriverError::Protocol(reason) => ErrorKind::Upstream {
            message: format!("{title}: {reason}"),
        },
    }
}

/// A listed machine as stored.
pub fn to_stored(backend_id: &str, m: &cloud::Machine, now: i64) -> StoredMachine {
    StoredMachine {
        backend_id: backend_id.to_owned(),
        id: m.id.clone(),
        name: m.name.clone(),
        state: m.state.as_str().to_owned(),
        public_ips: serde_json::json!(m.public_ips).to_string(),
        private_ips: serde_json::json!(m.private_ips).to_string(),
        // A driver that knows the port SSH listens on says so.
        ssh_port: m.extra["ssh_port"].as_i64().unwrap_or(22),
        extra: serde_json::json!({
            "size": m.size, "image": m.image, "location": m.location,
            "tags": m.tags, "provider": m.extra,
        })
        .to_string(),
        seen_at: now,
    }
}
