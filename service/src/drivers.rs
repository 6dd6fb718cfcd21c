//! From a stored backend to a working cloud driver: its secrets opened from
//! the vault, its endpoint override applied; and the driver's errors and
//! machines in the service's terms.

use std::sync::Arc;

use cloud::{digitalocean::DigitalOcean, http::HttpConfig, CloudDriver, DriverError, Secret};
use domain::ErrorKind;
use store::backends::{StoredBackend, StoredMachine};

use crate::{internal, Services};

/// Providers with a cloud driver today (bare metal is reached over SSH).
pub const DRIVEN: &[&str] = &["digitalocean"];

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
    /// Endpoint override.
    pub apiurl: Option<&'a str>,
    /// The secret.
    pub apisecret: Option<&'a str>,
}

/// A driver for `access`; `None` for a provider without one.
pub fn build(access: &Access<'_>) -> Result<Option<Arc<dyn CloudDriver>>, ErrorKind> {
    let config = HttpConfig {
        endpoint: access.apiurl.map(str::to_owned),
        ..HttpConfig::default()
    };
    let secret = || {
        access
            .apisecret
            .filter(|s| !s.is_empty())
            .map(|s| Secret::new(s.to_owned()))
            .ok_or_else(|| ErrorKind::invalid("apisecret", "give the API token"))
    };
    match access.provider {
        "digitalocean" => Ok(Some(Arc::new(
            DigitalOcean::with_config(secret()?, &config)
                .map_err(|e| ErrorKind::invalid("apiurl", e.to_string()))?,
        ))),
        _ => Ok(None),
    }
}

/// The driver of a stored backend.
pub fn for_backend(
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
    build(&Access {
        provider: &backend.provider,
        apiurl: backend.apiurl.as_deref(),
        apisecret: secrets.apisecret.as_deref(),
    })
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
        state: serde_json::to_value(m.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "unknown".into()),
        public_ips: serde_json::json!(m.public_ips).to_string(),
        private_ips: serde_json::json!(m.private_ips).to_string(),
        ssh_port: 22,
        extra: serde_json::json!({
            "size": m.size, "image": m.image, "location": m.location,
            "tags": m.tags, "provider": m.extra,
        })
        .to_string(),
        seen_at: now,
    }
}
